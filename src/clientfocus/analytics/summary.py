"""A portfolio report as plain JSON types: what the snapshot stores and `--json` prints."""

from __future__ import annotations

from typing import Any

import polars as pl

from clientfocus.analytics.types import PortfolioReport


def report_summary(report: PortfolioReport, *, prospects: int = 100, alerts: int = 100) -> dict[str, Any]:
    """Every portfolio summary of the report (not the per-company rows) as JSON-able types."""
    p = report.pareto
    t = report.top10
    return {
        "as_of": report.as_of.isoformat(),
        "a_level": report.a_level,
        "pareto": {
            "total_revenue": p.total_revenue,
            "buying_clients": p.buying_clients,
            "key_accounts": p.key_accounts,
            "key_share_of_clients": p.key_share_of_clients,
            "key_revenue_share": p.key_revenue_share,
            "curve": frame_records(p.curve),
            "text": {"ru": p.text.ru, "en": p.text.en},
        },
        "categories": frame_records(report.categories),
        "quadrants": frame_records(report.quadrants),
        "temperature_map": frame_records(report.temperature_map),
        "top10": {
            "by_revenue": list(t.by_revenue),
            "by_relationship": list(t.by_relationship),
            "overlap": t.overlap,
            "verdict": t.verdict,
            "text": {"ru": t.text.ru, "en": t.text.en},
        },
        "alerts_total": report.alerts.height,
        "alerts": frame_records(report.alerts.head(alerts)),
        "prospects": frame_records(report.prospects.head(prospects)),
        "btyd": None
        if report.btyd is None
        else {k: getattr(report.btyd, k) for k in ("r", "alpha", "a", "b", "p", "q", "gamma", "customers")},
        "notes": list(report.notes),
        "quadrant_split": {"loyalty": report.loyalty_split, "profitability": report.profit_split},
    }


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with dates as ISO text, NaN/inf as None (JSON has neither)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype in (pl.Date, pl.Datetime):
            exprs.append(pl.col(name).cast(pl.String))
        elif dtype in (pl.Float32, pl.Float64):
            exprs.append(pl.when(pl.col(name).is_finite()).then(pl.col(name)).otherwise(None).alias(name))
    return (frame.with_columns(exprs) if exprs else frame).to_dicts()
