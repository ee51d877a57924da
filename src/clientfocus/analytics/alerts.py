"""Definition 7 (seed 004): falling revenue alerts.

Seed 004: "отслеживать падение уровня доходности от того или иного клиента и запрашивать у
своих заказчиков обратную связь. Что мы как вендор могли бы сделать для вас лучше ...? Какие
новые задачи и потребности у клиента сейчас возникают?"

Rule (both must hold, liquidated companies excluded):

1. trend_3m_yoy <= alert_drop (-20%): the last 91 days against the same 91 days a year before;
2. the drop is large against the company's own variation:
   z = (revenue_3m_prev_year - revenue_3m) / (sigma_month * sqrt(3)) >= alert_min_z (1.5),
   where sigma_month is the sample standard deviation of the company's calendar-month revenue
   over the baseline: the ``alert_baseline_months`` (21) months from month(T)-24 to
   month(T)-4 (before the recent window, so the drop does not inflate its own yardstick),
   counting months without sales as 0 but not months before the first purchase.
   sqrt(3) scales a one-month deviation to a 3-month sum (independent months). A perfectly
   steady client (sigma 0) alerts on any drop; with fewer than 3 baseline months the
   percentage alone decides (code ALERT_NO_BASELINE).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl

from clientfocus.analytics.metrics import MonthGrid, month_index
from clientfocus.analytics.types import Settings


def variation(metrics: pl.DataFrame, grid: MonthGrid, *, as_of: date,
              settings: Settings) -> pl.DataFrame:
    """company_id, sigma_month (Float64 kopecks), baseline_months.

    ``metrics`` is the frame of ``client_metrics`` (rows aligned with ``grid``)."""
    end = month_index(as_of) - 4
    start = end - settings.alert_baseline_months + 1
    n, width = grid.revenue.shape
    first = metrics["first_purchase"]
    fm = (first.dt.year().cast(pl.Int64) * 12 + first.dt.month().cast(pl.Int64) - 1)
    fm_np = fm.fill_null(end + 1).to_numpy()
    eff_start = np.maximum(start, fm_np)
    months = np.maximum(end - eff_start + 1, 0)
    lo, hi = max(start - grid.first, 0), min(end - grid.first, width - 1)
    if hi >= lo:
        block = grid.revenue[:, lo:hi + 1].astype(np.float64)
        cols = np.arange(lo, hi + 1) + grid.first
        block = np.where(cols[None, :] >= eff_start[:, None], block, 0.0)
        s1 = block.sum(axis=1)
        s2 = (block**2).sum(axis=1)
    else:
        s1 = s2 = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (s2 - s1**2 / months) / (months - 1)
    sigma = np.sqrt(np.clip(var, 0.0, None))
    return pl.DataFrame({
        "company_id": metrics["company_id"],
        "sigma_month": np.where(months >= 3, sigma, np.nan),
        "baseline_months": months.astype(np.int32),
    }).with_columns(pl.col("sigma_month").fill_nan(None))


def alerts(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Add revenue_drop, drop_z, alert, alert_code. Needs trend_3m_yoy, revenue_3m,
    revenue_3m_prev_year, sigma_month, liquidated."""
    drop = (pl.col("revenue_3m_prev_year") - pl.col("revenue_3m"))
    scale = pl.col("sigma_month") * math.sqrt(3.0)
    z = (
        pl.when(pl.col("sigma_month").is_null()).then(None)
        .when(scale > 0).then(drop.cast(pl.Float64) / scale)
        .when(drop > 0).then(pl.lit(float("inf")))
        .otherwise(pl.lit(0.0))
    )
    # trend_3m_yoy <= alert_drop, compared without the float round-off of a ratio minus one
    # (24000 / 30000 - 1 is -0.19999999999999996 in binary floating point).
    falling = ((pl.col("revenue_3m_prev_year") > 0)
               & (pl.col("revenue_3m").cast(pl.Float64)
                  <= (1.0 + settings.alert_drop) * pl.col("revenue_3m_prev_year")))
    large = (pl.col("drop_z") >= settings.alert_min_z).fill_null(True)
    return frame.with_columns(drop.alias("revenue_drop"), z.alias("drop_z")).with_columns(
        (falling & large & ~pl.col("liquidated")).alias("alert"),
    ).with_columns(
        pl.when(~pl.col("alert")).then(None)
        .when(pl.col("drop_z").is_null()).then(pl.lit("ALERT_NO_BASELINE"))
        .otherwise(pl.lit("ALERT_FALLING_REVENUE"))
        .alias("alert_code"),
    )
