"""XLSX and CSV writers for a list of columns and rows, safe to open in a spreadsheet.

Formula injection (CWE-1236). A text cell whose first character after leading spaces is
`=`, `+`, `-`, `@`, tab or CR could run as a formula when the file is opened, so it is written
with one apostrophe in front ("'=1+2"). To make the scheme reversible, a text that itself
starts with an apostrophe is prefixed too ("'abc" is written "''abc"). The readers remove one
leading apostrophe exactly when what follows is such a text (dangerous, or starting with an
apostrophe), so export → import returns every text unchanged, while an apostrophe typed by
someone else before an ordinary word ("'Ромашка'") survives an import untouched.
Only text is escaped: numbers and dates stay typed (XLSX) or plain numerals (CSV).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, Final, Literal

import polars as pl

Cell = str | int | float | Decimal | date | datetime | bool | None
ColumnType = Literal["text", "number", "money", "date", "datetime"]

_DANGER: Final = re.compile(r"^ *[=+\-@\t\r]")
_ESCAPED_PATTERN: Final = r"^'(?:'| *[=+\-@\t\r])"
_XML_ESCAPE: Final = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def _xlsx_text(text: str) -> str:
    """Escape what XML would lose (a carriage return, control characters) the OOXML way,
    `_x000D_`, and a literal `_x0041_`-like run as `_x005F_x0041_`; Excel and calamine
    decode these, so the text read back is the text written."""
    escaped = _XML_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if escaped.isspace():  # readers drop whitespace-only XML text; keep it as an escape
        escaped = f"_x{ord(escaped[0]):04X}_" + escaped[1:]
    return escaped


def needs_escape(text: str) -> bool:
    return text.startswith("'") or _DANGER.match(text) is not None


def escape_text(text: str) -> str:
    """'=1+2' -> "'=1+2"; "'abc" -> "''abc"; 'abc' -> 'abc'."""
    return "'" + text if needs_escape(text) else text


def unescape_text(text: str) -> str:
    """The exact inverse of `escape_text` on its outputs; other texts pass unchanged."""
    return text[1:] if text.startswith("'") and needs_escape(text[1:]) else text


def unescape_text_expr(col: pl.Expr) -> pl.Expr:
    """`unescape_text` as a polars expression over a String column."""
    return pl.when(col.str.contains(_ESCAPED_PATTERN)).then(col.str.slice(1)).otherwise(col)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of an export. `money` cells are integer kopecks, written as roubles."""

    header: str
    type: ColumnType = "text"


def _columns(columns: Sequence[Column | str]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def _typed(value: Cell, column: Column) -> Cell:
    if isinstance(value, str):
        return escape_text(value)
    if column.type == "money" and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value).scaleb(-2)
    return value


Target = str | os.PathLike[str] | BinaryIO


def write_xlsx(
    target: Target,
    columns: Sequence[Column | str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str = "Данные",
) -> None:
    """Stream rows into one sheet (openpyxl write-only mode: memory stays flat)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cols = _columns(columns)
    formats = {"money": "#,##0.00", "date": "DD.MM.YYYY", "datetime": "DD.MM.YYYY HH:MM:SS"}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for col in cols:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(escape_text(col.header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        out = []
        for value, col in zip(row, cols, strict=True):
            typed = _typed(value, col)
            if isinstance(typed, str):
                typed = _xlsx_text(typed)
            cell = WriteOnlyCell(sheet, value=typed)
            if isinstance(typed, datetime):
                cell.number_format = formats["datetime"]
            elif isinstance(typed, date):
                cell.number_format = formats["date"]
            elif col.type in formats and isinstance(typed, (int, float, Decimal)):
                cell.number_format = formats[col.type]
            out.append(cell)
        sheet.append(out)
    workbook.save(target)


CsvVariant = Literal["excel-ru", "utf8"]


def _csv_text(value: Cell, column: Column, variant: CsvVariant) -> str:
    typed = _typed(value, column)
    if typed is None:
        return ""
    if isinstance(typed, bool):
        return "1" if typed else "0"
    if isinstance(typed, datetime):
        return typed.strftime("%d.%m.%Y %H:%M:%S") if variant == "excel-ru" else typed.isoformat()
    if isinstance(typed, date):
        return typed.strftime("%d.%m.%Y") if variant == "excel-ru" else typed.isoformat()
    if isinstance(typed, (int, float, Decimal)):
        text = format(typed, "f") if isinstance(typed, Decimal) else repr(typed)
        return text.replace(".", ",") if variant == "excel-ru" else text
    return typed


def write_csv(
    target: Target,
    columns: Sequence[Column | str],
    rows: Iterable[Sequence[Cell]],
    *,
    variant: CsvVariant = "excel-ru",
) -> None:
    """UTF-8 with BOM (so Excel knows the encoding), CRLF lines, minimal quoting.

    `excel-ru`: `;` between fields, decimal comma, dates as 31.12.2025 — what Russian Excel
    opens by double-click. `utf8`: `,` between fields, decimal point, ISO dates.
    """
    cols = _columns(columns)
    delimiter = ";" if variant == "excel-ru" else ","
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as handle:
            _write_csv_stream(handle, cols, rows, variant, delimiter)
    else:
        _write_csv_stream(target, cols, rows, variant, delimiter)


def _write_csv_stream(
    handle: BinaryIO,
    cols: list[Column],
    rows: Iterable[Sequence[Cell]],
    variant: CsvVariant,
    delimiter: str,
) -> None:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([escape_text(c.header) for c in cols])
        for row in rows:
            writer.writerow([_csv_text(v, c, variant) for v, c in zip(row, cols, strict=True)])
        text.flush()
    finally:
        text.detach()  # the caller's stream stays open
