"""Benchmark of the analytics engine against a plain pandas and a DuckDB SQL implementation.

    .venv/bin/python benchmarks/bench_analytics.py                 # 10,000 companies
    .venv/bin/python benchmarks/bench_analytics.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_analytics.py --sizes 1000000 --lines-per-company 50

For each size it generates a synthetic portfolio (``synthetic.py``: ~100 sale lines per company
over 36 months, returns, unknown margins), builds the monthly rollup + edge-month days, and
times, in the same run:

- clientfocus: definitions 1-2 (the subset the references compute), definitions 1-8, all ten
  (with the lookalikes and the BG/NBD + Gamma-Gamma fit), and all ten with the reason sentences;
  always from the rollup, as the product runs it;
- pandas: definitions 1-2 straight from the raw sale lines (group-bys, a wide month table);
- DuckDB: the same in SQL over the raw lines.

It checks that the three agree on every company (revenue_12m, margin_12m, revenue_prev_12m,
revenue_3m, revenue_3m_prev_year, lifetime_revenue, purchases, first/last purchase,
active_months_12m, best_year_revenue, Pareto rank and key-account flag, A_level) and prints a
table. Timings are the best of ``--repeat`` runs (the machine is shared; best-of is the least
noisy estimate of the cost).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from synthetic import make_activities, make_companies, make_lines

from clientfocus.analytics import (
    PortfolioFacts,
    Settings,
    analyse_portfolio,
    facts_from_lines,
)
from clientfocus.analytics.facts import sales_events
from clientfocus.analytics.metrics import client_metrics
from clientfocus.analytics.pareto import pareto_ranking

AS_OF = date(2025, 6, 15)
CHECK_INT = ["revenue_12m", "margin_12m", "revenue_prev_12m", "revenue_3m",
             "revenue_3m_prev_year", "lifetime_revenue", "purchases", "active_months_12m",
             "best_year_revenue", "pareto_rank"]
CHECK_OTHER = ["first_purchase", "last_purchase", "key_account"]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


# --------------------------------------------------------------------------------------------
# clientfocus, definitions 1-2 only (the subset the references compute)


def clientfocus_defs_1_2(facts: PortfolioFacts, settings: Settings) -> pl.DataFrame:
    events = sales_events(facts, AS_OF)
    metrics, _grid = client_metrics(events, facts.companies["company_id"], as_of=AS_OF,
                                    settings=settings)
    ranks, _summary = pareto_ranking(metrics, settings)
    return metrics.join(ranks, on="company_id", how="left")


# --------------------------------------------------------------------------------------------
# pandas over raw lines


def pandas_reference(lines: pd.DataFrame, settings: Settings) -> tuple[pd.DataFrame, int | None]:
    t = pd.Timestamp(AS_OF)
    year, recent = pd.Timedelta(days=settings.window_days), pd.Timedelta(days=settings.recent_days)
    df = lines[lines["date"] <= t]
    d = df["date"]
    in_year = d > t - year
    in_prev = (d > t - 2 * year) & ~in_year
    in_recent = d > t - recent
    in_recent_prev = (d > t - year - recent) & ~in_year
    amount = df["amount"]
    margin_null = df["margin"].isna()
    frame = pd.DataFrame({
        "company_id": df["company_id"],
        "revenue_12m": amount.where(in_year, 0),
        "margin_12m": df["margin"].fillna(0).astype("int64").where(in_year, 0),
        "margin_unknown": (margin_null & in_year).astype("int64"),
        "revenue_prev_12m": amount.where(in_prev, 0),
        "revenue_3m": amount.where(in_recent, 0),
        "revenue_3m_prev_year": amount.where(in_recent_prev, 0),
        "lifetime_revenue": amount,
    })
    out = frame.groupby("company_id").sum()
    out["margin_12m"] = out["margin_12m"].astype("Int64").where(out["margin_unknown"] == 0)
    out = out.drop(columns="margin_unknown")
    # A purchase is an invoice with a positive net amount that day.
    inv = df.groupby(["company_id", "date", "invoice"], sort=False)["amount"].sum().reset_index()
    inv = inv[inv["amount"] > 0]
    g = inv.groupby("company_id")
    out["purchases"] = g.size()
    out["first_purchase"] = g["date"].min()
    out["last_purchase"] = g["date"].max()
    inv_year = inv[inv["date"] > t - year]
    out["active_months_12m"] = (inv_year["date"].dt.to_period("M").groupby(
        inv_year["company_id"]).nunique().clip(upper=12))
    # Best 12 consecutive calendar months: a wide company x month table, rolling by columns.
    month = df["date"].dt.year * 12 + df["date"].dt.month - 1
    wide = amount.groupby([df["company_id"], month]).sum().unstack(fill_value=0)
    wide = wide.reindex(columns=range(int(month.min()), int(month.max()) + 1), fill_value=0)
    cs = wide.cumsum(axis=1)
    rolling = cs - cs.shift(12, axis=1, fill_value=0)
    out["best_year_revenue"] = np.maximum(np.maximum(rolling.max(axis=1), out["revenue_12m"]), 0)
    out[["purchases", "active_months_12m"]] = out[["purchases", "active_months_12m"]].fillna(0)
    # Pareto: rank by revenue_12m (ties by id), key while the revenue above is < 80%.
    buyers = out[out["revenue_12m"] > 0].reset_index().sort_values(
        ["revenue_12m", "company_id"], ascending=[False, True])
    total = buyers["revenue_12m"].sum()
    cum = buyers["revenue_12m"].cumsum()
    buyers["pareto_rank"] = np.arange(1, len(buyers) + 1)
    buyers["key_account"] = (cum - buyers["revenue_12m"]).astype(float) < settings.pareto_share * total
    out = out.join(buyers.set_index("company_id")[["pareto_rank", "key_account"]])
    out["key_account"] = out["key_account"].fillna(False).astype(bool)
    keys = buyers.loc[buyers["key_account"], "revenue_12m"]
    level = round(keys.median()) if len(keys) else None
    return out.reset_index(), level


# --------------------------------------------------------------------------------------------
# DuckDB SQL over raw lines

DUCK_SQL = """
WITH l AS (SELECT * FROM lines WHERE date <= DATE '{t}'),
per_company AS (
  SELECT company_id,
    SUM(CASE WHEN date > DATE '{y}' THEN amount ELSE 0 END) AS revenue_12m,
    CASE WHEN COUNT(*) FILTER (WHERE date > DATE '{y}' AND margin IS NULL) > 0 THEN NULL
         ELSE SUM(CASE WHEN date > DATE '{y}' THEN margin ELSE 0 END) END AS margin_12m,
    SUM(CASE WHEN date > DATE '{p}' AND date <= DATE '{y}' THEN amount ELSE 0 END)
      AS revenue_prev_12m,
    SUM(CASE WHEN date > DATE '{r}' THEN amount ELSE 0 END) AS revenue_3m,
    SUM(CASE WHEN date > DATE '{rp}' AND date <= DATE '{y}' THEN amount ELSE 0 END)
      AS revenue_3m_prev_year,
    SUM(amount) AS lifetime_revenue
  FROM l GROUP BY company_id
),
inv AS (
  SELECT company_id, date FROM l GROUP BY company_id, date, invoice HAVING SUM(amount) > 0
),
purch AS (
  SELECT company_id, COUNT(*) AS purchases, MIN(date) AS first_purchase,
    MAX(date) AS last_purchase,
    LEAST(COUNT(DISTINCT date_trunc('month', date)) FILTER (WHERE date > DATE '{y}'), 12)
      AS active_months_12m
  FROM inv GROUP BY company_id
),
monthly0 AS (
  SELECT company_id, year(date) * 12 + month(date) - 1 AS m, SUM(amount) AS revenue
  FROM l GROUP BY ALL
),
-- A 12-month sum changes when a month enters (its own row) or leaves (12 months later):
-- add a zero row there, so that windows ending after a negative (returns) month count too.
monthly AS (
  SELECT * FROM monthly0
  UNION ALL
  SELECT company_id, m + 12, 0 FROM monthly0 WHERE m + 12 <= {tm}
),
rolling AS (
  SELECT company_id, MAX(s) AS best_rolling FROM (
    SELECT company_id, SUM(revenue) OVER (PARTITION BY company_id ORDER BY m
      RANGE BETWEEN 11 PRECEDING AND CURRENT ROW) AS s FROM monthly)
  GROUP BY company_id
),
joined AS (
  SELECT c.*, COALESCE(p.purchases, 0) AS purchases, p.first_purchase, p.last_purchase,
    COALESCE(p.active_months_12m, 0) AS active_months_12m,
    GREATEST(r.best_rolling, c.revenue_12m, 0) AS best_year_revenue
  FROM per_company c LEFT JOIN purch p USING (company_id) LEFT JOIN rolling r USING (company_id)
),
ranked AS (
  SELECT company_id,
    ROW_NUMBER() OVER (ORDER BY revenue_12m DESC, company_id) AS pareto_rank,
    SUM(revenue_12m) OVER (ORDER BY revenue_12m DESC, company_id ROWS UNBOUNDED PRECEDING)
      - revenue_12m AS above,
    SUM(revenue_12m) OVER () AS total
  FROM joined WHERE revenue_12m > 0
)
SELECT j.*, k.pareto_rank, COALESCE(k.above::DOUBLE < {share} * k.total, FALSE) AS key_account
FROM joined j LEFT JOIN ranked k USING (company_id)
"""


def duckdb_reference(con: duckdb.DuckDBPyConnection,
                     settings: Settings) -> tuple[pl.DataFrame, int | None]:
    y = AS_OF - timedelta(days=settings.window_days)
    sql = DUCK_SQL.format(
        t=AS_OF, y=y, p=AS_OF - timedelta(days=2 * settings.window_days),
        r=AS_OF - timedelta(days=settings.recent_days),
        rp=y - timedelta(days=settings.recent_days), share=settings.pareto_share,
        tm=AS_OF.year * 12 + AS_OF.month - 1)
    out = pd_to_pl(con.sql(sql).df()).with_columns(
        pl.col("first_purchase").cast(pl.Date), pl.col("last_purchase").cast(pl.Date))
    keys = out.filter(pl.col("key_account"))["revenue_12m"]
    med = keys.median() if keys.len() else None
    return out, (round(float(med)) if isinstance(med, (int, float)) else None)


# --------------------------------------------------------------------------------------------


def pd_to_pl(df: pd.DataFrame) -> pl.DataFrame:
    """pandas -> polars without pyarrow: nullable columns go through float64 with NaN (exact
    for the integers here, all far below 2**53)."""
    cols = {}
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) or s.dtype == object:
            if pd.api.types.is_bool_dtype(s.dtype):
                cols[c] = pl.Series(c, s.to_numpy(dtype=object, na_value=None), dtype=pl.Boolean)
            else:
                arr = s.to_numpy(dtype="float64", na_value=np.nan)
                cols[c] = pl.Series(c, arr).fill_nan(None).cast(pl.Int64)
        elif s.dtype.kind == "f" and c not in ("trend",):
            cols[c] = pl.Series(c, s.to_numpy()).fill_nan(None)
        else:
            cols[c] = pl.Series(c, s.to_numpy())
    return pl.DataFrame(cols)


def compare(name: str, ours: pl.DataFrame, ref: pl.DataFrame) -> list[str]:
    """Differences between our per-company figures and a reference (empty list = agree)."""
    cols = ["company_id", *CHECK_INT, *CHECK_OTHER]
    a = ours.select(cols).filter(pl.col("company_id").is_in(ref["company_id"].implode()))
    b = ref.select([pl.col(c).cast(a.schema[c]) for c in cols])
    joined = a.join(b, on="company_id", how="full", suffix="_ref", coalesce=True)
    problems = []
    if a.height != b.height:
        problems.append(f"{name}: {a.height} companies vs {b.height}")
    for c in cols[1:]:
        left = joined[c]
        right = joined[f"{c}_ref"]
        if c in ("purchases", "active_months_12m"):
            left, right = left.fill_null(0), right.fill_null(0)
        if c == "key_account":
            left, right = left.fill_null(False), right.fill_null(False)
        bad = ~(left.eq_missing(right))
        if bad.any():
            problems.append(f"{name}: {c} differs for {int(bad.sum())} companies")
    return problems


def run(n: int, lines_per_company: int, repeat: int, seed: int,
        references: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    settings = Settings()
    t0 = time.perf_counter()
    companies = make_companies(n, rng)
    lines = make_lines(companies, AS_OF, rng, lines_per_company=lines_per_company)
    activities = make_activities(companies, AS_OF, rng)
    gen = time.perf_counter() - t0
    t_roll, facts = best_of(lambda: facts_from_lines(lines, as_of=AS_OF, companies=companies,
                                                     last_activity=activities), 1)
    row: dict[str, Any] = {"companies": n, "lines": lines.height,
                           "rollup_rows": facts.monthly.height, "daily_rows": facts.daily.height,
                           "generate_s": gen, "rollup_build_s": t_roll}

    row["cf_defs_1_2_s"], ours_12 = best_of(lambda: clientfocus_defs_1_2(facts, settings), repeat)
    row["cf_defs_1_8_s"], _ = best_of(lambda: analyse_portfolio(
        facts, as_of=AS_OF, settings=settings, with_reasons=False, with_btyd=False), repeat)
    row["cf_all_10_s"], _ = best_of(lambda: analyse_portfolio(
        facts, as_of=AS_OF, settings=settings, with_reasons=False, with_btyd=True), repeat)
    row["cf_all_10_reasons_s"], report = best_of(lambda: analyse_portfolio(
        facts, as_of=AS_OF, settings=settings), repeat)

    row["peak_rss_mb"] = peak_rss_mb()
    if not references:
        row.update(pandas_defs_1_2_s=float("nan"), duckdb_defs_1_2_s=float("nan"),
                   agree="n/a", problems=[], pareto=report.pareto.text.en,
                   categories=dict(report.categories.select("category", "companies").rows()))
        return row
    # Built column by column from numpy (no pyarrow in the environment).
    pdf = pd.DataFrame({
        "company_id": lines["company_id"].to_numpy(),
        "date": lines["date"].cast(pl.Datetime("ms")).to_numpy(),
        "invoice": lines["invoice"].to_numpy(),
        "amount": lines["amount"].to_numpy(),
        "margin": pd.array(lines["margin"].to_numpy(), dtype="Int64"),
    })
    row["pandas_defs_1_2_s"], (pd_out, pd_level) = best_of(
        lambda: pandas_reference(pdf, settings), repeat)
    pd_pl = pd_to_pl(pd_out).with_columns(
        pl.col("first_purchase").cast(pl.Date), pl.col("last_purchase").cast(pl.Date))

    con = duckdb.connect()
    con.register("lines", pdf)
    row["duckdb_defs_1_2_s"], (dk_out, dk_level) = best_of(
        lambda: duckdb_reference(con, settings), repeat)

    problems = compare("pandas", ours_12, pd_pl) + compare("duckdb", ours_12, dk_out)
    levels = {report.a_level, pd_level, dk_level}
    if len(levels) != 1:
        problems.append(f"A_level differs: ours {report.a_level}, pandas {pd_level}, "
                        f"duckdb {dk_level}")
    row["agree"] = "yes" if not problems else "NO"
    row["problems"] = problems
    row["pareto"] = report.pareto.text.en
    row["categories"] = dict(report.categories.select("category", "companies").rows())
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000],
                        help="portfolio sizes in companies (default 10000)")
    parser.add_argument("--lines-per-company", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-references", action="store_true",
                        help="time clientfocus only (for the 1,000,000-company memory run)")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        print(f"... {n:,} companies", flush=True)
        rows.append(run(n, args.lines_per_company, args.repeat, args.seed,
                        references=not args.skip_references))
    cols = [("companies", "companies", "{:,}"), ("lines", "lines", "{:,}"),
            ("rollup_rows", "rollup rows", "{:,}"), ("daily_rows", "edge-day rows", "{:,}"),
            ("rollup_build_s", "rollup build s", "{:.2f}"),
            ("cf_defs_1_2_s", "CF defs 1-2 s", "{:.3f}"),
            ("pandas_defs_1_2_s", "pandas 1-2 s", "{:.3f}"),
            ("duckdb_defs_1_2_s", "DuckDB 1-2 s", "{:.3f}"),
            ("cf_defs_1_8_s", "CF defs 1-8 s", "{:.3f}"),
            ("cf_all_10_s", "CF all 10 s", "{:.3f}"),
            ("cf_all_10_reasons_s", "CF 10+reasons s", "{:.3f}"),
            ("peak_rss_mb", "peak RSS MB", "{:,.0f}"),
            ("agree", "agree", "{}")]
    header = " | ".join(h for _, h, _ in cols)
    print("\n| " + header + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(f.format(r[k]) for k, _, f in cols) + " |")
    for r in rows:
        print(f"\n{r['companies']:,}: {r['pareto']} Categories: {r['categories']}")
        for p in r["problems"]:
            print("  DISAGREE:", p)
    print("\nclientfocus reads the monthly rollup (+ the days of the edge months); pandas and "
          "DuckDB aggregate the raw sale lines. Best of the repeats; the rollup build is timed "
          "once.")
    if any(r["problems"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
