"""Property tests: Pareto shares, category monotone in potential, cadence dates, and exact
windows from the rollup + edge-month days against a plain sum over the sale lines."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from clientfocus.analytics import Settings
from clientfocus.analytics.abcd import categorise
from clientfocus.analytics.cadence import cadence
from clientfocus.analytics.facts import facts_from_lines, sales_events
from clientfocus.analytics.metrics import client_metrics
from clientfocus.analytics.pareto import pareto_ranking
from clientfocus.analytics.tests.helpers import LINE_SCHEMA

FAST = settings(max_examples=60, deadline=None)
ORDER = {"D": 0, "C": 0, "B": 1, "A": 2}


@FAST
@given(st.lists(st.integers(min_value=-10**6, max_value=10**12), max_size=60),
       st.floats(min_value=0.05, max_value=1.0))
def test_pareto_shares_monotone_sum_to_one_and_key_set_minimal(revenues: list[int],
                                                               share: float) -> None:
    df = pl.DataFrame({"company_id": range(len(revenues)), "revenue_12m": revenues},
                      schema={"company_id": pl.Int64, "revenue_12m": pl.Int64})
    ranks, summary = pareto_ranking(df, Settings(pareto_share=share))
    ranks = ranks.sort("pareto_rank")
    shares = ranks["cumulative_share"].to_list()
    positive = sorted((r for r in revenues if r > 0), reverse=True)
    assert len(shares) == len(positive)
    if not positive:
        return
    assert all(a <= b for a, b in itertools.pairwise(shares))
    assert abs(shares[-1] - 1.0) < 1e-12
    key = ranks["key_account"].to_list()
    n_key = sum(key)
    assert key == [True] * n_key + [False] * (len(key) - n_key)  # a top set
    total = sum(positive)
    assert sum(positive[:n_key]) >= share * total * (1 - 1e-12)  # reaches the share
    assert sum(positive[:n_key - 1]) < share * total  # and is the smallest that does
    assert summary.key_accounts == n_key


@FAST
@given(st.lists(st.tuples(st.integers(0, 10**9), st.booleans()), min_size=2, max_size=40),
       st.integers(1, 10**9))
def test_category_is_monotone_in_potential(rows: list[tuple[int, bool]], level: int) -> None:
    """Among companies that have bought (and among those that have not), a higher potential
    never gives a lower category."""
    df = pl.DataFrame({
        "best_year_revenue": [p for p, _ in rows],
        "lookalike_potential": [None] * len(rows),
        "has_bought": [b for _, b in rows],
    }, schema_overrides={"lookalike_potential": pl.Int64, "best_year_revenue": pl.Int64})
    out = categorise(df, level, Settings()).sort("potential")
    for bought in (True, False):
        cats = out.filter(pl.col("has_bought") == bought)["category"].to_list()
        ranks = [ORDER[c] for c in cats]
        assert ranks == sorted(ranks)


@FAST
@given(st.lists(st.tuples(st.sampled_from("ABCD"),
                          st.one_of(st.none(), st.dates(date(2023, 1, 1), date(2025, 6, 30)))),
                min_size=1, max_size=30),
       st.dates(date(2024, 1, 1), date(2026, 1, 1)))
def test_cadence_dates(rows: list[tuple[str, date | None]], as_of: date) -> None:
    s = Settings()
    days = {"A": s.cadence_a_days, "B": s.cadence_b_days, "C": s.cadence_c_days,
            "D": s.cadence_d_days}
    df = pl.DataFrame({"category": [c for c, _ in rows],
                       "last_activity_date": [d for _, d in rows],
                       "liquidated": [False] * len(rows)},
                      schema_overrides={"last_activity_date": pl.Date})
    out = cadence(df, as_of=as_of, settings=s)
    for (cat, last), due, overdue in zip(rows, out["next_due"], out["overdue"], strict=True):
        expected = as_of if last is None else last + timedelta(days=days[cat])
        assert due == expected
        assert overdue == (expected < as_of)


sale = st.tuples(st.integers(1, 3), st.dates(date(2022, 1, 1), date(2025, 12, 31)),
                 st.integers(1, 5), st.integers(-5000, 20000))


@FAST
@given(st.lists(sale, max_size=40), st.dates(date(2023, 1, 1), date(2025, 12, 31)))
def test_windows_from_rollup_equal_sums_over_lines(sales: list[tuple[int, date, int, int]],
                                                   as_of: date) -> None:
    """revenue_12m, revenue_prev_12m, revenue_3m and lifetime revenue from the monthly rollup
    plus the edge months' days equal plain sums over the lines, for any as-of date."""
    ls = pl.DataFrame([(c, d, f"{c}-{i}", a, None) for c, d, i, a in sales],
                      schema=LINE_SCHEMA, orient="row")
    s = Settings()
    facts = facts_from_lines(ls, as_of=as_of)
    ev = sales_events(facts, as_of)
    got, _grid = client_metrics(ev, pl.Series([1, 2, 3]), as_of=as_of, settings=s)

    def total(cid: int, lo: date, hi: date) -> int:
        return sum(a for c, d, _i, a in sales if c == cid and lo < d <= hi)

    y, r = timedelta(days=365), timedelta(days=91)
    far = date(1900, 1, 1)
    for cid in (1, 2, 3):
        g = got.filter(pl.col("company_id") == cid).row(0, named=True)
        assert g["revenue_12m"] == total(cid, as_of - y, as_of)
        assert g["revenue_prev_12m"] == total(cid, as_of - 2 * y, as_of - y)
        assert g["revenue_3m"] == total(cid, as_of - r, as_of)
        assert g["revenue_3m_prev_year"] == total(cid, as_of - y - r, as_of - y)
        assert g["lifetime_revenue"] == total(cid, far, as_of)
