"""Facts in, results out, and the settings: the data contract of the analytics engine.

The engine is framework-free: the Django side (``portfolio/loaders.py``) and the file-based
CLI (``facts_from_lines``) both build a :class:`PortfolioFacts` and call
``analyse_portfolio(facts, as_of=..., settings=...)``.

Input contract (every frame is a polars DataFrame; extra columns are ignored)
---------------------------------------------------------------------------

``monthly`` — one row per company x calendar month with sales (the rollup):

=============  ============  ==============================================================
company_id     Int64
month          Date          first day of the month
revenue        Int64         kopecks (minor units), net of returns (returns are negative lines)
margin         Int64 | null  kopecks; null when the margin of any line that month is unknown
invoices       Int32         distinct invoices that month with a positive net amount
first_day      Date | null   optional: first day of the month with such an invoice
last_day       Date | null   optional: last day of the month with such an invoice
=============  ============  ==============================================================

``first_day``/``last_day`` make first purchase, last purchase and recency exact to the day
for any as-of date; without them a month's purchases are dated to its first day.

``daily`` — the same columns with ``day`` (Date) instead of ``month``, one row per company x
day with sales, only for the months returned by :func:`clientfocus.analytics.facts.edge_months`
(the months cut by a window edge). PRODUCT.md: "the rollup answers the whole months inside a
window, and the two partial months at its edges are summed from the sale lines". For every
(company, month) present in ``daily`` the daily rows replace the monthly row.

``companies`` — one row per company (companies without sales included):
company_id Int64, name Utf8, inn Utf8, industry Utf8|null, region Utf8|null,
employees Int64|null, size_band Utf8|null (e.g. "200-500"), status Utf8
(SUSPECT/PROSPECT/CLIENT/LOYAL), liquidated Boolean, owner_id Int64|null,
owner_name Utf8|null, relationship Int64|null (the seller's rating 1..5).

``last_activity`` — company_id Int64, last_activity_date Date (the last DONE activity).

The as-of date T and the :class:`Settings` are parameters, never ``now()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

MONTHLY_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.Int64(),
    "month": pl.Date(),
    "revenue": pl.Int64(),
    "margin": pl.Int64(),
    "invoices": pl.Int32(),
}
DAILY_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.Int64(),
    "day": pl.Date(),
    "revenue": pl.Int64(),
    "margin": pl.Int64(),
    "invoices": pl.Int32(),
}
COMPANIES_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.Int64(),
    "name": pl.String(),
    "inn": pl.String(),
    "industry": pl.String(),
    "region": pl.String(),
    "employees": pl.Int64(),
    "size_band": pl.String(),
    "status": pl.String(),
    "liquidated": pl.Boolean(),
    "owner_id": pl.Int64(),
    "owner_name": pl.String(),
    "relationship": pl.Int64(),
}
LAST_ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.Int64(),
    "last_activity_date": pl.Date(),
}
STATUSES = ("SUSPECT", "PROSPECT", "CLIENT", "LOYAL")


class ContractError(ValueError):
    """A facts frame does not follow the input contract (the message names frame and column)."""


def _conform(df: pl.DataFrame, schema: dict[str, pl.DataType], frame: str,
             optional: tuple[str, ...] = ()) -> pl.DataFrame:
    """Select and cast the contract columns; a missing required column is a ContractError."""
    exprs: list[pl.Expr] = []
    for name, dtype in schema.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype))
        elif name in optional:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        else:
            raise ContractError(f"{frame}: missing column {name!r}")
    return df.select(exprs)


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class PortfolioFacts:
    """Everything the analysis reads. Build it with :meth:`create` (casts and checks columns)."""

    monthly: pl.DataFrame
    daily: pl.DataFrame
    companies: pl.DataFrame
    last_activity: pl.DataFrame

    @classmethod
    def create(
        cls,
        *,
        monthly: pl.DataFrame | None = None,
        daily: pl.DataFrame | None = None,
        companies: pl.DataFrame | None = None,
        last_activity: pl.DataFrame | None = None,
    ) -> PortfolioFacts:
        m_schema = {**MONTHLY_SCHEMA, "first_day": pl.Date(), "last_day": pl.Date()}
        d_schema = {**DAILY_SCHEMA}
        monthly_df = (
            empty_frame(m_schema) if monthly is None
            else _conform(monthly, m_schema, "monthly", optional=("margin", "first_day", "last_day"))
        )
        daily_df = (
            empty_frame(d_schema) if daily is None
            else _conform(daily, d_schema, "daily", optional=("margin",))
        )
        companies_df = (
            empty_frame(COMPANIES_SCHEMA) if companies is None
            else _conform(
                companies, COMPANIES_SCHEMA, "companies",
                optional=tuple(c for c in COMPANIES_SCHEMA if c != "company_id"),
            )
        )
        if companies_df.height:
            companies_df = companies_df.with_columns(
                pl.col("liquidated").fill_null(False),
                pl.col("status").fill_null("CLIENT"),
                pl.col("name").fill_null(pl.col("company_id").cast(pl.String)),
            )
            if companies_df["company_id"].is_duplicated().any():
                raise ContractError("companies: duplicate company_id")
        activity_df = (
            empty_frame(LAST_ACTIVITY_SCHEMA) if last_activity is None
            else _conform(last_activity, LAST_ACTIVITY_SCHEMA, "last_activity")
        )
        return cls(monthly=monthly_df, daily=daily_df, companies=companies_df,
                   last_activity=activity_df)


@dataclass(frozen=True)
class Settings:
    """Every threshold of PRODUCT.md "Definitions", with its default; stored per installation.

    Serialise with :meth:`to_dict` / :meth:`from_dict` (plain JSON types only).
    """

    currency: str = "RUB"
    # Windows (definition 1): 12 months = 365 days, "last 3 months" = 91 days.
    window_days: int = 365
    recent_days: int = 91
    # Definition 2, seed 002: key accounts make 80% of revenue.
    pareto_share: float = 0.8
    # Definition 3, seed 004: A >= 0.8 A_level, B >= 0.45 A_level ("60% of A").
    category_a_share: float = 0.8
    category_b_share: float = 0.45
    # Lookalike potential: 75th percentile of revenue_12m of the k nearest buying neighbours.
    lookalike_k: int = 10
    lookalike_percentile: float = 75.0
    lookalike_min_neighbours: int = 3
    # Distance = w_ind*[industry differs] + w_reg*[region differs] + w_size*|log10 size ratio|;
    # neighbours farther than this are not "like" the company.
    lookalike_max_distance: float = 3.0
    lookalike_weight_industry: float = 2.0
    lookalike_weight_region: float = 1.0
    lookalike_weight_size: float = 1.0
    # Definition 4, seed 004: temperature colours.
    temperature_red: float = 0.8
    temperature_orange: float = 0.5
    temperature_yellow: float = 0.3
    # Definition 5, seed 002: loyalty weights (renormalised when the rating is missing).
    loyalty_weight_regularity: float = 0.4
    loyalty_weight_tenure: float = 0.2
    loyalty_weight_recency: float = 0.2
    loyalty_weight_relationship: float = 0.2
    loyalty_tenure_full_days: int = 1095
    loyalty_recency_horizon_days: int = 365
    # Each axis is split at this quantile of the buying clients (0.5 = the median).
    quadrant_split_quantile: float = 0.5
    # Definition 6, seed 004: contact cadence in days.
    cadence_a_days: int = 30
    cadence_b_days: int = 90
    cadence_c_days: int = 90
    cadence_d_days: int = 180
    # Definition 7, seed 004: alert when trend_3m_yoy <= -20% and the drop is at least
    # alert_min_z times the usual variation of a 3-month sum (sigma_month * sqrt(3)).
    alert_drop: float = -0.20
    alert_min_z: float = 1.5
    alert_baseline_months: int = 21
    # Definition 8, seed 001.
    top_n: int = 10
    # Definition 9: similarity of prospects to the best clients.
    prospects_k: int = 3
    prospects_limit: int = 100
    # Definition 10: BG/NBD + Gamma-Gamma.
    btyd_enabled: bool = True
    btyd_horizon_days: int = 365
    btyd_max_fit_customers: int = 20000
    btyd_seed: int = 20050101

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Build from a stored dict: unknown keys are ignored, missing keys take defaults."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            default = known[key].default
            if isinstance(default, bool):
                kwargs[key] = (value.strip().lower() in ("1", "true", "yes", "on")
                               if isinstance(value, str) else bool(value))
            elif isinstance(default, int):
                kwargs[key] = int(value)
            elif isinstance(default, float):
                kwargs[key] = float(value)
            else:
                kwargs[key] = str(value)
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def validate(self) -> None:
        if not 0 < self.pareto_share <= 1:
            raise ValueError("pareto_share must be in (0, 1]")
        if not 0 <= self.category_b_share <= self.category_a_share:
            raise ValueError("need 0 <= category_b_share <= category_a_share")
        if not 0 <= self.temperature_yellow <= self.temperature_orange <= self.temperature_red:
            raise ValueError("need yellow <= orange <= red temperature thresholds")
        if self.lookalike_k < 1 or not 0 <= self.lookalike_percentile <= 100:
            raise ValueError("lookalike_k >= 1 and 0 <= lookalike_percentile <= 100")
        if min(self.cadence_a_days, self.cadence_b_days, self.cadence_c_days,
               self.cadence_d_days) < 1:
            raise ValueError("cadences must be at least one day")
        if self.window_days < 28 or not 28 <= self.recent_days <= self.window_days:
            raise ValueError("window_days >= 28 and 28 <= recent_days <= window_days")


@dataclass(frozen=True)
class Text:
    """A sentence in Russian and English."""

    ru: str
    en: str


@dataclass(frozen=True)
class ParetoSummary:
    total_revenue: int
    buying_clients: int
    key_accounts: int
    key_share_of_clients: float  # "N% of clients make 80% of revenue"
    key_revenue_share: float
    curve: pl.DataFrame  # client_share, revenue_share (decimated, starts at (0, 0))
    text: Text


@dataclass(frozen=True)
class TopTenCheck:
    by_revenue: tuple[int, ...]
    by_relationship: tuple[int, ...]
    overlap: int
    verdict: str  # MATCH / MISMATCH / NO_RATINGS
    text: Text


@dataclass(frozen=True)
class BtydFit:
    r: float
    alpha: float
    a: float
    b: float
    p: float | None
    q: float | None
    gamma: float | None
    customers: int
    log_likelihood: float


@dataclass(frozen=True)
class PortfolioReport:
    """The frozen result of :func:`clientfocus.analytics.portfolio.analyse_portfolio`.

    ``companies`` has one row per company with every metric and its reasons (see
    ``portfolio.COMPANY_COLUMNS``); the other members are the portfolio summaries.
    """

    as_of: date
    settings: Settings
    companies: pl.DataFrame
    a_level: int | None
    pareto: ParetoSummary
    categories: pl.DataFrame  # category, companies, share_of_companies, revenue_12m, ...
    quadrants: pl.DataFrame  # quadrant, companies, goals_ru/en, actions_ru/en
    temperature_map: pl.DataFrame  # owner_id, owner_name, category, red/orange/yellow/blue
    top10: TopTenCheck
    alerts: pl.DataFrame  # companies with a falling-revenue alert, largest drop first
    prospects: pl.DataFrame  # definition 9, most similar first
    btyd: BtydFit | None
    notes: tuple[str, ...] = field(default=())
    # Definition 5: where each axis was split (the medians); reasons quote them.
    loyalty_split: float | None = None
    profit_split: float | None = None
