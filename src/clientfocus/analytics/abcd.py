"""Definition 3 (seed 004): categories A/B/C/D by potential, not by past revenue.

Seed 004: "Вычислите максимальную ежегодную сумму дохода, которую приносят вам имеющиеся
клиенты ... похожи на ваших ведущих клиентов. Всю эту благодатную нишу мы называем Категория А
... 60% от дохода представителей категории А ... Категория B ... 30% ... Категория С ...
никогда у вас ничего не покупали и даже не давали радужных перспектив ... Категория D".

- A_level = median revenue_12m of the key accounts (the "leading clients", definition 2).
- potential = max(best_year_revenue, lookalike_potential); no lookalike figure -> best year.
- A: potential >= category_a_share * A_level; B: >= category_b_share * A_level ("60% of A",
  0.45 by default as the midpoint between the seed's 60% and 30% bands);
  C: below B but the company has bought; D: below B and never bought.
  A never-bought company whose lookalikes are leading clients is A (seed 004: the "благодатная
  ниша" of companies like the leading clients); D is "never bought and no bright prospects".
- Without key accounts (no sales in 12 months) there is no A_level: buyers are C, others D.
"""

from __future__ import annotations

import polars as pl

from clientfocus.analytics.types import Settings


def a_level(frame: pl.DataFrame) -> int | None:
    """Median revenue_12m of the key accounts, rounded to whole kopecks (None without any)."""
    key = frame.filter(pl.col("key_account").fill_null(False))["revenue_12m"]
    if key.len() == 0:
        return None
    med = key.median()
    assert isinstance(med, (int, float))
    return round(med)


def categorise(frame: pl.DataFrame, level: int | None, settings: Settings) -> pl.DataFrame:
    """Add potential, potential_source (BEST_YEAR/LOOKALIKE), category and category_code.

    Needs best_year_revenue, lookalike_potential, has_bought.
    """
    lookalike = pl.col("lookalike_potential")
    best = pl.col("best_year_revenue")
    out = frame.with_columns(
        pl.max_horizontal(best, lookalike.fill_null(0)).alias("potential"),
        pl.when(lookalike.is_not_null() & (lookalike > best))
        .then(pl.lit("LOOKALIKE"))
        .otherwise(pl.lit("BEST_YEAR"))
        .alias("potential_source"),
    )
    if level is None:
        cat = pl.when(pl.col("has_bought")).then(pl.lit("C")).otherwise(pl.lit("D"))
        code = pl.when(pl.col("has_bought")).then(pl.lit("C_NO_A_LEVEL")).otherwise(
            pl.lit("D_NEVER_BOUGHT"))
    else:
        a_min = settings.category_a_share * level
        b_min = settings.category_b_share * level
        pot = pl.col("potential").cast(pl.Float64)
        cat = (
            pl.when(pot >= a_min).then(pl.lit("A"))
            .when(pot >= b_min).then(pl.lit("B"))
            .when(pl.col("has_bought")).then(pl.lit("C"))
            .otherwise(pl.lit("D"))
        )
        code = (
            pl.when(cat == "D").then(pl.lit("D_NEVER_BOUGHT"))
            .otherwise(pl.format("{}_{}", cat, pl.col("potential_source")))
        )
    return out.with_columns(cat.alias("category")).with_columns(code.alias("category_code"))
