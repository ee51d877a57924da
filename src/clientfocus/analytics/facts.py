"""Building and reading the sales facts: the monthly rollup plus the days of the edge months.

PRODUCT.md, "Storage and scale": the analysis reads the per-company monthly rollup, so its cost
grows with companies x months, not with sale lines; windows stay exact for any as-of date
because the months cut by a window edge are read at day granularity (:func:`edge_months`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from clientfocus.analytics.types import PortfolioFacts, Settings

IntArray = npt.NDArray[np.int64]
I32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


def month_start(d: date) -> date:
    return d.replace(day=1)


def window_edges(as_of: date, settings: Settings) -> dict[str, date]:
    """The exclusive lower bounds of the windows of definition 1 (each window is (edge, T])."""
    y = timedelta(days=settings.window_days)
    r = timedelta(days=settings.recent_days)
    return {
        "year": as_of - y,  # revenue_12m: (T-365d, T]
        "prev_year": as_of - 2 * y,  # revenue_prev_12m: (T-730d, T-365d]
        "recent": as_of - r,  # last 3 months: (T-91d, T]
        "recent_prev": as_of - y - r,  # same 3 months a year before: (T-456d, T-365d]
    }


def edge_months(as_of: date, settings: Settings | None = None) -> list[date]:
    """The months the loader must also fetch at day granularity, sorted, first days.

    Every window boundary (T and the lower bounds of :func:`window_edges`) may cut a month in
    two; the whole months between boundaries are answered by the rollup.
    """
    settings = settings or Settings()
    dates = [as_of, *window_edges(as_of, settings).values()]
    return sorted({month_start(d) for d in dates})


def facts_from_lines(
    lines: pl.DataFrame,
    *,
    as_of: date | None = None,
    settings: Settings | None = None,
    companies: pl.DataFrame | None = None,
    last_activity: pl.DataFrame | None = None,
) -> PortfolioFacts:
    """Roll raw sale lines up into the monthly + daily facts (CLI from files, tests).

    ``lines``: company_id, date, invoice, amount (Int64 kopecks; returns negative), margin
    (Int64 kopecks or null). An invoice counts as a purchase when its net amount that day is
    positive (a credit note for a return is not a purchase). With ``as_of`` only the edge
    months are kept in ``daily``; without it every day is kept (exact for any as-of date).
    """
    if "margin" not in lines.columns:
        lines = lines.with_columns(pl.lit(None, dtype=pl.Int64).alias("margin"))
    base = lines.select(
        pl.col("company_id").cast(pl.Int64),
        pl.col("date").cast(pl.Date).alias("day"),
        pl.col("invoice"),  # any dtype: only compared for equality
        pl.col("amount").cast(pl.Int64),
        pl.col("margin").cast(pl.Int64),
    )

    def exact_margin() -> pl.Expr:
        # A sum with an unknown part is unknown: null as soon as one margin is missing.
        return (
            pl.when(pl.col("margin").null_count() > 0)
            .then(pl.lit(None, dtype=pl.Int64))
            .otherwise(pl.col("margin").sum())
            .alias("margin")
        )

    per_invoice = base.group_by("company_id", "day", "invoice").agg(
        pl.col("amount").sum().alias("revenue"), exact_margin()
    )
    daily = (
        per_invoice.group_by("company_id", "day")
        .agg(
            pl.col("revenue").sum(),
            exact_margin(),
            (pl.col("revenue") > 0).sum().cast(pl.Int32).alias("invoices"),
        )
        .sort("company_id", "day")
    )
    monthly = (
        daily.with_columns(pl.col("day").dt.truncate("1mo").alias("month"))
        .group_by("company_id", "month")
        .agg(
            pl.col("revenue").sum(),
            exact_margin(),
            pl.col("invoices").sum().cast(pl.Int32),
            pl.col("day").filter(pl.col("invoices") > 0).min().alias("first_day"),
            pl.col("day").filter(pl.col("invoices") > 0).max().alias("last_day"),
        )
        .sort("company_id", "month")
    )
    if as_of is not None:
        keep = edge_months(as_of, settings)
        daily = daily.filter(pl.col("day").dt.truncate("1mo").is_in(keep))
    if companies is None:
        ids = monthly.select("company_id").unique().sort("company_id")
        companies = ids.with_columns(pl.lit("CLIENT").alias("status"))
    return PortfolioFacts.create(
        monthly=monthly, daily=daily, companies=companies, last_activity=last_activity
    )


@dataclass(frozen=True)
class SalesEvents:
    """Dated sales up to T as aligned numpy arrays (one element per event row).

    The rows are the monthly rows (dated to the 1st) of the months not in ``daily``, and the
    daily rows of the edge months. Every window edge falls inside an edge month, so a whole
    month is either wholly inside a window or wholly outside it and its date decides correctly.
    Days are days since 1970-01-01; month is year * 12 + month - 1.
    """

    company_id: IntArray
    month: IntArray
    day: I32Array
    revenue: IntArray
    margin: IntArray  # 0 where unknown
    margin_null: BoolArray
    invoices: IntArray
    first_day: I32Array  # first purchase day of the row (its date when unknown)
    last_day: I32Array

    def __len__(self) -> int:
        return len(self.company_id)


def sales_events(facts: PortfolioFacts, as_of: date) -> SalesEvents:
    """The monthly rollup with its edge months replaced by their days, up to T, as arrays.

    The monthly and daily parts are converted to numpy once each (zero-copy for
    contiguous integer columns) and the arrays are joined.
    """
    daily = facts.daily
    monthly = facts.monthly.filter(pl.col("month") <= as_of)
    if daily.height:
        # Only rows of the (few) months present in ``daily`` can be replaced: look those up,
        # not the whole rollup. Days after T still replace their month's row.
        dmonth = pl.col("day").dt.truncate("1mo")
        keys = daily.select("company_id", dmonth.alias("month"))  # anti-join: no unique
        in_daily = pl.col("month").is_in(keys["month"].unique().implode())
        monthly = pl.concat([
            monthly.filter(~in_daily),
            monthly.filter(in_daily).join(keys, on=["company_id", "month"], how="anti"),
        ])
        daily = daily.filter(pl.col("day") <= as_of)
    # Only casts in polars (Date -> Int32 days is zero-copy); month numbers come from numpy's
    # datetime64 arithmetic, cheaper than dt.year()/dt.month() on millions of rows.
    m = monthly.select(
        "company_id", pl.col("month").cast(pl.Int32).alias("d"), "revenue",
        pl.col("margin").fill_null(0).alias("margin"),
        pl.col("margin").is_null().alias("margin_null"), "invoices",
        pl.coalesce("first_day", "month").cast(pl.Int32).alias("fd"),
        pl.coalesce("last_day", "first_day", "month").cast(pl.Int32).alias("ld"),
    )
    d = daily.select(
        "company_id", pl.col("day").cast(pl.Int32).alias("d"), "revenue",
        pl.col("margin").fill_null(0).alias("margin"),
        pl.col("margin").is_null().alias("margin_null"), "invoices",
        pl.col("day").cast(pl.Int32).alias("fd"), pl.col("day").cast(pl.Int32).alias("ld"),
    )

    def col(name: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
        return np.concatenate([m[name].to_numpy(), d[name].to_numpy()]).astype(dtype,
                                                                                copy=False)

    days = col("d", np.int32)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return SalesEvents(
        company_id=col("company_id", np.int64), month=months,
        day=days, revenue=col("revenue", np.int64),
        margin=col("margin", np.int64), margin_null=col("margin_null", np.bool_),
        invoices=col("invoices", np.int64), first_day=col("fd", np.int32),
        last_day=col("ld", np.int32),
    )
