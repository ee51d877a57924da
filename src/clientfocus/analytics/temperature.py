"""Definition 4 (seed 004): temperature = revenue_12m / potential, for companies that bought.

Seed 004: "Категория А вся должна быть закрашена красным цветом ... синим цветом (близкий к
замерзанию)". Red >= 0.8, orange >= 0.5, yellow >= 0.3, blue below. A never-bought company
has no temperature. An A company that is not red is a problem to act on (``a_problem``).
"""

from __future__ import annotations

import polars as pl

from clientfocus.analytics.types import Settings

COLOURS = ("red", "orange", "yellow", "blue")


def temperature(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Add temperature (Float64), temperature_colour, a_problem. Needs revenue_12m, potential,
    has_bought, category."""
    t = pl.col("temperature")
    return frame.with_columns(
        pl.when(pl.col("has_bought") & (pl.col("potential") > 0))
        .then(pl.col("revenue_12m").cast(pl.Float64) / pl.col("potential").cast(pl.Float64))
        .when(pl.col("has_bought"))
        .then(pl.lit(0.0))
        .otherwise(None)
        .alias("temperature")
    ).with_columns(
        pl.when(t.is_null()).then(None)
        .when(t >= settings.temperature_red).then(pl.lit("red"))
        .when(t >= settings.temperature_orange).then(pl.lit("orange"))
        .when(t >= settings.temperature_yellow).then(pl.lit("yellow"))
        .otherwise(pl.lit("blue"))
        .alias("temperature_colour"),
    ).with_columns(
        ((pl.col("category") == "A") & pl.col("has_bought")
         & (pl.col("temperature_colour") != "red")).fill_null(False).alias("a_problem"),
    )


def temperature_map(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells grouped by seller and category: counts per colour, A-not-red problems, revenue.

    Never-bought companies are counted under ``no_sales``.
    """
    colour = pl.col("temperature_colour")
    return (
        frame.group_by("owner_id", "owner_name", "category")
        .agg(
            pl.len().alias("companies"),
            *[(colour == c).sum().cast(pl.Int64).alias(c) for c in COLOURS],
            colour.is_null().sum().cast(pl.Int64).alias("no_sales"),
            pl.col("a_problem").sum().cast(pl.Int64).alias("a_not_red"),
            pl.col("revenue_12m").sum().alias("revenue_12m"),
            pl.col("potential").sum().alias("potential"),
        )
        .sort(["owner_name", "owner_id", "category"], nulls_last=True)
    )
