"""Definitions 4 (temperature), 5 (loyalty x profitability) and 6 (cadence), by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from clientfocus.analytics import Settings
from clientfocus.analytics.cadence import cadence
from clientfocus.analytics.quadrants import quadrant_summary, quadrants
from clientfocus.analytics.temperature import temperature, temperature_map
from clientfocus.analytics.tests.helpers import T


def test_temperature_colours_on_the_bounds() -> None:
    """revenue / potential: 80/100 = 0.8 red; 79/100 orange; 50/100 orange; 30/100 yellow;
    29/100 blue; 0/0 of a buyer is 0 -> blue; never bought -> no temperature.
    An A client that is not red (the 0.79 one) is a problem; the red A is not."""
    f = pl.DataFrame({
        "revenue_12m": [80, 79, 50, 30, 29, 0, 0],
        "potential": [100, 100, 100, 100, 100, 0, 500],
        "has_bought": [True] * 6 + [False],
        "category": ["A", "A", "B", "B", "C", "C", "B"],
    })
    out = temperature(f, Settings())
    assert out["temperature"].to_list()[:6] == pytest.approx([0.8, 0.79, 0.5, 0.3, 0.29, 0.0])
    assert out["temperature"][6] is None
    assert out["temperature_colour"].to_list() == ["red", "orange", "orange", "yellow", "blue",
                                                   "blue", None]
    assert out["a_problem"].to_list() == [False, True, False, False, False, False, False]


def test_temperature_map_groups_by_seller_and_category() -> None:
    f = pl.DataFrame({
        "owner_id": [1, 1, 1, 2], "owner_name": ["Алиса", "Алиса", "Алиса", "Борис"],
        "category": ["A", "A", "B", "A"],
        "temperature_colour": ["red", "blue", None, "red"],
        "a_problem": [False, True, False, False],
        "revenue_12m": [100, 10, 0, 50], "potential": [110, 200, 30, 55],
    })
    m = temperature_map(f)
    assert m.select("owner_name", "category", "companies", "red", "blue", "no_sales",
                    "a_not_red").rows() == [
        ("Алиса", "A", 2, 1, 1, 0, 1), ("Алиса", "B", 1, 0, 0, 1, 0), ("Борис", "A", 1, 1, 0, 0, 0)]


def quadrant_frame() -> pl.DataFrame:
    """Loyalty without a rating = (0.4 reg + 0.2 tenure + 0.2 recency) / 0.8, tenure 1095 days
    (1.0) and recency 0 (1.0):
    c1 12 months -> 1.0; c2 6 -> 0.75; c3 3 -> 0.625; c4 0 -> 0.5.
    c5 bought long ago (revenue_12m 0, recency 400 -> 0): (0 + 0.2 + 0) / 0.8 = 0.25.
    c6 never bought. c7 with rating 4 (0.75), 6 months (0.5), tenure 1095, recency 73 (0.8):
    0.4x0.5 + 0.2x1 + 0.2x0.8 + 0.2x0.75 = 0.71 (but revenue 0, outside the medians)."""
    return pl.DataFrame({
        "company_id": [1, 2, 3, 4, 5, 6, 7],
        "has_bought": [True, True, True, True, True, False, True],
        "revenue_12m": [2000, 100, 1500, 60, 0, 0, 0],
        "margin_12m": [1000, None, 900, 50, None, None, 0],
        "active_months_12m": [12, 6, 3, 0, 0, 0, 6],
        "tenure_days": [1095, 1095, 1095, 1095, 1095, None, 1095],
        "recency_days": [0, 0, 0, 0, 400, None, 73],
        "relationship": [None, None, None, None, None, None, 4],
    }, schema_overrides={"margin_12m": pl.Int64, "relationship": pl.Int64,
                         "tenure_days": pl.Int32, "recency_days": pl.Int32})


def test_loyalty_and_quadrants_by_hand() -> None:
    """Buying clients c1-c4: loyalty median (0.75 + 0.625) / 2 = 0.6875 -> c1, c2 loyal;
    profitability 1000, 100 (c2 has no margin: its revenue), 900, 50 -> median 500 -> c1, c3
    profitable. c1 III, c2 II, c3 IV, c4 I; c5 (0.25, 0) I; c7 (0.71, margin 0) II; c6 none."""
    out, l_split, p_split = quadrants(quadrant_frame(), Settings())
    assert (l_split, p_split) == (pytest.approx(0.6875), pytest.approx(500.0))
    assert out["loyalty"].to_list()[:5] == pytest.approx([1.0, 0.75, 0.625, 0.5, 0.25])
    assert out["loyalty"][5] is None
    assert out["loyalty"][6] == pytest.approx(0.71)
    assert out["profitability"].to_list() == [1000, 100, 900, 50, 0, 0, 0]
    assert out["quadrant"].to_list() == ["III", "II", "IV", "I", "I", None, "II"]
    summary = quadrant_summary(out.with_columns(pl.col("revenue_12m")))
    assert summary.select("quadrant", "companies").rows() == [("I", 2), ("II", 2), ("III", 1),
                                                              ("IV", 1)]
    assert summary["goals_ru"][1].startswith("«Золотой фонд»")
    assert summary["actions_en"][0].startswith("Mass information")


def test_quadrants_without_buyers() -> None:
    out, l_split, _ = quadrants(quadrant_frame().with_columns(pl.lit(0).alias("revenue_12m")),
                                Settings())
    assert l_split is None
    assert out["quadrant"].to_list() == [None] * 7


def test_cadence_dates_by_hand() -> None:
    """T = 2025-06-30. A last 2025-05-30 -> due 2025-06-29, 1 day overdue; A last 2025-05-31
    -> due on T, not overdue; B last 2025-04-01 + 90 = 2025-06-30; C never contacted -> due T;
    D last 2025-01-01 + 180 = 2025-06-30; a liquidated company has no date."""
    f = pl.DataFrame({
        "category": ["A", "A", "B", "C", "D", "A"],
        "last_activity_date": [date(2025, 5, 30), date(2025, 5, 31), date(2025, 4, 1), None,
                               date(2025, 1, 1), date(2025, 1, 1)],
        "liquidated": [False] * 5 + [True],
    })
    out = cadence(f, as_of=T, settings=Settings())
    assert out["next_due"].to_list() == [date(2025, 6, 29), T, T, T, T, None]
    assert out["overdue"].to_list() == [True, False, False, False, False, False]
    assert out["days_overdue"].to_list() == [1, 0, 0, 0, 0, 0]
    assert out["cadence_code"].to_list() == ["OVERDUE", "ON_SCHEDULE", "ON_SCHEDULE",
                                             "NEVER_CONTACTED", "ON_SCHEDULE", "LIQUIDATED"]
    assert out["contact_channel"].to_list() == ["call_or_visit", "call_or_visit", "call", "call",
                                                "email", "call_or_visit"]
