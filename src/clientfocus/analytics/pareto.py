"""Definition 2 (seed 002): Pareto ranking and key accounts.

Seed 002: "около 80 % торговых оборотов фирмы приносят 20 % клиентов". Clients are ranked by
revenue_12m (ties broken by company_id, so the ranking is deterministic); only clients with a
positive revenue_12m take part (net-returns clients add nothing to the 80%). The key accounts
are the smallest top set whose revenue reaches ``settings.pareto_share`` of the total: a client
is key when the revenue of the clients ranked above it is still below that share.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from clientfocus.analytics.formatting import pct
from clientfocus.analytics.types import ParetoSummary, Settings, Text

CURVE_POINTS = 200


def pareto_ranking(metrics: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, ParetoSummary]:
    """Return (company_id, pareto_rank, cumulative_share, key_account) and the summary.

    Companies without a positive revenue_12m get no rank, a null share and key_account False.
    """
    buying = (
        metrics.filter(pl.col("revenue_12m") > 0)
        .select("company_id", "revenue_12m")
        .sort(["revenue_12m", "company_id"], descending=[True, False])
    )
    total = int(buying["revenue_12m"].sum()) if buying.height else 0
    n = buying.height
    if n:
        ranked = buying.with_columns(
            pl.int_range(1, n + 1, dtype=pl.Int32).alias("pareto_rank"),
            pl.col("revenue_12m").cum_sum().alias("_cum"),
        ).with_columns(
            (pl.col("_cum").cast(pl.Float64) / total).alias("cumulative_share"),
            # before = revenue of the clients ranked above; compared as exact integers
            # scaled by the share (pareto_share * total is the only float).
            ((pl.col("_cum") - pl.col("revenue_12m")).cast(pl.Float64)
             < settings.pareto_share * total).alias("key_account"),
        )
    else:
        ranked = buying.with_columns(
            pl.lit(None, dtype=pl.Int32).alias("pareto_rank"),
            pl.lit(None, dtype=pl.Int64).alias("_cum"),
            pl.lit(None, dtype=pl.Float64).alias("cumulative_share"),
            pl.lit(None, dtype=pl.Boolean).alias("key_account"),
        )
    key_n = int(ranked["key_account"].sum()) if n else 0
    key_revenue = int(ranked.filter(pl.col("key_account"))["revenue_12m"].sum()) if n else 0
    key_share = key_n / n if n else 0.0
    key_revenue_share = key_revenue / total if total else 0.0

    # Curve: (0, 0), then decimated points of (clients share, cumulative revenue share), with
    # the last key account always present so the chart shows the 80% corner.
    if n:
        idx = np.unique(np.concatenate([
            np.linspace(0, n - 1, min(n, CURVE_POINTS)).round().astype(np.int64),
            np.array([key_n - 1 if key_n else 0]),
        ]))
        shares = ranked["cumulative_share"].to_numpy()[idx]
        curve = pl.DataFrame({
            "client_share": np.concatenate([[0.0], (idx + 1) / n]),
            "revenue_share": np.concatenate([[0.0], shares]),
        })
    else:
        curve = pl.DataFrame({"client_share": [0.0], "revenue_share": [0.0]})

    p = settings.pareto_share
    if n:
        text = Text(
            ru=f"{pct(key_share)} клиентов ({key_n} из {n}) дают {pct(p)} выручки "
            f"за 12 месяцев (фактически {pct(key_revenue_share)}).",
            en=f"{pct(key_share)} of clients ({key_n} of {n}) make {pct(p)} of the last "
            f"12 months' revenue (exactly {pct(key_revenue_share)}).",
        )
    else:
        text = Text(ru="За последние 12 месяцев продаж нет.",
                    en="No sales in the last 12 months.")
    summary = ParetoSummary(
        total_revenue=total,
        buying_clients=n,
        key_accounts=key_n,
        key_share_of_clients=key_share,
        key_revenue_share=key_revenue_share,
        curve=curve,
        text=text,
    )
    return ranked.select("company_id", "pareto_rank", "cumulative_share", "key_account"), summary
