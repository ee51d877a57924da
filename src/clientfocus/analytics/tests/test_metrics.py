"""Definition 1 (client metrics), the facts contract and the edge months, worked by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from clientfocus.analytics import ContractError, PortfolioFacts, Settings, edge_months
from clientfocus.analytics.facts import facts_from_lines, sales_events
from clientfocus.analytics.metrics import client_metrics
from clientfocus.analytics.tests.helpers import T, lines, row


def metrics_of(facts: PortfolioFacts, as_of: date = T) -> pl.DataFrame:
    events = sales_events(facts, as_of)
    ids = facts.companies["company_id"]
    return client_metrics(events, ids, as_of=as_of, settings=Settings())[0]


HAND_LINES = lines([
    # company 1: purchases and a return (credit note A4)
    (1, date(2024, 5, 10), "A1", 10000, 3000),
    (1, date(2024, 8, 15), "A2", 20000, 6000),
    (1, date(2025, 4, 20), "A3", 5000, 1500),
    (1, date(2025, 5, 5), "A4", -2000, -600),
    # company 2: one sale, margin unknown, on T itself
    (2, date(2025, 6, 30), "B1", 100000, None),
    # company 3: a purchase and its full return a month later: revenue exactly 0
    (3, date(2025, 1, 10), "C1", 50000, 10000),
    (3, date(2025, 2, 10), "C2", -50000, -10000),
    # company 4: a line and its reversal on the same invoice: no purchase at all
    (4, date(2025, 3, 3), "D1", 30000, 9000),
    (4, date(2025, 3, 3), "D1", -30000, -9000),
    # company 6: its first sale comes after T
    (6, date(2025, 7, 5), "F1", 70000, 1000),
])


@pytest.fixture()
def hand() -> pl.DataFrame:
    facts = facts_from_lines(HAND_LINES, as_of=T)
    facts = PortfolioFacts.create(
        monthly=facts.monthly, daily=facts.daily,
        companies=pl.DataFrame({"company_id": [1, 2, 3, 4, 5, 6]}),
    )
    return metrics_of(facts)


def test_purchases_and_returns(hand: pl.DataFrame) -> None:
    """Company 1, T = 2025-06-30.

    revenue_12m  (2024-06-30, 2025-06-30]: 20000 + 5000 - 2000 = 23000
    margin_12m:  6000 + 1500 - 600 = 6900
    revenue_prev_12m (2023-07-01, 2024-06-30]: 10000
    revenue_3m Apr-Jun 2025: 5000 - 2000 = 3000; a year before (Apr-Jun 2024): 10000
    trend_12m = 23000/10000 - 1 = 1.3; trend_3m_yoy = 3000/10000 - 1 = -0.7
    lifetime 33000; purchases 3 (the credit note A4 is not a purchase)
    first 2024-05-10, last 2025-04-20: recency 10 + 31 + 30 = 71 days, tenure 365 + 51 = 416
    active_months_12m: Aug 2024 and Apr 2025 = 2 (May 2025 holds only the return)
    best year: 12-month sums ending May-24 10000, Aug-24 30000, Apr-25 35000, May-25 23000
    -> 35000.
    """
    r = row(hand, 1)
    assert (r["revenue_12m"], r["margin_12m"], r["revenue_prev_12m"]) == (23000, 6900, 10000)
    assert (r["revenue_3m"], r["revenue_3m_prev_year"]) == (3000, 10000)
    assert r["trend_12m"] == pytest.approx(1.3)
    assert r["trend_3m_yoy"] == pytest.approx(-0.7)
    assert (r["lifetime_revenue"], r["purchases"], r["best_year_revenue"]) == (33000, 3, 35000)
    assert (r["first_purchase"], r["last_purchase"]) == (date(2024, 5, 10), date(2025, 4, 20))
    assert (r["recency_days"], r["tenure_days"], r["active_months_12m"]) == (71, 416, 2)


def test_one_sale_without_margin(hand: pl.DataFrame) -> None:
    """Company 2: one sale of 100000 on T, margin unknown: margin_12m is null, no trend
    (nothing a year before), recency and tenure 0, one active month."""
    r = row(hand, 2)
    assert (r["revenue_12m"], r["margin_12m"], r["purchases"]) == (100000, None, 1)
    assert (r["trend_12m"], r["trend_3m_yoy"]) == (None, None)
    assert (r["recency_days"], r["tenure_days"], r["active_months_12m"]) == (0, 0, 1)
    assert r["best_year_revenue"] == 100000


def test_purchase_and_return_cancel_out_exactly(hand: pl.DataFrame) -> None:
    """Company 3: +50000 in January, -50000 in February: revenue and margin exactly 0.
    It did buy (one purchase); its best 12 months (ending January) were 50000."""
    r = row(hand, 3)
    assert (r["revenue_12m"], r["margin_12m"], r["lifetime_revenue"]) == (0, 0, 0)
    assert (r["purchases"], r["has_bought"], r["best_year_revenue"]) == (1, True, 50000)


def test_same_invoice_reversal_is_no_purchase(hand: pl.DataFrame) -> None:
    """Company 4: +30000 and -30000 on invoice D1 the same day: net 0, not a purchase."""
    r = row(hand, 4)
    assert (r["revenue_12m"], r["purchases"], r["has_bought"]) == (0, 0, False)
    assert (r["first_purchase"], r["recency_days"]) == (None, None)


def test_company_without_sales_and_sale_after_as_of(hand: pl.DataFrame) -> None:
    """Company 5 never bought; company 6 buys only after T: both are empty as of T."""
    for cid in (5, 6):
        r = row(hand, cid)
        assert (r["revenue_12m"], r["lifetime_revenue"], r["purchases"]) == (0, 0, 0)
        assert (r["has_bought"], r["best_year_revenue"], r["first_purchase"]) == (False, 0, None)


def test_as_of_before_first_sale() -> None:
    """As of 2024-01-01 no company has bought yet: every metric is zero or null."""
    facts = facts_from_lines(HAND_LINES)
    m = metrics_of(facts, date(2024, 1, 1))
    assert m["revenue_12m"].to_list() == [0, 0, 0, 0, 0]
    assert m["has_bought"].to_list() == [False] * 5


def test_edge_months_for_month_end_and_mid_month() -> None:
    """T = 2025-06-30: T, T-365d = 2024-06-30, T-730d = 2023-07-01, T-91d = 2025-03-31,
    T-456d = 2024-03-31. T = 2025-06-15: 2024-06-15, 2023-06-16, 2025-03-16, 2024-03-16."""
    assert edge_months(T) == [date(2023, 7, 1), date(2024, 3, 1), date(2024, 6, 1),
                              date(2025, 3, 1), date(2025, 6, 1)]
    assert edge_months(date(2025, 6, 15)) == [date(2023, 6, 1), date(2024, 3, 1),
                                              date(2024, 6, 1), date(2025, 3, 1),
                                              date(2025, 6, 1)]


def test_mid_month_window_uses_the_days_of_edge_months() -> None:
    """T = 2025-06-15, window (2024-06-15, 2025-06-15].

    Sales 2024-06-15 (100, outside), 2024-06-16 (200, inside), 2025-06-15 (400, inside),
    2025-06-16 (800, after T). revenue_12m = 600, revenue_prev_12m = 100; the month rollup alone
    (June 2024 = 300) could not split June 2024.
    """
    ls = lines([
        (1, date(2024, 6, 15), "a", 100, None),
        (1, date(2024, 6, 16), "b", 200, None),
        (1, date(2025, 6, 15), "c", 400, None),
        (1, date(2025, 6, 16), "d", 800, None),
    ])
    as_of = date(2025, 6, 15)
    m = metrics_of(facts_from_lines(ls, as_of=as_of), as_of)
    assert (m["revenue_12m"][0], m["revenue_prev_12m"][0]) == (600, 100)
    assert m["last_purchase"][0] == date(2025, 6, 15)


def test_daily_rows_replace_the_monthly_row() -> None:
    """A monthly row of 999 for June 2025 is replaced by its daily rows 10 + 20."""
    facts = PortfolioFacts.create(
        monthly=pl.DataFrame({"company_id": [1], "month": [date(2025, 6, 1)],
                              "revenue": [999], "invoices": [5]}),
        daily=pl.DataFrame({"company_id": [1, 1], "day": [date(2025, 6, 2), date(2025, 6, 3)],
                            "revenue": [10, 20], "invoices": [1, 1]}),
        companies=pl.DataFrame({"company_id": [1]}),
    )
    m = metrics_of(facts)
    assert (m["revenue_12m"][0], m["purchases"][0]) == (30, 2)


def test_missing_column_names_frame_and_column() -> None:
    with pytest.raises(ContractError, match="monthly: missing column 'revenue'"):
        PortfolioFacts.create(monthly=pl.DataFrame({"company_id": [1],
                                                    "month": [date(2025, 1, 1)]}))


def test_facts_from_lines_rollup() -> None:
    """Company 1's rollup: May-24 10000/3000/1 invoice, Aug-24 20000/6000/1, Apr-25 5000/1500/1,
    May-25 -2000/-600/0 invoices (credit note) with no purchase day."""
    facts = facts_from_lines(HAND_LINES.filter(pl.col("company_id") == 1))
    got = facts.monthly.select("month", "revenue", "margin", "invoices", "first_day").rows()
    assert got == [
        (date(2024, 5, 1), 10000, 3000, 1, date(2024, 5, 10)),
        (date(2024, 8, 1), 20000, 6000, 1, date(2024, 8, 15)),
        (date(2025, 4, 1), 5000, 1500, 1, date(2025, 4, 20)),
        (date(2025, 5, 1), -2000, -600, 0, None),
    ]
