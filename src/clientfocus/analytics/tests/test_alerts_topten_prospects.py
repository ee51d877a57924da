"""Definitions 7 (falling revenue), 8 (top-10 check) and 9 (lookalike prospects), by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl
import pytest

from clientfocus.analytics import PortfolioFacts, Settings, analyse_portfolio
from clientfocus.analytics.lookalike import lookalike_prospects
from clientfocus.analytics.tests.helpers import T, companies, row
from clientfocus.analytics.topten import top_ten


def months(start: date, values: list[int]) -> list[date]:
    out, y, m = [], start.year, start.month
    for _ in values:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly(series: dict[int, list[int]], start: date = date(2023, 7, 1)) -> pl.DataFrame:
    rows = []
    for cid, values in series.items():
        for month, value in zip(months(start, values), values, strict=True):
            if value:
                rows.append((cid, month, value, None, 1, month + timedelta(days=14),
                             month + timedelta(days=14)))
    return pl.DataFrame(rows, orient="row", schema={
        "company_id": pl.Int64, "month": pl.Date, "revenue": pl.Int64, "margin": pl.Int64,
        "invoices": pl.Int32, "first_day": pl.Date, "last_day": pl.Date})


def alert_report() -> pl.DataFrame:
    """T = 2025-06-30; 24 months Jul 2023 - Jun 2025 each; baseline Jul 2023 - Feb 2025
    (20 months, from the first purchase to month(T) - 4).

    1 alternates 9000/11000 (mean 10000, sigma = 1000 sqrt(20/19) = 1025.98), then Apr-Jun 2025
      7000 each: 21000 against Apr-Jun 2024 11000 + 9000 + 11000 = 31000: -32.3%,
      z = 10000 / (1025.98 sqrt 3) = 5.627 -> alert.
    2 alternates 20000/0 (sigma = 10000 sqrt(20/19) = 10259.8), Apr-Jun 2024 0 + 20000 + 0,
      then 5000 each: 15000 vs 20000 = -25% but z = 5000 / (10259.8 sqrt 3) = 0.281 -> no alert.
    3 steady 10000, then 8500 each: -15% -> no alert.
    4 steady 10000, then 8000 each: exactly -20%, sigma 0 -> alert (the bound is included).
    5 like 1 but liquidated -> no alert.
    """
    alt = [9000 if i % 2 == 0 else 11000 for i in range(21)] + [7000] * 3
    erratic = [20000 if i % 2 == 0 else 0 for i in range(21)] + [5000] * 3
    facts = PortfolioFacts.create(
        monthly=monthly({1: alt, 2: erratic, 3: [10000] * 21 + [8500] * 3,
                         4: [10000] * 21 + [8000] * 3, 5: alt}),
        companies=companies([{"company_id": c, "liquidated": c == 5} for c in range(1, 6)]),
    )
    return analyse_portfolio(facts, as_of=T, with_btyd=False).companies


def test_falling_revenue_alerts_by_hand() -> None:
    out = alert_report()
    r1, r2, r4 = row(out, 1), row(out, 2), row(out, 4)
    assert (r1["revenue_3m"], r1["revenue_3m_prev_year"]) == (21000, 31000)
    assert r1["trend_3m_yoy"] == pytest.approx(21000 / 31000 - 1)
    assert r1["baseline_months"] == 20
    assert r1["sigma_month"] == pytest.approx(1000 * math.sqrt(20 / 19))
    assert r1["drop_z"] == pytest.approx(5.6274, abs=1e-4)
    assert r2["drop_z"] == pytest.approx(0.28137, abs=1e-5)
    assert (r4["trend_3m_yoy"], r4["drop_z"]) == (pytest.approx(-0.2), math.inf)
    assert out.sort("company_id")["alert"].to_list() == [True, False, False, True, False]
    assert r1["alert_code"] == "ALERT_FALLING_REVENUE"
    assert r1["alert_reason_en"].startswith(
        "Revenue of the last 3 months 210 RUB against 310 RUB a year before (-32%); the drop is "
        "5.6× its usual variation.")
    assert "Что мы как вендор могли бы сделать для вас лучше?" in r1["alert_reason_ru"]


def test_top_ten_check() -> None:
    """top_n = 3. Revenue: 1 (500), 2 (400), 3 (300), 4 (200). Ratings 5, 5, 4, 4: by rating
    then revenue 1, 2, 3 -> the lists match. Rate 4 with 5: 1, 2, 4 -> 2 in common, mismatch."""
    s = Settings(top_n=3)
    f = pl.DataFrame({"company_id": [1, 2, 3, 4], "revenue_12m": [500, 400, 300, 200],
                      "relationship": [5, 5, 4, 4], "has_bought": [True] * 4,
                      "liquidated": [False] * 4})
    match = top_ten(f, s)
    assert (match.by_revenue, match.by_relationship, match.verdict) == ((1, 2, 3), (1, 2, 3),
                                                                        "MATCH")
    assert match.text.ru == ("Совпадают 3 из 3. Списки совпадают: активно приступайте к поиску "
                             "новых клиентов.")
    miss = top_ten(f.with_columns(pl.Series("relationship", [5, 5, 4, 5])), s)
    assert (miss.by_relationship, miss.overlap, miss.verdict) == ((1, 2, 4), 2, "MISMATCH")
    none = top_ten(f.with_columns(pl.lit(None, dtype=pl.Int64).alias("relationship")), s)
    assert (none.by_relationship, none.verdict) == ((), "NO_RATINGS")


def test_lookalike_prospects_by_hand() -> None:
    """Best client 1 (retail, msk, 100 staff), k = 1. Prospects: 10 identical -> distance 0,
    similarity 1; 11 (retail, spb, 1000) -> 1 + 1 = 2 -> 1/3; 12 (steel, spb, 100) -> 3
    -> 1/4. 13 is liquidated and 14 is a client: neither is listed."""
    f = companies([
        {"company_id": 1, "industry": "retail", "region": "msk", "employees": 100},
        {"company_id": 12, "industry": "steel", "region": "spb", "employees": 100,
         "status": "SUSPECT"},
        {"company_id": 11, "industry": "retail", "region": "spb", "employees": 1000,
         "status": "PROSPECT"},
        {"company_id": 10, "industry": "retail", "region": "msk", "employees": 100,
         "status": "PROSPECT"},
        {"company_id": 13, "industry": "retail", "region": "msk", "employees": 100,
         "status": "PROSPECT", "liquidated": True},
        {"company_id": 14, "industry": "retail", "region": "msk", "employees": 100},
    ])
    out = lookalike_prospects(f, pl.Series([1]), Settings(prospects_k=1))
    assert out["company_id"].to_list() == [10, 11, 12]
    assert out["similarity"].to_list() == pytest.approx([1.0, 1 / 3, 1 / 4])
    assert out["similar_to"].to_list() == [[1], [1], [1]]
