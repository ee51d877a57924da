"""Definition 1: client metrics as of T, from the dated sales events (see ``facts.sales_events``).

Performance: one pass over the event rows in numpy. Every per-company sum is an exact int64
``np.add.at`` (no float rounding of kopecks); first/last purchase use ``np.minimum.at`` /
``np.maximum.at``; the rolling "best year" and the month-to-month variation of definition 7 use
a dense company x month grid (companies x months of history, a few MB per 100,000 companies x
3 years). This replaces a polars group_by with a dozen filtered aggregations, which took ~1 s at
100,000 companies x 36 months on the 2-core reference machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from clientfocus.analytics.facts import SalesEvents, window_edges
from clientfocus.analytics.types import Settings

IntArray = npt.NDArray[np.int64]
EPOCH = date(1970, 1, 1)
_NO_DAY_MIN = np.iinfo(np.int32).max
_NO_DAY_MAX = np.iinfo(np.int32).min


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


@dataclass(frozen=True)
class MonthGrid:
    """Revenue per company (rows, aligned with the company ids) x calendar month (columns,
    column 0 = month index ``first``), up to T (the month of T is partial)."""

    first: int
    revenue: IntArray  # shape (companies, months), exact kopecks


def _day(d: date) -> int:
    return (d - EPOCH).days


def client_metrics(
    events: SalesEvents,
    company_ids: pl.Series,
    *,
    as_of: date,
    settings: Settings,
) -> tuple[pl.DataFrame, MonthGrid]:
    """One row per company id in ``company_ids`` (any order; output sorted by id) with the
    metrics of definition 1, and the month grid used by best year and definition 7.

    - revenue_12m: sales in (T-365d, T]; revenue_prev_12m: (T-730d, T-365d];
      revenue_3m: (T-91d, T]; revenue_3m_prev_year: (T-456d, T-365d]. Returns reduce revenue.
    - margin_12m: null when any margin inside the window is unknown.
    - best_year_revenue: the largest revenue of any 12 consecutive calendar months up to T,
      and at least revenue_12m and 0. Monthly granularity is enough for "best year" (it is a
      potential, not an accounting figure) and keeps the cost at companies x months.
    - purchases: invoices with a positive net amount; active_months_12m: calendar months of
      the 12-month window with a purchase (at most 12: the window touches 13 months).
    - recency_days / tenure_days: T minus the last / first purchase day.
    - trend_12m = revenue_12m / revenue_prev_12m - 1; trend_3m_yoy = revenue_3m /
      revenue_3m_prev_year - 1; null when the base is not positive.
    """
    ids = _sorted_unique(company_ids.cast(pl.Int64).to_numpy())
    ev_ids = events.company_id
    ci = _positions(ids, ev_ids)
    missing = ci < 0
    if missing.any():
        # Companies with sales but no attributes (rare): add them, then index again.
        ids = np.union1d(ids, np.unique(ev_ids[missing]))
        ci = _positions(ids, ev_ids)
    n = len(ids)
    e = window_edges(as_of, settings)
    day, rev, margin = events.day, events.revenue, events.margin
    margin_null, inv, mon = events.margin_null, events.invoices, events.month
    bought = inv > 0

    in_year = day > _day(e["year"])
    # Each row falls in at most one of (year, previous year) and one of (last 91 days, the
    # same 91 days a year before): two codes, and each sum is one unmasked add.at into an
    # (n, 3) table (column 0 = neither window), instead of a masked pass per window.
    code_y = np.where(in_year, 1, np.where(day > _day(e["prev_year"]), 2, 0))
    code_r = np.where(day > _day(e["recent"]), 1,
                      np.where((day > _day(e["recent_prev"])) & ~in_year, 2, 0))
    flat_y = ci * 3 + code_y
    flat_r = ci * 3 + code_r

    def by_code(flat: IntArray, values: IntArray) -> IntArray:
        out = np.zeros(n * 3, dtype=np.int64)
        np.add.at(out, flat, values)
        return out.reshape(n, 3)

    rev_y = by_code(flat_y, rev)
    rev_r = by_code(flat_r, rev)
    margin_y = by_code(flat_y, margin)
    null_y = by_code(flat_y, margin_null.astype(np.int64))
    revenue_12m = rev_y[:, 1]
    margin_12m = margin_y[:, 1]
    margin_unknown = null_y[:, 1] > 0
    first = np.full(n, _NO_DAY_MIN, dtype=np.int32)
    last = np.full(n, _NO_DAY_MAX, dtype=np.int32)
    np.minimum.at(first, ci[bought], events.first_day[bought])
    np.maximum.at(last, ci[bought], events.last_day[bought])
    has_bought = first != _NO_DAY_MIN

    purchases = np.zeros(n, dtype=np.int64)
    np.add.at(purchases, ci, inv)

    # active_months_12m: the window (T-365d, T] touches the 13 months T-12 .. T.
    t_month = month_index(as_of)
    act = np.zeros(n * 13, dtype=np.int64)
    sel = in_year & bought
    np.add.at(act, ci[sel] * 13 + (mon[sel] - (t_month - 12)), 1)
    active = np.minimum((act.reshape(n, 13) > 0).sum(axis=1), 12)

    # Dense month grid for the rolling best year (and definition 7's variation).
    m0 = int(np.min(mon)) if len(mon) else t_month
    width = t_month - m0 + 1
    grid = np.zeros(n * width, dtype=np.int64)
    np.add.at(grid, ci * width + (mon - m0), rev)
    grid2 = grid.reshape(n, width)
    best = np.maximum(_best_12_months(grid2), revenue_12m)

    as_of_day = _day(as_of)
    frame = pl.DataFrame({
        "company_id": ids,
        "revenue_12m": revenue_12m,
        "margin_12m": margin_12m,
        "_margin_unknown": margin_unknown,
        "revenue_prev_12m": rev_y[:, 2],
        "revenue_3m": rev_r[:, 1],
        "revenue_3m_prev_year": rev_r[:, 2],
        "best_year_revenue": best,
        "lifetime_revenue": rev_y.sum(axis=1),
        "_first": first,
        "_last": last,
        "purchases": purchases,
        "active_months_12m": active.astype(np.int32),
        "has_bought": has_bought,
    }).with_columns(
        pl.when(pl.col("_margin_unknown")).then(None).otherwise(pl.col("margin_12m"))
        .alias("margin_12m"),
        pl.when(pl.col("has_bought")).then(pl.col("_first")).otherwise(None).cast(pl.Date)
        .alias("first_purchase"),
        pl.when(pl.col("has_bought")).then(pl.col("_last")).otherwise(None).cast(pl.Date)
        .alias("last_purchase"),
        pl.when(pl.col("has_bought")).then(as_of_day - pl.col("_last")).otherwise(None)
        .cast(pl.Int32).alias("recency_days"),
        pl.when(pl.col("has_bought")).then(as_of_day - pl.col("_first")).otherwise(None)
        .cast(pl.Int32).alias("tenure_days"),
        _ratio_minus_one("revenue_12m", "revenue_prev_12m").alias("trend_12m"),
        _ratio_minus_one("revenue_3m", "revenue_3m_prev_year").alias("trend_3m_yoy"),
    ).drop("_margin_unknown", "_first", "_last")
    return frame, MonthGrid(first=m0, revenue=grid2)


def _sorted_unique(a: IntArray) -> IntArray:
    """np.unique without its hash table (slow at a million ids); free when already sorted."""
    if len(a) < 2 or bool(np.all(a[1:] > a[:-1])):
        return a
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def _best_12_months(grid: IntArray, rows_per_block: int = 65536) -> IntArray:
    """Largest sum of 12 consecutive columns per row (fewer columns: the whole row), at least
    0; cumulative sums block by block so that the temporaries stay in cache."""
    n, width = grid.shape
    best = np.zeros(n, dtype=np.int64)
    for start in range(0, n, rows_per_block):
        cs = np.cumsum(grid[start:start + rows_per_block], axis=1)
        head = cs[:, :min(12, width)].max(axis=1, initial=0)
        if width > 12:
            head = np.maximum(head, (cs[:, 12:] - cs[:, :-12]).max(axis=1))
        best[start:start + rows_per_block] = np.maximum(head, 0)
    return best


def _positions(ids: IntArray, values: IntArray) -> IntArray:
    """Index of each value in the sorted unique ``ids``, -1 when absent. A lookup table when
    the ids are dense enough (an O(1) gather), else a binary search."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(ids) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    lo, hi = int(ids[0]), int(ids[-1])
    vmin, vmax = int(np.min(values)), int(np.max(values))
    if lo >= 0 and vmin >= 0 and max(hi, vmax) <= 8 * len(ids) + 1_000_000:
        table = np.full(max(hi, vmax) + 1, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids), dtype=np.int64)
        return table[values]
    pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    return np.where(ids[pos] == values, pos, -1)


def _ratio_minus_one(num: str, den: str) -> pl.Expr:
    # A trend is only defined against a positive base: a client new this year has no trend.
    return (
        pl.when(pl.col(den) > 0)
        .then(pl.col(num).cast(pl.Float64) / pl.col(den).cast(pl.Float64) - 1.0)
        .otherwise(None)
    )
