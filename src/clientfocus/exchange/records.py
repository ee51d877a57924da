"""One call from a file to typed records and errors, for callers that can hold the result in
memory: `clientfocus analyze --sales FILE`, small imports, tests. Large imports iterate
`open_table(...).chunks()` with a `RecordValidator` instead, writing chunk by chunk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from clientfocus.exchange.errors import RowError
from clientfocus.exchange.mapping import ColumnMapping, Kind, auto_map
from clientfocus.exchange.reader import open_table
from clientfocus.exchange.safety import DEFAULT_LIMITS, Limits, Source
from clientfocus.exchange.validate import RecordValidator, record_schema


@dataclass(frozen=True)
class FileRecords:
    records: pl.DataFrame  # good records, schema `record_schema(kind)`
    errors: list[RowError]  # every bad cell, in file order
    mapping: ColumnMapping  # the one used (automatic unless given)
    headers: tuple[str, ...]
    rows_read: int  # records read, blank and total lines not counted


def read_records(
    source: Source,
    kind: Kind,
    *,
    today: date,
    mapping: ColumnMapping | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    chunk_rows: int = 100_000,
) -> FileRecords:
    """Read, map (automatically unless `mapping` is given) and validate a whole file.

    Raises ExchangeError when the file cannot be read or a required field has no column."""
    with open_table(source, sheet=sheet, header_row=header_row, limits=limits) as table:
        used = mapping or auto_map(table.headers, kind)
        validator = RecordValidator(used, headers=table.headers, today=today)
        frames: list[pl.DataFrame] = []
        errors: list[RowError] = []
        read = 0
        for chunk in table.chunks(chunk_rows):
            checked = validator.validate(chunk)
            frames.append(checked.records)
            errors += checked.errors
            read += checked.rows_read
        records = pl.concat(frames) if frames else pl.DataFrame(schema=record_schema(kind))
        return FileRecords(records, errors, used, table.headers, read)
