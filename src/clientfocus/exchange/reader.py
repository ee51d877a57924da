"""`open_table`: the one entry point for reading a file, whatever its format."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import BinaryIO

from clientfocus.exchange.csv_reader import CsvReader
from clientfocus.exchange.errors import ExchangeError
from clientfocus.exchange.safety import DEFAULT_LIMITS, Limits, Source, open_source
from clientfocus.exchange.table import TableReader
from clientfocus.exchange.xlsx_reader import XlsxReader, open_workbook, worksheet_names

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other compound documents


def _sniff_format(stream: BinaryIO) -> str:
    start = stream.tell()
    magic = stream.read(8)
    stream.seek(start)
    if magic.startswith(_ZIP):
        return "xlsx"
    if magic.startswith(_OLE):
        raise ExchangeError("file_xls_old")
    return "csv"


@contextlib.contextmanager
def open_table(
    source: Source,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[TableReader]:
    """Open a CSV/TSV or XLSX table (told apart by content, never by file name).

    `header_row` is the 1-based line (CSV) or sheet row (XLSX) of the header, found
    automatically when None. `sheet` (XLSX only) is a name or 0-based index. `delimiter` and
    `encoding` (CSV only) override detection. Raises ExchangeError for unreadable files.

        with open_table(path) as table:
            mapping = auto_map(table.headers, Kind.SALES)
            for chunk in table.chunks(50_000): ...
    """
    with open_source(source, limits) as stream:
        reader: TableReader
        if _sniff_format(stream) == "xlsx":
            reader = XlsxReader(stream, limits, sheet=sheet, header_row=header_row)
        else:
            reader = CsvReader(stream, limits, header_row=header_row, delimiter=delimiter, encoding=encoding)
        try:
            yield reader
        finally:
            reader.close()


def list_sheets(source: Source, *, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Worksheet names of an XLSX file in workbook order; a CSV file has none ([])."""
    with open_source(source, limits) as stream:
        if _sniff_format(stream) != "xlsx":
            return []
        workbook = open_workbook(stream, limits)
        try:
            return worksheet_names(workbook)
        finally:
            workbook.close()
