"""Definition 10: expected future revenue, BG/NBD with Gamma-Gamma spend.

Why our own ~150 lines instead of a library: ``lifetimes`` (the reference implementation) is
archived and fails on current numpy/pandas, and its successor ``btyd`` pulls in PyMC; the
models are two closed-form likelihoods that scipy maximises in well under a second.

Sources (formula numbers refer to them):

- BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
  the Pareto/NBD Model", Marketing Science 24(2). Likelihood eq. (6), conditional expectation
  eq. (10), P(alive) from appendix / Fader-Hardie note "Computing P(alive)". CDNOW estimates:
  r = 0.243, alpha = 4.414, a = 0.793, b = 2.426; a customer with x = 2, t_x = 30.43,
  T = 38.86 weeks expects 1.226 purchases in the next 39 weeks.
- Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer
  Base Analysis", JMR 42(4), and Fader & Hardie, "The Gamma-Gamma Model of Monetary Value"
  (2013): E[M | x, mbar] = p (gamma + x mbar) / (p x + q - 1).

Mapping ClientFocus facts to the model: a transaction is an invoice with a positive net
amount (``purchases``), x = purchases - 1 (repeat purchases), t_x and T are the days from the
first purchase to the last purchase and to the as-of date, in weeks (the unit of the CDNOW
papers); the spend per transaction is lifetime revenue / purchases. Calendar months with a
purchase were tried as transactions and rejected: a client buying every month saturates at one
per month, which is not a Poisson process, and the fit degenerates (r, alpha -> infinity).
Parameters are bounded (log-space box) so a degenerate sample cannot overflow hyp2f1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import optimize, special

from clientfocus.analytics.types import BtydFit, Settings

FloatArray = npt.NDArray[np.float64]
WEEK_DAYS = 7.0
# Bounds of (r, alpha, a, b) and (p, q, gamma) in log space: wide, but finite.
_BG_BOUNDS = [(-9.0, 9.0), (-9.0, 14.0), (-9.0, 9.0), (-9.0, 9.0)]
_GG_BOUNDS = [(-9.0, 9.0), (-9.0, 9.0), (-9.0, 25.0)]


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float


def _minimise(nll: Callable[[FloatArray], float], start: FloatArray,
              bounds: list[tuple[float, float]]) -> Any:
    """L-BFGS-B on log-parameters (about 80 likelihood evaluations); Nelder-Mead first only
    when it fails, as it is robust but four times slower."""
    res = optimize.minimize(nll, start, method="L-BFGS-B", bounds=bounds)
    if not res.success or not np.isfinite(res.fun):
        res = optimize.minimize(nll, start, method="Nelder-Mead", bounds=bounds,
                                options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 4000})
        res = optimize.minimize(nll, res.x, method="L-BFGS-B", bounds=bounds)
    return res


def bgnbd_log_likelihood(params: BgNbdParams, x: FloatArray, t_x: FloatArray,
                         T: FloatArray) -> FloatArray:
    """Per-customer log-likelihood, FHL 2005 eq. (6): ln(A1 A2 (A3 + [x>0] A4))."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    ln_a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    ln_a2 = (special.gammaln(a + b) + special.gammaln(b + x)
             - special.gammaln(b) - special.gammaln(a + b + x))
    ln_a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return np.asarray(ln_a1 + ln_a2 + np.logaddexp(ln_a3, ln_a4), dtype=np.float64)


def fit_bgnbd(x: FloatArray, t_x: FloatArray, T: FloatArray) -> tuple[BgNbdParams, float]:
    """Maximum likelihood over log-parameters (keeps them positive); returns (params, LL)."""
    x = np.asarray(x, dtype=np.float64)
    t_x = np.asarray(t_x, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    # The gamma functions depend on x only, and x takes few distinct values: evaluate them
    # once per distinct x (about 10x fewer special-function calls per likelihood).
    xu, inv = np.unique(x, return_inverse=True)
    repeat = x > 0
    xr = x[repeat]

    def nll(theta: FloatArray) -> float:
        r, alpha, a, b = np.exp(np.clip(theta, -20, 20))
        gam = (special.gammaln(r + xu) - special.gammaln(r) + r * np.log(alpha)
               + special.gammaln(a + b) + special.gammaln(b + xu)
               - special.gammaln(b) - special.gammaln(a + b + xu))
        ln_a3 = -(r + x) * np.log(alpha + T)
        ln_a4 = np.full_like(x, -np.inf)
        ln_a4[repeat] = (np.log(a) - np.log(b + xr - 1)
                         - (r + xr) * np.log(alpha + t_x[repeat]))
        return float(-(gam[inv].sum() + np.logaddexp(ln_a3, ln_a4).sum()))

    start = np.log(np.array([1.0, max(float(T.mean()), 1e-3), 1.0, 1.0]))
    res = _minimise(nll, start, _BG_BOUNDS)
    r, alpha, a, b = (float(v) for v in np.exp(res.x))
    return BgNbdParams(r, alpha, a, b), float(-res.fun)


def bgnbd_expected_purchases(params: BgNbdParams, t: float, x: FloatArray, t_x: FloatArray,
                             T: FloatArray) -> FloatArray:
    """E[Y(t) | x, t_x, T], FHL 2005 eq. (10): purchases expected in (T, T + t]."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(x > 0, (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return np.asarray(head * body / (1.0 + tail), dtype=np.float64)


def bgnbd_p_alive(params: BgNbdParams, x: FloatArray, t_x: FloatArray,
                  T: FloatArray) -> FloatArray:
    """P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(x > 0, (a / (b + x - 1)) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return np.asarray(1.0 / (1.0 + tail), dtype=np.float64)


def gamma_gamma_log_likelihood(params: GammaGammaParams, x: FloatArray,
                               m: FloatArray) -> FloatArray:
    """Per-customer log-likelihood of the mean spend m over x > 0 transactions."""
    p, q, g = params.p, params.q, params.gamma
    px = p * x
    return np.asarray(
        special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(g)
        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + x * m),
        dtype=np.float64,
    )


def fit_gamma_gamma(x: FloatArray, m: FloatArray) -> tuple[GammaGammaParams, float]:
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    xu, inv = np.unique(x, return_inverse=True)  # gamma functions once per distinct x
    log_m, log_x = np.log(m), np.log(x)

    def nll(theta: FloatArray) -> float:
        p, q, g = np.exp(np.clip(theta, -20, 20))
        px = p * x
        gam = special.gammaln(p * xu + q) - special.gammaln(p * xu)
        ll = (gam[inv] - special.gammaln(q) + q * np.log(g) + (px - 1) * log_m + px * log_x
              - (px + q) * np.log(g + x * m))
        return float(-ll.sum())

    start = np.log(np.array([1.0, 2.0, max(float(np.mean(m)), 1e-3)]))
    res = _minimise(nll, start, _GG_BOUNDS)
    p, q, g = (float(v) for v in np.exp(res.x))
    return GammaGammaParams(p, q, g), float(-res.fun)


def gamma_gamma_expected_spend(params: GammaGammaParams, x: FloatArray,
                               m: FloatArray) -> FloatArray:
    """E[M | x, m]; with x = 0 it is the population mean p gamma / (q - 1)."""
    p, q, g = params.p, params.q, params.gamma
    return np.asarray(p * (g + x * m) / (p * x + q - 1), dtype=np.float64)


def simulate_bgnbd(params: BgNbdParams, n: int, T: float,
                   rng: np.random.Generator) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Customers from the BG/NBD story: first purchase at 0, Poisson(lambda) purchases,
    dropout with probability p after each repeat purchase, observed until T."""
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0 / lam[idx])
        inside = now[idx] <= T
        bought = idx[inside]
        x[bought] += 1
        t_x[bought] = now[bought]
        alive[idx[~inside]] = False
        died = bought[rng.random(len(bought)) < p[bought]]
        alive[died] = False
    return x, t_x, np.full(n, T)


def expected_future(frame: pl.DataFrame, *, as_of: date,
                    settings: Settings) -> tuple[pl.DataFrame, BtydFit | None]:
    """company_id, expected_purchases_12m, expected_revenue_12m (Int64 kopecks), p_alive.

    ``frame`` needs company_id, first_purchase, last_purchase, lifetime_revenue, purchases.
    Fitted on at most ``btyd_max_fit_customers`` buyers drawn with a seeded RNG (the
    parameters describe the population, and a sample pins them well).
    """
    empty = frame.select("company_id").with_columns(
        pl.lit(None, dtype=pl.Float64).alias("expected_purchases_12m"),
        pl.lit(None, dtype=pl.Int64).alias("expected_revenue_12m"),
        pl.lit(None, dtype=pl.Float64).alias("p_alive"),
    )
    data = (
        frame.filter(pl.col("first_purchase").is_not_null() & (pl.col("purchases") > 0))
        .select("company_id", "first_purchase", "last_purchase", "lifetime_revenue", "purchases")
        .with_columns(
            (pl.col("purchases") - 1).cast(pl.Float64).alias("x"),
            ((pl.col("last_purchase") - pl.col("first_purchase")).dt.total_days()
             / WEEK_DAYS).alias("t_x"),
            ((pl.lit(as_of) - pl.col("first_purchase")).dt.total_days() / WEEK_DAYS)
            .alias("T"),
            (pl.col("lifetime_revenue").cast(pl.Float64) / 100.0
             / pl.col("purchases")).alias("m"),
        )
        .filter(pl.col("T") > 0)
    )
    if not settings.btyd_enabled or data.height < 10 or data["x"].sum() == 0:
        return empty, None
    x = data["x"].to_numpy()
    t_x = data["t_x"].to_numpy()
    T = data["T"].to_numpy()
    m = data["m"].to_numpy()
    rng = np.random.default_rng(settings.btyd_seed)
    n = len(x)
    sample = (rng.choice(n, settings.btyd_max_fit_customers, replace=False)
              if n > settings.btyd_max_fit_customers else np.arange(n))
    bg, ll = fit_bgnbd(x[sample], t_x[sample], T[sample])
    horizon = settings.btyd_horizon_days / WEEK_DAYS
    purchases = bgnbd_expected_purchases(bg, horizon, x, t_x, T)
    alive = bgnbd_p_alive(bg, x, t_x, T)
    gg_mask = (x > 0) & (m > 0)
    gg: GammaGammaParams | None = None
    if gg_mask.sum() >= 10:
        gg_idx = np.flatnonzero(gg_mask)
        if len(gg_idx) > settings.btyd_max_fit_customers:
            gg_idx = rng.choice(gg_idx, settings.btyd_max_fit_customers, replace=False)
        gg, _ = fit_gamma_gamma(x[gg_idx], m[gg_idx])
    if gg is not None and gg.q > 1:
        spend = np.where(gg_mask, gamma_gamma_expected_spend(gg, x, np.where(gg_mask, m, 1.0)),
                         gg.p * gg.gamma / (gg.q - 1))
    else:
        spend = np.where(m > 0, m, 0.0)
    revenue = np.round(purchases * spend * 100.0)
    ok = np.isfinite(purchases) & np.isfinite(revenue)
    out = pl.DataFrame({
        "company_id": data["company_id"],
        "expected_purchases_12m": np.where(ok, purchases, np.nan),
        "expected_revenue_12m": np.where(ok, revenue, 0).astype(np.int64),
        "p_alive": alive,
        "_ok": ok,
    }).with_columns(
        pl.when(pl.col("_ok")).then(pl.col(c)).otherwise(None).alias(c)
        for c in ("expected_purchases_12m", "expected_revenue_12m")
    ).drop("_ok")
    fit = BtydFit(
        r=bg.r, alpha=bg.alpha, a=bg.a, b=bg.b,
        p=gg.p if gg else None, q=gg.q if gg else None, gamma=gg.gamma if gg else None,
        customers=len(sample), log_likelihood=ll,
    )
    return frame.select("company_id").join(out, on="company_id", how="left"), fit
