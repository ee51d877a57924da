"""What every reader hands out: headers once, then chunks of string cells with positions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from clientfocus.exchange.errors import ExchangeError, Position
from clientfocus.exchange.mapping import header_score
from clientfocus.exchange.writers import unescape_text_expr

HEADER_SCAN_ROWS = 30  # a header below more title rows than this is not a header


@dataclass(frozen=True)
class Chunk:
    """Up to N records: `frame` has one String column per header (None = empty cell), and
    `rows[i]` is the 1-based physical line (CSV) or sheet row (XLSX) where record i starts."""

    frame: pl.DataFrame
    rows: pl.Series
    sheet: str | None = None

    def __len__(self) -> int:
        return self.frame.height

    def position(self, i: int) -> Position:
        return Position(int(self.rows[i]), self.sheet)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(self.frame.columns)


class TableReader(Protocol):
    """A CSV or XLSX table: `headers` known after opening, records streamed by `chunks`."""

    format: str
    headers: tuple[str, ...]
    header_position: Position

    def chunks(self, chunk_rows: int = 50_000) -> Iterator[Chunk]: ...

    def close(self) -> None: ...


def find_header_row(rows: Sequence[Sequence[str | None]]) -> int:
    """Index of the header among the first rows: the row with most known column names; if no
    row has any, the first row as wide as the table's usual width (titles are narrower)."""
    scan = list(rows[:HEADER_SCAN_ROWS])
    if not scan:
        raise ExchangeError("header_not_found")
    scores = [header_score(r) for r in scan]
    best = max(scores)
    if best > 0:
        return scores.index(best)
    widths = [sum(1 for c in r if c not in (None, "")) for r in scan]
    widest = max(widths)
    if widest == 0:
        raise ExchangeError("header_not_found")
    return widths.index(widest)


def unique_headers(cells: Sequence[str | None]) -> list[str]:
    """Header texts made unique and non-empty: '', 'Сумма', 'Сумма' -> 'Колонка 1', 'Сумма',
    'Сумма (2)'. Trailing empty headers (a trailing delimiter) keep their place too."""
    out: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells, start=1):
        base = (cell or "").strip() or f"Колонка {i}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        out.append(name)
    return out


def tidy_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty strings become None and our own formula-neutralising apostrophe is removed.

    Columns are checked first (two cheap scans), so a clean column is not rewritten."""
    if not frame.columns or frame.height == 0:
        return frame
    stats = frame.select(
        *(pl.col(c).str.starts_with("'").any().alias(f"q{i}") for i, c in enumerate(frame.columns)),
        *((pl.col(c).str.len_bytes() == 0).any().alias(f"e{i}") for i, c in enumerate(frame.columns)),
    ).row(0)
    width = len(frame.columns)
    exprs = []
    for i, name in enumerate(frame.columns):
        col = pl.col(name)
        quoted, empty = stats[i], stats[width + i]
        if not (quoted or empty):
            continue
        expr = unescape_text_expr(col) if quoted else col
        if empty:
            expr = pl.when(col.str.len_bytes() == 0).then(None).otherwise(expr)
        exprs.append(expr.alias(name))
    return frame.with_columns(exprs) if exprs else frame


def blank_mask(frame: pl.DataFrame) -> pl.Series:
    """True for records with no cell at all (blank lines, ';;;;' rows): the readers skip them.
    Rows of spaces only are left to the validator, which skips rows with no mapped value."""
    if not frame.columns:
        return pl.Series(values=[True] * frame.height, dtype=pl.Boolean)
    return frame.select(pl.all_horizontal(pl.col(c).is_null() for c in frame.columns)).to_series()
