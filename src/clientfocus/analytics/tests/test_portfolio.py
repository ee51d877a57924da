"""analyse_portfolio end to end: a small portfolio worked by hand, the empty portfolio, an
as-of date before the first sale, and the settings round trip."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from clientfocus.analytics import (
    COMPANY_COLUMNS,
    REASON_COLUMNS,
    PortfolioFacts,
    Settings,
    analyse_portfolio,
    facts_from_lines,
)
from clientfocus.analytics.tests.helpers import T, companies, lines, row

FIRMS = companies([
    {"company_id": 1, "industry": "retail", "region": "msk", "employees": 100, "relationship": 5},
    {"company_id": 2, "industry": "retail", "region": "msk", "employees": 200, "relationship": 4},
    {"company_id": 3, "industry": "retail", "region": "msk", "employees": 400},
    {"company_id": 4, "industry": "steel", "region": "spb", "employees": 100,
     "owner_id": 2, "owner_name": "Борис"},
    {"company_id": 5, "industry": "retail", "region": "msk", "employees": 100,
     "status": "PROSPECT"},
])
SALES = lines([
    (1, date(2025, 6, 10), "1", 100000, 30000),
    (2, date(2025, 6, 11), "2", 60000, 12000),
    (3, date(2025, 6, 12), "3", 30000, None),
    (4, date(2025, 6, 13), "4", 10000, 5000),
])


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    facts = facts_from_lines(SALES, as_of=T, companies=FIRMS,
                             last_activity=pl.DataFrame({"company_id": [1],
                                                         "last_activity_date": [date(2025, 5, 1)]}))
    return analyse_portfolio(facts, as_of=T)


def test_hand_portfolio_pareto_and_a_level(report) -> None:  # type: ignore[no-untyped-def]
    """Revenue 100000, 60000, 30000, 10000 (total 200000). Revenue above each: 0, 100000,
    160000 -> key accounts 1 and 2 (160000 is not below 0.8 x 200000). A_level = median of
    100000 and 60000 = 80000: A from 64000, B from 36000."""
    assert report.pareto.key_accounts == 2
    assert report.a_level == 80000
    assert report.companies.filter(pl.col("key_account"))["company_id"].to_list() == [1, 2]


def test_hand_portfolio_categories_and_reasons(report) -> None:  # type: ignore[no-untyped-def]
    """k = 10, at least 3 neighbours within distance 3 (2 per industry, 1 per region, 1 per
    decade of staff).

    5 (never bought; retail, msk, 100): 1 (0), 2 (0.301), 3 (0.602), 4 (2 + 1 = 3.0) ->
      10000, 30000, 60000, 100000 -> 75th percentile 60000 + 0.25 x 40000 = 70000 -> A.
    1: 2, 3 and 4 (3.0) -> 10000, 30000, 60000 -> 45000 < best year 100000 -> A (best year).
    2: only 1 and 3 within 3 (4 is at 3.301) -> no lookalike; 60000 -> B.
    3: 30000 -> C. 4: only 1 within reach -> 10000 -> C.
    """
    c = report.companies
    assert c.sort("company_id")["category"].to_list() == ["A", "B", "C", "C", "A"]
    assert c.sort("company_id")["lookalike_potential"].to_list() == [45000, None, None, None,
                                                                     70000]
    r5 = row(c, 5)
    assert r5["category_code"] == "A_LOOKALIKE"
    assert r5["category_reason_en"] == (
        "A: potential 700 RUB — similar to Компания 1, Компания 2, Компания 3 and 1 more — "
        "3 of 4 in the same industry, 3 of 4 in the same region, 100–400 staff; their "
        "75th-percentile 12-month revenue (A from 640 RUB, B from 360 RUB).")
    assert r5["category_reason_ru"] == (
        "A: потенциал 700 ₽ — похожа на Компания 1, Компания 2, Компания 3 и ещё 1 — "
        "отрасль совпадает у 3 из 4, регион совпадает у 3 из 4, 100–400 сотрудников; "
        "75-й процентиль их выручки за 12 мес. (порог A — 640 ₽, B — 360 ₽).")
    assert row(c, 1)["category_reason_en"] == (
        "A: potential 1.0k RUB — its own best 12 months of sales (A from 640 RUB, B from "
        "360 RUB).")
    assert (r5["temperature"], r5["temperature_reason_en"]) == (None,
                                                                "Never bought: no temperature.")
    r1 = row(c, 1)
    assert (r1["temperature"], r1["temperature_colour"]) == (1.0, "red")
    assert r1["cadence_reason_en"] == ("A: every 30 days (call or visit); last contact "
                                       "2025-05-01, due 2025-05-31 — 30 days overdue.")
    assert r1["reason_codes"] == ["A_BEST_YEAR", "KEY_ACCOUNT", "TEMP_RED", "QUADRANT_III",
                                  "OVERDUE"]


def test_hand_portfolio_summaries(report) -> None:  # type: ignore[no-untyped-def]
    cats = report.categories.select("category", "companies", "revenue_12m", "potential").rows()
    assert cats == [("A", 2, 100000, 170000), ("B", 1, 60000, 60000), ("C", 2, 40000, 40000),
                    ("D", 0, 0, 0)]
    tmap = report.temperature_map.select("owner_name", "category", "companies", "red",
                                         "no_sales").rows()
    assert tmap == [("Алиса", "A", 2, 1, 1), ("Алиса", "B", 1, 1, 0), ("Алиса", "C", 1, 1, 0),
                    ("Борис", "C", 1, 1, 0)]
    assert report.top10.by_revenue == (1, 2, 3, 4)
    assert report.top10.by_relationship == (1, 2)
    assert report.top10.verdict == "MISMATCH"
    # Quadrants: loyalty 0.426, 0.376, 0.283, 0.284 (median 0.330), profitability 30000,
    # 12000, 30000 (no margin: revenue), 5000 (median 21000) -> III, II, IV, I.
    assert report.companies["quadrant"].to_list() == ["III", "II", "IV", "I", None]
    # Best clients = key accounts {1, 2} and quadrant III {1}: prospect 5 looks like 1, 2.
    assert report.prospects["company_id"].to_list() == [5]
    assert report.prospects["similar_to"].to_list() == [[1, 2]]
    assert report.prospects["reason_en"].to_list() == [
        "Looks like your best clients: Компания 1, Компания 2 (similarity 0.87)."]
    assert set(COMPANY_COLUMNS) | set(REASON_COLUMNS) == set(report.companies.columns)


def test_empty_portfolio() -> None:
    rep = analyse_portfolio(PortfolioFacts.create(), as_of=T)
    assert rep.companies.height == 0
    assert rep.a_level is None
    assert rep.categories["companies"].to_list() == [0, 0, 0, 0]
    assert rep.quadrants["companies"].to_list() == [0, 0, 0, 0]
    assert (rep.top10.verdict, rep.btyd, rep.alerts.height, rep.prospects.height) == (
        "NO_RATINGS", None, 0, 0)
    assert rep.pareto.text.ru == "За последние 12 месяцев продаж нет."


def test_as_of_before_the_first_sale() -> None:
    """As of 2025-01-01 nobody has bought: no A_level, every company D, no temperature."""
    facts = facts_from_lines(SALES, companies=FIRMS)
    rep = analyse_portfolio(facts, as_of=date(2025, 1, 1))
    assert rep.a_level is None
    assert rep.companies["category"].to_list() == ["D"] * 5
    assert rep.companies["temperature"].to_list() == [None] * 5
    assert rep.companies["category_reason_en"][0] == (
        "D: never bought; no key accounts in 12 months, so no A level.")


def test_settings_round_trip_through_json() -> None:
    s = Settings(cadence_a_days=14, lookalike_percentile=50.0, currency="EUR")
    stored = json.loads(json.dumps(s.to_dict()))
    assert Settings.from_dict(stored) == s
    assert Settings.from_dict({"unknown": 1, "pareto_share": "0.7"}).pareto_share == 0.7
    assert Settings().to_dict()["temperature_red"] == 0.8
    with pytest.raises(ValueError, match="category_b_share"):
        Settings.from_dict({"category_b_share": 0.9})


def test_defaults_follow_product_md() -> None:
    s = Settings()
    assert (s.cadence_a_days, s.cadence_b_days, s.cadence_c_days, s.cadence_d_days) == (
        30, 90, 90, 180)
    assert (s.temperature_red, s.temperature_orange, s.temperature_yellow) == (0.8, 0.5, 0.3)
    assert (s.category_a_share, s.category_b_share, s.pareto_share) == (0.8, 0.45, 0.8)
    assert (s.lookalike_k, s.lookalike_percentile, s.alert_drop, s.top_n) == (10, 75.0, -0.2, 10)
