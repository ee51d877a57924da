"""Small builders for hand-worked tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

# T at a month end keeps every window on month boundaries in the hand-worked tables:
# (2024-06-30, 2025-06-30], (2023-07-01, 2024-06-30], Apr-Jun 2025 and Apr-Jun 2024.
T = date(2025, 6, 30)

LINE_SCHEMA = {"company_id": pl.Int64, "date": pl.Date, "invoice": pl.String,
               "amount": pl.Int64, "margin": pl.Int64}


def lines(rows: list[tuple[int, date, str, int, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LINE_SCHEMA, orient="row")


def companies(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Company rows with defaults for the columns a test does not care about."""
    base: dict[str, Any] = {
        "name": None, "inn": None, "industry": None, "region": None, "employees": None,
        "size_band": None, "status": "CLIENT", "liquidated": False, "owner_id": 1,
        "owner_name": "Алиса", "relationship": None,
    }
    full = [{**base, "name": f"Компания {r['company_id']}", **r} for r in rows]
    return pl.DataFrame(full, schema_overrides={"employees": pl.Int64, "relationship": pl.Int64,
                                                "company_id": pl.Int64, "owner_id": pl.Int64,
                                                "industry": pl.String, "region": pl.String,
                                                "size_band": pl.String, "inn": pl.String})


def row(df: pl.DataFrame, company_id: int) -> dict[str, Any]:
    found = df.filter(pl.col("company_id") == company_id)
    assert found.height == 1, f"company {company_id}: {found.height} rows"
    return found.row(0, named=True)
