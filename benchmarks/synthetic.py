"""Synthetic B2B portfolios for the analytics benchmark: companies, raw sale lines, activities.

Deterministic for a seed. Sizes: ``n`` companies, ~70% buyers with ~36 months of history and
~100 lines each (so 100,000 companies -> ~7-10 million lines), the rest suspects/prospects.
Revenue scales with company size and industry, some clients fade (falling revenue), some lines
are returns (negative), 10% of margins are unknown.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

INDUSTRIES = [f"industry-{i:02d}" for i in range(24)]
REGIONS = [f"region-{i:02d}" for i in range(40)]
BANDS = [(1, 10), (10, 50), (50, 200), (200, 500), (500, 1000), (1000, 5000)]


def make_companies(n: int, rng: np.random.Generator) -> pl.DataFrame:
    ids = np.arange(1, n + 1, dtype=np.int64)
    employees = np.clip(np.round(rng.lognormal(4.0, 1.4, n)), 1, 50000).astype(np.int64)
    band_idx = np.searchsorted([b[1] for b in BANDS], employees, side="left").clip(0, 5)
    bands = np.array([f"{a}-{b}" for a, b in BANDS])[band_idx]
    buyer = rng.random(n) < 0.7
    status = np.where(buyer, np.where(rng.random(n) < 0.3, "LOYAL", "CLIENT"),
                      np.where(rng.random(n) < 0.5, "SUSPECT", "PROSPECT"))
    sellers = max(n // 200, 1)
    owner = rng.integers(1, sellers + 1, n)
    rel = rng.integers(1, 6, n).astype(np.float64)
    rel[rng.random(n) < 0.3] = np.nan
    emp_known = rng.random(n) < 0.8
    ind = np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)].astype(object)
    ind[rng.random(n) < 0.05] = None
    return pl.DataFrame({
        "company_id": ids,
        "name": [f"ООО Компания {i}" for i in ids],
        "inn": [f"77{i:08d}" for i in ids],
        "industry": ind,
        "region": np.array(REGIONS)[rng.integers(0, len(REGIONS), n)],
        "employees": pl.Series(np.where(emp_known, employees, 0)).replace(0, None),
        "size_band": bands,
        "status": status,
        "liquidated": rng.random(n) < 0.01,
        "owner_id": owner,
        "owner_name": [f"Продавец {o}" for o in owner],
        "relationship": pl.Series(rel).cast(pl.Int64, strict=False),
    }, strict=False)


def make_lines(companies: pl.DataFrame, as_of: date, rng: np.random.Generator,
               months: int = 36, lines_per_company: int = 100) -> pl.DataFrame:
    """Raw sale lines: company_id, date, invoice (Int64), amount (kopecks), margin (kopecks or
    null); about ``lines_per_company`` x all companies lines, spread over the buyers."""
    buyers = companies.filter(pl.col("status").is_in(["CLIENT", "LOYAL"]))
    ids = buyers["company_id"].to_numpy()
    emp = buyers["employees"].fill_null(50).to_numpy().astype(np.float64)
    nb = len(ids)
    per_buyer = lines_per_company * companies.height / max(nb, 1)
    # Lines per company vary (Pareto-like activity).
    weight = rng.pareto(2.5, nb) + 0.5
    counts = np.maximum(1, np.round(weight / weight.mean() * per_buyer)).astype(np.int64)
    company = np.repeat(ids, counts)
    total = len(company)
    start = as_of - timedelta(days=months * 30)
    # History start per company (some are new), and a fade for ~15% (falling revenue).
    first = rng.integers(0, months * 30 // 2, nb) * (rng.random(nb) < 0.3)
    fade = rng.random(nb) < 0.15
    span = months * 30 - first
    off_c = np.repeat(first, counts)
    span_c = np.repeat(span, counts)
    u = rng.random(total)
    fade_c = np.repeat(fade, counts)
    u = np.where(fade_c, u ** 0.5 * 0.9, u)  # faders buy less in the last months
    day_off = off_c + np.floor(u * span_c).astype(np.int64)
    dates = np.datetime64(start) + day_off.astype("timedelta64[D]")
    price = np.repeat(emp ** 0.6 * 5000.0, counts) * rng.lognormal(0.0, 0.8, total)
    amount = np.round(price).astype(np.int64) + 100
    returns = rng.random(total) < 0.03
    amount = np.where(returns, -amount // 2, amount)
    margin = np.round(amount * rng.uniform(0.1, 0.35, total)).astype(np.int64)
    margin_known = rng.random(total) > 0.1
    # Invoices: about 3 lines per invoice, numbered per company and day.
    invoice = (company * 100000 + day_off) * 4 + rng.integers(0, 2, total)
    return pl.DataFrame({
        "company_id": company,
        "date": dates,
        "invoice": invoice,
        "amount": amount,
        "margin": pl.Series(np.where(margin_known, margin, 0)).set(
            pl.Series(~margin_known), None),
    }).with_columns(pl.col("date").cast(pl.Date))


def make_activities(companies: pl.DataFrame, as_of: date,
                    rng: np.random.Generator) -> pl.DataFrame:
    n = companies.height
    has = rng.random(n) < 0.85
    days_ago = rng.integers(0, 240, n)
    return pl.DataFrame({
        "company_id": companies["company_id"],
        "last_activity_date": [as_of - timedelta(days=int(d)) for d in days_ago],
    }).filter(pl.Series(has))
