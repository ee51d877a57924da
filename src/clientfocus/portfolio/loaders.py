"""The one mapper at the boundary: database rows -> analytics facts (STYLE.md, habit 4).

A fixed number of queries whatever the portfolio's size — companies, the monthly rollup, the
edge months' days from the sale lines, the last done activity — never one per company. The
analysis reads the rollup, never the raw lines, except the few months cut by a window edge
(PRODUCT.md, "Storage and scale").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connection

from clientfocus.activities.models import Activity, State
from clientfocus.analytics import PortfolioFacts, Settings, edge_months
from clientfocus.analytics.types import COMPANIES_SCHEMA, DAILY_SCHEMA, LAST_ACTIVITY_SCHEMA, MONTHLY_SCHEMA
from clientfocus.companies.models import Company
from clientfocus.sales.models import MonthlySales
from clientfocus.sales.services import next_month, rollup_from_lines


def _frame(sql: str, params: Sequence[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return _typed(pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None), schema)


def _typed(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Cast to the contract; SQLite hands dates over as ISO strings."""
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Date) and df.schema[name] == pl.String:
            col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
        exprs.append(col.cast(dtype))
    return df.select(exprs)


def load_companies() -> pl.DataFrame:
    c = Company._meta.db_table
    sql = f"""
        SELECT c.id, c.name, c.inn, NULLIF(c.industry, ''), NULLIF(c.region, ''), c.employees,
               NULLIF(c.size_band, ''), c.status, c.liquidated, c.owner_id,
               CASE WHEN u.id IS NULL THEN NULL
                    ELSE COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username) END,
               c.relationship
        FROM {c} c LEFT JOIN accounts_user u ON u.id = c.owner_id
    """  # noqa: S608 - table names from model metadata
    df = _frame(sql, [], COMPANIES_SCHEMA)
    return df.with_columns(pl.col("liquidated").cast(pl.Boolean))


def load_monthly() -> pl.DataFrame:
    schema = {**MONTHLY_SCHEMA, "first_day": pl.Date(), "last_day": pl.Date()}
    sql = f"""
        SELECT company_id, month, revenue_minor, margin_minor, invoices, first_day, last_day
        FROM {MonthlySales._meta.db_table}
    """  # noqa: S608
    return _frame(sql, [], schema)


def load_daily(months: Sequence[dt.date]) -> pl.DataFrame:
    """The edge months at day granularity, aggregated by the same rule as the rollup."""
    rows: list[tuple[Any, ...]] = []
    for month in months:
        rows += [
            r[:6]
            for r in rollup_from_lines(company_ids=None, start=month, end=next_month(month), by_day=True)
        ]
    schema = DAILY_SCHEMA
    df = pl.DataFrame(
        rows,
        schema=["company_id", "day", "revenue", "margin", "invoices", "lines"],
        orient="row",
        infer_schema_length=None,
    ).drop("lines")
    return _typed(df, schema) if df.height else pl.DataFrame(schema=schema)


def load_last_activity(as_of: dt.date) -> pl.DataFrame:
    sql = f"""
        SELECT company_id, MAX(date) FROM {Activity._meta.db_table}
        WHERE state = %s AND date <= %s GROUP BY company_id
    """  # noqa: S608
    return _frame(sql, [State.DONE, as_of], LAST_ACTIVITY_SCHEMA)


def load_facts(*, as_of: dt.date, settings: Settings) -> PortfolioFacts:
    """Everything the analysis reads, for the whole installation, in a fixed number of queries."""
    return PortfolioFacts.create(
        monthly=load_monthly(),
        daily=load_daily(edge_months(as_of, settings)),
        companies=load_companies(),
        last_activity=load_last_activity(as_of),
    )
