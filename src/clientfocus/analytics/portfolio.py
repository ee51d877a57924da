"""Runs the definitions of PRODUCT.md in order and returns one frozen :class:`PortfolioReport`.

Order matters: metrics (1) -> Pareto (2) -> lookalike potential, A_level, categories (3) ->
temperature (4) -> quadrants (5) -> cadence (6) -> alerts (7) -> top-10 (8) -> prospects (9,
which need quadrant III) -> BG/NBD + Gamma-Gamma (10).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import polars as pl

from clientfocus.analytics import reasons as rs
from clientfocus.analytics.abcd import a_level, categorise
from clientfocus.analytics.alerts import alerts, variation
from clientfocus.analytics.btyd import expected_future
from clientfocus.analytics.cadence import cadence
from clientfocus.analytics.facts import sales_events
from clientfocus.analytics.formatting import fixed
from clientfocus.analytics.lookalike import lookalike_potential, lookalike_prospects
from clientfocus.analytics.metrics import client_metrics
from clientfocus.analytics.pareto import pareto_ranking
from clientfocus.analytics.quadrants import quadrant_summary, quadrants
from clientfocus.analytics.temperature import temperature, temperature_map
from clientfocus.analytics.topten import top_ten
from clientfocus.analytics.types import PortfolioFacts, PortfolioReport, Settings

CATEGORIES = ("A", "B", "C", "D")

COMPANY_COLUMNS = (
    # identity and firmographics
    "company_id", "name", "inn", "industry", "region", "employees", "size_band", "status",
    "liquidated", "owner_id", "owner_name", "relationship",
    # definition 1
    "revenue_12m", "margin_12m", "revenue_prev_12m", "revenue_3m", "revenue_3m_prev_year",
    "best_year_revenue", "lifetime_revenue", "first_purchase", "last_purchase", "purchases",
    "active_months_12m", "recency_days", "tenure_days", "trend_12m", "trend_3m_yoy", "has_bought",
    # definition 2
    "pareto_rank", "cumulative_share", "key_account",
    # definition 3
    "lookalike_potential", "lookalike_neighbours", "lookalike_same_industry",
    "lookalike_same_region", "lookalike_size_min", "lookalike_size_max", "potential",
    "potential_source", "category", "category_code",
    # definition 4
    "temperature", "temperature_colour", "a_problem",
    # definition 5
    "loyalty", "profitability", "quadrant",
    # definition 6
    "last_activity_date", "cadence_days", "contact_channel", "next_due", "overdue",
    "days_overdue", "cadence_code",
    # definition 7
    "sigma_month", "baseline_months", "revenue_drop", "drop_z", "alert", "alert_code",
    # definition 10
    "expected_purchases_12m", "expected_revenue_12m", "p_alive",
)
_BTYD_INPUTS = ("company_id", "first_purchase", "last_purchase", "lifetime_revenue", "purchases")
REASON_COLUMNS = (
    "reason_codes",
    "category_reason_ru", "category_reason_en", "temperature_reason_ru", "temperature_reason_en",
    "quadrant_reason_ru", "quadrant_reason_en", "cadence_reason_ru", "cadence_reason_en",
    "alert_reason_ru", "alert_reason_en",
)


def analyse_portfolio(
    facts: PortfolioFacts,
    *,
    as_of: date,
    settings: Settings | None = None,
    with_reasons: bool = True,
    with_btyd: bool | None = None,
) -> PortfolioReport:
    """Every definition of PRODUCT.md "Definitions (the analytics)" as of ``as_of``.

    ``with_reasons=False`` skips the sentences (codes stay); ``with_btyd`` overrides
    ``settings.btyd_enabled`` (definition 10 is the only model fit, and the slowest step).
    """
    settings = settings or Settings()
    settings.validate()
    btyd_on = settings.btyd_enabled if with_btyd is None else with_btyd
    notes: list[str] = []

    events = sales_events(facts, as_of)
    attrs = facts.companies

    # Definition 1 (client_metrics adds companies that have sales but no attributes)
    frame, grid = client_metrics(events, attrs["company_id"], as_of=as_of, settings=settings)
    unknown = frame.height - attrs.height
    if unknown:
        notes.append(f"{unknown} companies have sales but no attributes")
    var = variation(frame, grid, as_of=as_of, settings=settings)
    del grid
    frame = frame.join(attrs, on="company_id", how="left").with_columns(
        pl.col("liquidated").fill_null(False),
        pl.col("status").fill_null("CLIENT"),
        pl.col("name").fill_null(pl.col("company_id").cast(pl.String)),
    )
    frame = frame.join(facts.last_activity.filter(pl.col("last_activity_date") <= as_of)
                       .group_by("company_id").agg(pl.col("last_activity_date").max()),
                       on="company_id", how="left")

    # Definition 10 needs only definition 1's figures: its model fit (scipy, mostly outside
    # the GIL) runs in a second thread beside definitions 2-9.
    pool = ThreadPoolExecutor(max_workers=1) if btyd_on else None
    btyd = pool.submit(expected_future, frame.select(_BTYD_INPUTS), as_of=as_of,
                       settings=settings) if pool else None

    # Definition 2
    ranks, pareto = pareto_ranking(frame, settings)
    frame = frame.join(ranks, on="company_id", how="left").with_columns(
        pl.col("key_account").fill_null(False))

    # Definition 3
    look = lookalike_potential(
        frame.select("company_id", "industry", "region", "employees", "size_band",
                     "revenue_12m"),
        settings,
    )
    frame = frame.join(look, on="company_id", how="left")
    level = a_level(frame)
    frame = categorise(frame, level, settings)

    # Definitions 4-7
    frame = temperature(frame, settings)
    frame, l_split, p_split = quadrants(frame, settings)
    frame = cadence(frame, as_of=as_of, settings=settings)
    frame = alerts(frame.join(var, on="company_id", how="left"), settings)

    # Definition 10
    fit = None
    if btyd is not None and pool is not None:
        future, fit = btyd.result()
        pool.shutdown()
        frame = frame.join(future, on="company_id", how="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("expected_purchases_12m"),
            pl.lit(None, dtype=pl.Int64).alias("expected_revenue_12m"),
            pl.lit(None, dtype=pl.Float64).alias("p_alive"),
        )

    frame = frame.select(COMPANY_COLUMNS)
    if with_reasons:
        names = rs.neighbour_names(frame, "lookalike_neighbours", "_neighbour_names",
                                   frame.select("company_id", "name"))
        frame = (
            frame.join(names, on="company_id", how="left")
            .with_columns(
                rs.reason_codes(),
                *rs.category_reasons(level, settings),
                *rs.temperature_reasons(settings),
                *rs.quadrant_reasons(l_split, p_split, settings),
                *rs.cadence_reasons(),
                *rs.alert_reasons(settings),
            )
            .drop("_neighbour_names")
        )
    else:
        frame = frame.with_columns(rs.reason_codes())

    # Definition 9 (needs quadrant III)
    best = frame.filter(pl.col("key_account") | (pl.col("quadrant") == "III"))["company_id"]
    prospects = lookalike_prospects(
        frame.select("company_id", "industry", "region", "employees", "size_band", "status",
                     "liquidated"),
        best, settings,
    )
    prospects = _describe_prospects(prospects, frame)

    return PortfolioReport(
        as_of=as_of,
        settings=settings,
        companies=frame,
        a_level=level,
        pareto=pareto,
        categories=category_summary(frame),
        quadrants=quadrant_summary(frame),
        temperature_map=temperature_map(frame),
        top10=top_ten(frame, settings),
        alerts=_alert_list(frame, with_reasons),
        prospects=prospects,
        btyd=fit,
        notes=tuple(notes),
        loyalty_split=l_split,
        profit_split=p_split,
    )


def category_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts and revenue shares per category, and potential against actual revenue."""
    total_n = max(frame.height, 1)
    total_rev = frame.filter(pl.col("revenue_12m") > 0)["revenue_12m"].sum() or 0
    agg = frame.group_by("category").agg(
        pl.len().alias("companies"),
        pl.col("revenue_12m").sum().alias("revenue_12m"),
        pl.col("potential").sum().alias("potential"),
        pl.col("has_bought").sum().cast(pl.Int64).alias("buyers"),
        pl.col("a_problem").sum().cast(pl.Int64).alias("not_red"),
    )
    base = pl.DataFrame({"category": list(CATEGORIES)})
    return base.join(agg, on="category", how="left").with_columns(
        pl.col("companies").fill_null(0).cast(pl.Int64),
        pl.col("revenue_12m").fill_null(0),
        pl.col("potential").fill_null(0),
        pl.col("buyers").fill_null(0),
        pl.col("not_red").fill_null(0),
    ).with_columns(
        (pl.col("companies") / total_n).alias("share_of_companies"),
        (pl.col("revenue_12m").cast(pl.Float64) / total_rev if total_rev else pl.lit(0.0))
        .alias("revenue_share"),
        pl.when(pl.col("potential") > 0)
        .then(pl.col("revenue_12m").cast(pl.Float64) / pl.col("potential"))
        .otherwise(None).alias("actual_to_potential"),
        (pl.col("potential") - pl.col("revenue_12m")).alias("untapped"),
    )


# The Django selectors imported the private name first; kept as an alias.
_category_summary = category_summary


def _alert_list(frame: pl.DataFrame, with_reasons: bool) -> pl.DataFrame:
    cols = ["company_id", "name", "owner_id", "owner_name", "category", "revenue_3m",
            "revenue_3m_prev_year", "trend_3m_yoy", "revenue_drop", "drop_z", "p_alive",
            "alert_code"]
    if with_reasons:
        cols += ["alert_reason_ru", "alert_reason_en"]
    return (frame.filter(pl.col("alert")).sort(["revenue_drop", "company_id"],
                                               descending=[True, False]).select(cols))


def _describe_prospects(prospects: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    info = frame.select("company_id", "name", "status", "owner_id", "owner_name",
                        "lookalike_potential", "category")
    names = rs.neighbour_names(prospects, "similar_to", "similar_to_names",
                               frame.select("company_id", "name"))
    out = prospects.join(info, on="company_id", how="left").join(names, on="company_id",
                                                                  how="left")
    return out.with_columns(
        pl.format("Похожа на лучших клиентов: {} (сходство {}).", pl.col("similar_to_names"),
                  fixed(pl.col("similarity"), 2)).alias("reason_ru"),
        pl.format("Looks like your best clients: {} (similarity {}).",
                  pl.col("similar_to_names"), fixed(pl.col("similarity"), 2))
        .alias("reason_en"),
    ).sort(["similarity", "company_id"], descending=[True, False])
