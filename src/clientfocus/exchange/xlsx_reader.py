"""XLSX reader (python-calamine): sheet choice, a header below title rows, chunked records.

calamine parses a sheet in Rust and hands rows to Python one by one; it holds the sheet's
cells in memory while it is open, so memory is bounded by the unpacked-size limit checked in
`safety.check_xlsx_archive` before the workbook is opened, and the chunks handed to callers
stay small. calamine's XML parser expands no entities (no "billion laughs").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

import polars as pl
import python_calamine as calamine

from clientfocus.exchange.errors import ExchangeError, Position
from clientfocus.exchange.safety import Limits, check_xlsx_archive
from clientfocus.exchange.table import (
    HEADER_SCAN_ROWS,
    Chunk,
    blank_mask,
    find_header_row,
    tidy_frame,
    unique_headers,
)
from clientfocus.exchange.writers import unescape_text

_CALAMINE_ERRORS = (calamine.CalamineError, ValueError, OSError, EOFError)


def cell_text(value: object) -> str | None:
    """A calamine cell as the text the value parsers read: 1234.0 -> '1234', a date -> ISO."""
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is float:
        f: float = value  # type: ignore[assignment]
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is datetime:
        dt: datetime = value  # type: ignore[assignment]
        return dt.date().isoformat() if dt.time() == time(0, 0) else dt.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def open_workbook(stream: BinaryIO, limits: Limits) -> calamine.CalamineWorkbook:
    check_xlsx_archive(stream, limits)
    try:
        return calamine.CalamineWorkbook.from_filelike(stream)
    except _CALAMINE_ERRORS as exc:
        raise ExchangeError("xlsx_broken") from exc


def worksheet_names(workbook: calamine.CalamineWorkbook) -> list[str]:
    return [m.name for m in workbook.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]


class XlsxReader:
    """One sheet of a workbook. `sheet`: a name, a 0-based index, or None for the first
    visible worksheet. `header_row`: the 1-based sheet row of the header, or None to find it."""

    format = "xlsx"

    def __init__(
        self,
        stream: BinaryIO,
        limits: Limits,
        *,
        sheet: str | int | None = None,
        header_row: int | None = None,
    ) -> None:
        self._workbook = open_workbook(stream, limits)
        self.sheets = worksheet_names(self._workbook)
        self.sheet = self._choose(sheet)
        try:
            loaded = self._workbook.get_sheet_by_name(self.sheet)
            self._rows = iter(loaded.iter_rows())
        except _CALAMINE_ERRORS as exc:
            raise ExchangeError("xlsx_broken") from exc
        self._next_row = loaded.start[0] + 1 if loaded.start else 1
        head: list[list[str | None]] = []
        scan = max(HEADER_SCAN_ROWS, (header_row or 0) - self._next_row + 1)
        for values in self._rows:
            head.append([cell_text(v) for v in values])
            if len(head) >= scan:
                break
        first = self._next_row
        if header_row is None:
            index = find_header_row(head)
        else:
            index = header_row - first
            if not 0 <= index < len(head):
                raise ExchangeError("header_not_found")
        cells = list(head[index])
        while cells and not (cells[-1] or "").strip():
            cells.pop()
        if not cells:
            raise ExchangeError("header_not_found")
        if len(cells) > limits.max_columns:
            raise ExchangeError("too_many_columns", limit=limits.max_columns)
        self.headers = tuple(unique_headers([unescape_text(c) if c else c for c in cells]))
        self.header_position = Position(first + index, self.sheet)
        self._buffered = head[index + 1 :]
        self._buffered_first = first + index + 1
        self._next_row = first + len(head)

    def _choose(self, sheet: str | int | None) -> str:
        if not self.sheets:
            raise ExchangeError("xlsx_broken")
        if sheet is None:
            visible = [
                m.name
                for m in self._workbook.sheets_metadata
                if m.typ == calamine.SheetTypeEnum.WorkSheet
                and m.visible == calamine.SheetVisibleEnum.Visible
            ]
            return (visible or self.sheets)[0]
        if isinstance(sheet, int):
            if 0 <= sheet < len(self.sheets):
                return self.sheets[sheet]
            raise ExchangeError("sheet_not_found", sheet=sheet + 1)
        if sheet not in self.sheets:
            raise ExchangeError("sheet_not_found", sheet=sheet)
        return sheet

    def chunks(self, chunk_rows: int = 50_000) -> Iterator[Chunk]:
        width = len(self.headers)
        rows: list[list[str | None]] = []
        numbers: list[int] = []

        def flush() -> Chunk:
            columns = list(zip(*rows, strict=True)) if rows else [() for _ in self.headers]
            frame = pl.DataFrame(
                {
                    h: pl.Series(h, list(c), dtype=pl.String)
                    for h, c in zip(self.headers, columns, strict=True)
                }
            )
            frame = tidy_frame(frame)
            keep = ~blank_mask(frame)
            chunk = Chunk(
                frame.filter(keep),
                pl.Series(numbers, dtype=pl.Int64).filter(keep),
                self.sheet,
            )
            rows.clear()
            numbers.clear()
            return chunk

        number = self._buffered_first
        for cells in self._buffered:
            rows.append((cells + [None] * width)[:width])
            numbers.append(number)
            number += 1
            if len(rows) >= chunk_rows:
                yield flush()
        self._buffered = []
        number = self._next_row
        try:
            for values in self._rows:
                rows.append([cell_text(v) for v in values[:width]] + [None] * (width - len(values)))
                numbers.append(number)
                number += 1
                if len(rows) >= chunk_rows:
                    yield flush()
        except _CALAMINE_ERRORS as exc:
            raise ExchangeError("xlsx_broken") from exc
        if rows:
            yield flush()

    def close(self) -> None:
        self._workbook.close()
