"""Definition 6 (seed 004): contact cadence.

Seed 004: "Для категории А мы рекомендуем промежуток в 30 дней (звонок, визит). Для категории
В и С – 90 дней. Для категории D – 180 дней (электронное письмо)". next_due = last DONE
activity + cadence; overdue when next_due < T. A company never contacted is due on T itself
(not overdue: there is no missed date yet). Liquidated companies leave the list (no date).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from clientfocus.analytics.types import Settings

CHANNEL = {"A": "call_or_visit", "B": "call", "C": "call", "D": "email"}


def cadence(frame: pl.DataFrame, *, as_of: date, settings: Settings) -> pl.DataFrame:
    """Add cadence_days, contact_channel, next_due, overdue, days_overdue, cadence_code.

    Needs category, last_activity_date, liquidated.
    """
    days = (
        pl.col("category")
        .replace_strict(
            {"A": settings.cadence_a_days, "B": settings.cadence_b_days,
             "C": settings.cadence_c_days, "D": settings.cadence_d_days},
            default=settings.cadence_d_days, return_dtype=pl.Int32,
        )
    )
    live = ~pl.col("liquidated")
    last = pl.col("last_activity_date")
    due = (
        pl.when(~live).then(None)
        .when(last.is_null()).then(pl.lit(as_of))
        .otherwise(last + pl.duration(days=pl.col("cadence_days")))
    )
    return frame.with_columns(
        days.alias("cadence_days"),
        pl.col("category").replace_strict(CHANNEL, default="email").alias("contact_channel"),
    ).with_columns(due.alias("next_due")).with_columns(
        (pl.col("next_due") < as_of).fill_null(False).alias("overdue"),
    ).with_columns(
        pl.when(pl.col("overdue")).then((pl.lit(as_of) - pl.col("next_due")).dt.total_days())
        .otherwise(0).cast(pl.Int32).alias("days_overdue"),
        pl.when(~live).then(pl.lit("LIQUIDATED"))
        .when(last.is_null()).then(pl.lit("NEVER_CONTACTED"))
        .when(pl.col("next_due") < as_of).then(pl.lit("OVERDUE"))
        .otherwise(pl.lit("ON_SCHEDULE"))
        .alias("cadence_code"),
    )
