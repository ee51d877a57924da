"""Numbers in reason sentences: percentages and money, scalar and as polars expressions.

Sentences round for reading (1,23 млн ₽); the exact kopecks stay in the numeric columns.
"""

from __future__ import annotations

import polars as pl

_SYMBOL_RU = {"RUB": "₽"}


def pct(x: float, digits: int = 0) -> str:
    return f"{x * 100:.{digits}f}%"


def money(kopecks: int, currency: str = "RUB", lang: str = "en") -> str:
    """1234567800 kopecks -> '12.35 m RUB' (en) / '12,35 млн ₽' (ru)."""
    rub = kopecks / 100
    sign = "-" if rub < 0 else ""
    a = abs(rub)
    if lang == "ru":
        unit = _SYMBOL_RU.get(currency, currency)
        if a >= 1e6:
            s = f"{a / 1e6:.2f} млн"
        elif a >= 1e3:
            s = f"{a / 1e3:.1f} тыс."
        else:
            s = f"{a:.0f}"
        return f"{sign}{s.replace('.', ',', 1)} {unit}"
    if a >= 1e6:
        s = f"{a / 1e6:.2f}m"
    elif a >= 1e3:
        s = f"{a / 1e3:.1f}k"
    else:
        s = f"{a:.0f}"
    return f"{sign}{s} {currency}"


def fixed(x: pl.Expr, digits: int) -> pl.Expr:
    """"%.Nf" as an expression: sign, integer part and zero-padded fraction (no float repr)."""
    scale = 10**digits
    scaled = (x * scale).round(0).cast(pl.Int64)
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    mag = scaled.abs()
    if digits == 0:
        return pl.format("{}{}", sign, mag.cast(pl.String))
    return pl.format(
        "{}{}.{}", sign, (mag // scale).cast(pl.String),
        (mag % scale).cast(pl.String).str.zfill(digits),
    )


def money_expr(col: pl.Expr, currency: str, lang: str) -> pl.Expr:
    """Vectorised :func:`money` (same output) for reason columns: one format per row, the unit
    and the number of decimals chosen arithmetically (a when/then per unit would format every
    row three times)."""
    a = col.cast(pl.Float64).abs() / 100.0
    big = a >= 1e6
    mid = a >= 1e3
    digits = pl.when(big).then(2).when(mid).then(1).otherwise(0)
    scale = pl.when(big).then(100).when(mid).then(10).otherwise(1)
    div = pl.when(big).then(1e6).when(mid).then(1e3).otherwise(1.0)
    scaled = (a / div * scale).round(0).cast(pl.Int64)
    whole = (scaled // scale).cast(pl.String)
    frac = (scaled % scale).cast(pl.String).str.zfill(digits)
    point = "," if lang == "ru" else "."
    number = pl.when(digits > 0).then(pl.format("{}{}{}", whole, pl.lit(point), frac)).otherwise(
        whole)
    if lang == "ru":
        unit = _SYMBOL_RU.get(currency, currency)
        suffix = pl.when(big).then(pl.lit(f" млн {unit}")).when(mid).then(
            pl.lit(f" тыс. {unit}")).otherwise(pl.lit(f" {unit}"))
    else:
        suffix = pl.when(big).then(pl.lit(f"m {currency}")).when(mid).then(
            pl.lit(f"k {currency}")).otherwise(pl.lit(f" {currency}"))
    sign = pl.when(col < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, number, suffix])


def pct_expr(col: pl.Expr, digits: int = 0) -> pl.Expr:
    return pl.format("{}%", fixed(col * 100, digits))
