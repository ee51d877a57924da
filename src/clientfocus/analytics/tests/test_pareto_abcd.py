"""Definitions 2 (Pareto, key accounts) and 3 (A_level, lookalike potential, ABCD), by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.neighbors import NearestNeighbors

from clientfocus.analytics import Settings
from clientfocus.analytics.abcd import a_level, categorise
from clientfocus.analytics.lookalike import encode, lookalike_potential, nearest, row_percentile
from clientfocus.analytics.pareto import pareto_ranking
from clientfocus.analytics.tests.helpers import row


def revenue_frame(revenues: dict[int, int]) -> pl.DataFrame:
    return pl.DataFrame({"company_id": list(revenues), "revenue_12m": list(revenues.values())},
                        schema={"company_id": pl.Int64, "revenue_12m": pl.Int64})


def test_pareto_key_accounts_by_hand() -> None:
    """Revenues 500, 300, 100, 60, 40 (+ a zero and a net-returns client), total 1000.

    Cumulative 500, 800, 900, 960, 1000 -> shares 0.5, 0.8, 0.9, 0.96, 1.0. Key while the
    revenue ranked above is below 800: company 1 (above 0) and 2 (above 500); company 3 has
    800 above it, so it is not key. 2 of 5 clients (40%) make 80%.
    """
    ranks, summary = pareto_ranking(
        revenue_frame({1: 500, 2: 300, 3: 100, 4: 60, 5: 40, 6: 0, 7: -10}), Settings())
    ranks = ranks.sort("pareto_rank")
    assert ranks.select("company_id", "pareto_rank", "key_account").rows() == [
        (1, 1, True), (2, 2, True), (3, 3, False), (4, 4, False), (5, 5, False)]
    assert ranks["cumulative_share"].to_list() == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0])
    assert (summary.total_revenue, summary.buying_clients, summary.key_accounts) == (1000, 5, 2)
    assert summary.key_share_of_clients == pytest.approx(0.4)
    assert summary.key_revenue_share == pytest.approx(0.8)
    assert summary.text.en.startswith("40% of clients (2 of 5) make 80%")
    assert summary.text.ru.startswith("40% клиентов (2 из 5) дают 80%")


def test_pareto_equal_revenues_ties_by_id() -> None:
    """Five clients of 100 each: revenue above them 0, 100, 200, 300, 400; key while < 400:
    the first four by company_id."""
    ranks, summary = pareto_ranking(revenue_frame({5: 100, 3: 100, 1: 100, 4: 100, 2: 100}),
                                    Settings())
    assert ranks.sort("pareto_rank")["company_id"].to_list() == [1, 2, 3, 4, 5]
    assert ranks.sort("pareto_rank")["key_account"].to_list() == [True] * 4 + [False]
    assert summary.key_accounts == 4


def test_pareto_empty_portfolio() -> None:
    ranks, summary = pareto_ranking(revenue_frame({}), Settings())
    assert ranks.height == 0
    assert (summary.total_revenue, summary.key_accounts, summary.key_share_of_clients) == (0, 0,
                                                                                           0.0)
    assert summary.curve.rows() == [(0.0, 0.0)]
    assert summary.text.en == "No sales in the last 12 months."


def test_a_level_is_median_of_key_accounts() -> None:
    """Key accounts with 500, 300 -> median 400; with 500, 300, 100 -> 300."""
    f = pl.DataFrame({"revenue_12m": [500, 300, 100, 50], "key_account": [True, True, False,
                                                                          False]})
    assert a_level(f) == 400
    assert a_level(f.with_columns(pl.Series("key_account", [True, True, True, False]))) == 300
    assert a_level(f.with_columns(pl.lit(False).alias("key_account"))) is None


def test_categories_by_potential() -> None:
    """A_level 1000: A from 800, B from 450.

    a: best 900 -> A (own best year); b: best 100, lookalike 800 -> A (lookalike, on the bound);
    c: best 450, lookalike 300 -> B (on the bound); d: best 449 -> C (has bought);
    e: never bought, no lookalike -> D; f: never bought, lookalike 500 -> B (seed 004: a company
    like the leading clients is a prospect worth B); g: never bought, lookalike 200 -> D.
    """
    f = pl.DataFrame({
        "company_id": list("abcdefg"),
        "best_year_revenue": [900, 100, 450, 449, 0, 0, 0],
        "lookalike_potential": [None, 800, 300, None, None, 500, 200],
        "has_bought": [True, True, True, True, False, False, False],
    }, schema_overrides={"lookalike_potential": pl.Int64})
    out = categorise(f, 1000, Settings())
    assert out["potential"].to_list() == [900, 800, 450, 449, 0, 500, 200]
    assert out["category"].to_list() == ["A", "A", "B", "C", "D", "B", "D"]
    assert out["category_code"].to_list() == ["A_BEST_YEAR", "A_LOOKALIKE", "B_BEST_YEAR",
                                              "C_BEST_YEAR", "D_NEVER_BOUGHT", "B_LOOKALIKE",
                                              "D_NEVER_BOUGHT"]
    no_level = categorise(f, None, Settings())
    assert no_level["category"].to_list() == ["C"] * 4 + ["D"] * 3


FIRMS = pl.DataFrame({
    "company_id": [1, 2, 3, 4, 5, 6, 7, 8],
    "industry": ["retail", "Retail ", "retail", "retail", "steel", "retail", None, "retail"],
    "region": ["msk", "msk", "msk", "spb", "msk", "msk", None, None],
    "employees": [100, 200, 400, 100, 100, 100, None, None],
    "size_band": [None] * 8,
    "revenue_12m": [1000, 2000, 3000, 4000, 5000, 0, 0, 0],
}, schema_overrides={"employees": pl.Int64, "size_band": pl.String})


def test_lookalike_potential_by_hand() -> None:
    """k = 3, 75th percentile, distance = 2 [industry differs] + 1 [region differs]
    + |log10 size ratio|. Buyers 1-5; 6, 7, 8 have not bought.

    Company 6 (retail, msk, 100): to 1: 0; 2: log10 2 = 0.301; 3: log10 4 = 0.602; 4: 1; 5: 2.
    Neighbours 1, 2, 3 with 1000, 2000, 3000: 75th percentile at rank 2 x 0.75 = 1.5
    -> 2000 + 0.5 x 1000 = 2500.
    Company 1 never finds itself: 2 (0.301), 3 (0.602), 4 (1.0) -> 2000, 3000, 4000 -> 3500.
    Company 7 has no firmographics: null. Company 8 (retail, region and size unknown -> the
    median size 100): 1 and 4 at 1.0 (tie, broken by position), then 2 at 1.301
    -> 1000, 4000, 2000 -> sorted 1000, 2000, 4000 -> 2000 + 0.5 x 2000 = 3000.
    """
    s = Settings(lookalike_k=3, lookalike_min_neighbours=2)
    out = lookalike_potential(FIRMS.drop("revenue_12m").with_columns(FIRMS["revenue_12m"]), s)
    r6, r1, r7, r8 = (row(out, c) for c in (6, 1, 7, 8))
    assert (r6["lookalike_potential"], r6["lookalike_neighbours"]) == (2500, [1, 2, 3])
    assert (r6["lookalike_same_industry"], r6["lookalike_same_region"]) == (3, 3)
    assert (r6["lookalike_size_min"], r6["lookalike_size_max"]) == (100.0, 400.0)
    assert (r1["lookalike_potential"], r1["lookalike_neighbours"]) == (3500, [2, 3, 4])
    assert (r7["lookalike_potential"], r7["lookalike_neighbours"]) == (None, None)
    assert (r8["lookalike_potential"], r8["lookalike_neighbours"]) == (3000, [1, 4, 2])


def test_lookalike_needs_enough_close_neighbours() -> None:
    """With max distance 0.5, company 6 has only 1 and 2 within reach; min 3 -> null."""
    s = Settings(lookalike_k=3, lookalike_min_neighbours=3, lookalike_max_distance=0.5)
    out = lookalike_potential(FIRMS, s)
    assert row(out, 6)["lookalike_potential"] is None


def test_row_percentile_matches_numpy() -> None:
    """[100, 200, 300, 400] -> 75th = 325 (numpy 'linear'); NaN are ignored."""
    v = np.array([[100.0, 200.0, 300.0, 400.0], [100.0, np.nan, 300.0, np.nan]])
    assert row_percentile(v, 75.0).tolist() == [325.0, 250.0]


def test_nearest_agrees_with_brute_force() -> None:
    """The blocked search returns the same k smallest distances as an all-pairs scan."""
    rng = np.random.default_rng(7)
    n = 400
    df = pl.DataFrame({
        "company_id": np.arange(n),
        "industry": [[None, "a", "b", "c"][i] for i in rng.integers(0, 4, n)],
        "region": [[None, "x", "y"][i] for i in rng.integers(0, 3, n)],
        "employees": rng.integers(1, 5000, n),
        "size_band": [None] * n,
    }, schema_overrides={"size_band": pl.String})
    f = encode(df)
    s = Settings()
    k = 7
    _idx, dist = nearest(f, f, k, s)
    si = (f.industry[:, None] == f.industry[None, :]) & (f.industry[:, None] >= 0)
    sr = (f.region[:, None] == f.region[None, :]) & (f.region[:, None] >= 0)
    full = 2.0 * ~si + 1.0 * ~sr + np.abs(f.log_size[:, None] - f.log_size[None, :])
    np.fill_diagonal(full, np.inf)
    brute = np.sort(full, axis=1)[:, :k]
    assert np.allclose(dist, brute)


def test_nearest_agrees_with_scikit_learn() -> None:
    """scikit-learn's NearestNeighbors with the Manhattan metric on the encoded firmographics
    (industry and region one-hot scaled by w/2, so a mismatch costs w; log10 size scaled by
    w_size; an unknown value its own column, so it matches nothing) gives the same k nearest
    distances as the blocked search."""
    rng = np.random.default_rng(11)
    n, k = 300, 5
    df = pl.DataFrame({
        "company_id": np.arange(n),
        "industry": [[None, "a", "b", "c"][i] for i in rng.integers(0, 4, n)],
        "region": [[None, "x", "y"][i] for i in rng.integers(0, 3, n)],
        "employees": rng.integers(1, 5000, n),
        "size_band": [None] * n,
    }, schema_overrides={"size_band": pl.String})
    f = encode(df)
    s = Settings()

    def one_hot(codes: np.ndarray, weight: float) -> np.ndarray:
        # Unknown (-1) gets a column of its own per company: it never matches.
        keys = np.where(codes >= 0, codes, codes.max() + 1 + np.arange(len(codes)))
        _, inverse = np.unique(keys, return_inverse=True)
        m = np.zeros((len(codes), inverse.max() + 1))
        m[np.arange(len(codes)), inverse] = weight / 2
        return m

    x = np.hstack([one_hot(f.industry, s.lookalike_weight_industry),
                   one_hot(f.region, s.lookalike_weight_region),
                   (f.log_size * s.lookalike_weight_size)[:, None]])
    sk = NearestNeighbors(n_neighbors=k + 1, metric="manhattan", algorithm="brute").fit(x)
    sk_dist, _ = sk.kneighbors(x)
    _idx, dist = nearest(f, f, k, s)
    assert np.allclose(dist, sk_dist[:, 1:])  # column 0 is the company itself


def test_neighbours_without_headcount_give_no_size_range_not_a_crash():
    """Found on the 100,000-company demo: every neighbour of a company lacked a headcount, and
    the NaN size range could not be written. A buyer-less prospect in the same industry and
    region as three buyers with no headcount gets their potential, with an unknown size range."""
    from datetime import date

    import polars as pl

    from clientfocus.analytics import PortfolioFacts, analyse_portfolio

    companies = pl.DataFrame({
        "company_id": [1, 2, 3, 4],
        "name": ["А", "Б", "В", "Г"],
        "industry": ["IT"] * 4,
        "region": ["Москва"] * 4,
        "employees": [None, None, None, None],
        "status": ["CLIENT", "CLIENT", "CLIENT", "PROSPECT"],
    }, schema_overrides={"employees": pl.Int64})
    monthly = pl.DataFrame({
        "company_id": [1, 2, 3],
        "month": [date(2026, 5, 1)] * 3,
        "revenue": [100_00, 200_00, 300_00],
        "invoices": [1, 1, 1],
    })
    report = analyse_portfolio(PortfolioFacts.create(monthly=monthly, companies=companies),
                               as_of=date(2026, 6, 30))
    row = report.companies.filter(pl.col("company_id") == 4).row(0, named=True)
    assert row["lookalike_size_min"] is None and row["lookalike_size_max"] is None
    assert row["lookalike_potential"] == 250_00  # 75th percentile of 100, 200, 300 (linear)
