"""Definition 5 (seed 002): loyalty x profitability quadrants.

Seed 002: "Лояльность: насколько клиент вас любит, рекомендует, регулярно пользуется и
возвращается снова. Прибыльность: сколько денег он приносит компании."

Loyalty in [0, 1] is a weighted mean of four parts, each in [0, 1]:

- regularity   = active_months_12m / 12            ("регулярно пользуется")
- tenure       = min(tenure_days / 1095, 1)        (3 years of history count in full)
- recency      = max(0, 1 - recency_days / 365)    ("возвращается снова")
- relationship = (rating - 1) / 4                  (the seller's 1..5 rating: "любит, рекомендует")

with weights 0.4 / 0.2 / 0.2 / 0.2 (settings); a missing rating drops its weight and the others
are renormalised, so an unrated client is judged on its behaviour alone.
Profitability = margin_12m, or revenue_12m where the margin is unknown.
Each axis is split at the median (``quadrant_split_quantile``) of the buying clients
(revenue_12m > 0); a value equal to the median counts as high. Every company that has bought
gets a quadrant: I low/low, II loyal/low-profit, III loyal/profitable, IV profitable/not loyal.
"""

from __future__ import annotations

import polars as pl

from clientfocus.analytics.types import Settings, Text

# Seed 002, quadrant by quadrant: goals and actions (ru from the seed, en translated).
QUADRANT_GOALS: dict[str, Text] = {
    "I": Text(
        ru="Держать ровный и предсказуемо хороший уровень обслуживания; привлекать в эту группу "
        "как можно больше клиентов, чтобы увеличить поток входящих клиентов для последующих "
        "продаж.",
        en="Keep an even, predictably good level of service; bring as many clients as possible "
        "into this group to grow the inflow of clients for later sales.",
    ),
    "II": Text(
        ru="«Золотой фонд»: удержать лояльность; увеличить частоту и стоимость покупок; "
        "увеличить число рекомендаций и приток клиентов по сарафанному радио.",
        en="The golden reserve: keep their loyalty; raise purchase frequency and value; "
        "grow referrals and word-of-mouth clients.",
    ),
    "III": Text(
        ru="Наши 20% по Парето: удержание перспективных лояльных клиентов; стратегическое "
        "партнёрство win-win.",
        en="Our Pareto 20%: retain these loyal, promising clients; a win-win strategic "
        "partnership.",
    ),
    "IV": Text(
        ru="Понять, почему они ещё не с нами: исправить недостатки; информировать о лучших "
        "условиях; стимулировать регулярные покупки; перевести из безразличных в фанаты.",
        en="Find out why they are not ours yet: fix the shortcomings; tell them about better "
        "terms; encourage regular purchases; turn indifferent buyers into fans.",
    ),
}
QUADRANT_ACTIONS: dict[str, Text] = {
    "I": Text(
        ru="Массовое информирование; рекламные акции; сервис на хорошем уровне, но без "
        "фанатизма; при конфликте возможно прекращение отношений и перераспределение ресурсов.",
        en="Mass information; promotions; good service without fanaticism; in a conflict, "
        "ending the relationship and moving the resources to other groups is an option.",
    ),
    "II": Text(
        ru="Поддерживать интерес информационными поводами; стимулировать недорогие, но "
        "регулярные покупки.",
        en="Keep interest alive with news and occasions; encourage inexpensive but regular "
        "purchases.",
    ),
    "III": Text(
        ru="Обслуживать в первую очередь; постоянно высокое качество продукта и сервиса; "
        "приятные сюрпризы; программы лояльности; вау-эффекты.",
        en="Serve them first; consistently high product and service quality; pleasant "
        "surprises; loyalty programmes; wow effects.",
    ),
    "IV": Text(
        ru="Изучать потребности клиентов; собирать и обрабатывать обратную связь; изучать "
        "конкурентов; постоянно совершенствоваться.",
        en="Study the clients' needs; collect and act on feedback; study the competitors; "
        "keep improving.",
    ),
}
QUADRANT_NAMES: dict[str, Text] = {
    "I": Text(ru="I: низкая лояльность, низкая прибыльность",
              en="I: low loyalty, low profitability"),
    "II": Text(ru="II: высокая лояльность, низкая прибыльность («золотой фонд»)",
               en="II: loyal, low profitability (the golden reserve)"),
    "III": Text(ru="III: высокая лояльность, высокая прибыльность (VIP)",
                en="III: loyal and profitable (VIP)"),
    "IV": Text(ru="IV: низкая лояльность, высокая прибыльность (клиенты конкурентов)",
               en="IV: profitable, not loyal (competitors' clients)"),
}


def loyalty_expr(settings: Settings) -> pl.Expr:
    """The loyalty score (null for companies that never bought)."""
    reg = (pl.col("active_months_12m").cast(pl.Float64) / 12.0).clip(0.0, 1.0)
    ten = (pl.col("tenure_days").cast(pl.Float64) / settings.loyalty_tenure_full_days).clip(0, 1)
    rec = (1.0 - pl.col("recency_days").cast(pl.Float64)
           / settings.loyalty_recency_horizon_days).clip(0.0, 1.0)
    rel = ((pl.col("relationship").clip(1, 5).cast(pl.Float64) - 1.0) / 4.0)
    w_reg = settings.loyalty_weight_regularity
    w_ten = settings.loyalty_weight_tenure
    w_rec = settings.loyalty_weight_recency
    w_rel = settings.loyalty_weight_relationship
    base = w_reg * reg + w_ten * ten + w_rec * rec
    with_rel = (base + w_rel * rel) / (w_reg + w_ten + w_rec + w_rel)
    without = base / (w_reg + w_ten + w_rec)
    return (
        pl.when(~pl.col("has_bought")).then(None)
        .when(rel.is_null()).then(without)
        .otherwise(with_rel)
        .alias("loyalty")
    )


def quadrants(frame: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, float | None,
                                                                  float | None]:
    """Add loyalty, profitability, quadrant; return the frame and the two split values."""
    out = frame.with_columns(
        loyalty_expr(settings),
        pl.coalesce("margin_12m", "revenue_12m").alias("profitability"),
    )
    buying = out.filter(pl.col("revenue_12m") > 0)
    q = settings.quadrant_split_quantile
    if buying.height:
        l_split = buying["loyalty"].quantile(q, interpolation="linear")
        p_split = buying["profitability"].cast(pl.Float64).quantile(q, interpolation="linear")
    else:
        l_split = p_split = None
    if l_split is None or p_split is None:
        return out.with_columns(pl.lit(None, dtype=pl.String).alias("quadrant")), None, None
    loyal = pl.col("loyalty") >= l_split
    profitable = pl.col("profitability").cast(pl.Float64) >= p_split
    quad = (
        pl.when(~pl.col("has_bought")).then(None)
        .when(loyal & profitable).then(pl.lit("III"))
        .when(loyal).then(pl.lit("II"))
        .when(profitable).then(pl.lit("IV"))
        .otherwise(pl.lit("I"))
    )
    return out.with_columns(quad.alias("quadrant")), float(l_split), float(p_split)


def quadrant_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts and revenue per quadrant, with each quadrant's goals and actions (seed 002)."""
    counts = (
        frame.filter(pl.col("quadrant").is_not_null())
        .group_by("quadrant")
        .agg(pl.len().alias("companies"), pl.col("revenue_12m").sum().alias("revenue_12m"),
             pl.col("profitability").sum().alias("profitability"))
    )
    base = pl.DataFrame({
        "quadrant": list(QUADRANT_NAMES),
        "name_ru": [t.ru for t in QUADRANT_NAMES.values()],
        "name_en": [t.en for t in QUADRANT_NAMES.values()],
        "goals_ru": [t.ru for t in QUADRANT_GOALS.values()],
        "goals_en": [t.en for t in QUADRANT_GOALS.values()],
        "actions_ru": [t.ru for t in QUADRANT_ACTIONS.values()],
        "actions_en": [t.en for t in QUADRANT_ACTIONS.values()],
    })
    return base.join(counts, on="quadrant", how="left").with_columns(
        pl.col("companies").fill_null(0).cast(pl.Int64),
        pl.col("revenue_12m").fill_null(0),
        pl.col("profitability").fill_null(0),
    ).select("quadrant", "companies", "revenue_12m", "profitability", "name_ru", "name_en",
             "goals_ru", "goals_en", "actions_ru", "actions_en")
