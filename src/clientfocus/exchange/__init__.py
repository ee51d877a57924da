"""Files in and out, framework-free: readers (CSV/TSV, XLSX), value parsers, column mapping,
bulk row validation and safe writers. Never imports Django or another clientfocus package.

Reading a sales file (the CLI, the import wizard and `analyze --sales FILE` all do this):

    from clientfocus.exchange import Kind, RecordValidator, auto_map, open_table

    with open_table(path_or_uploaded_stream, limits=Limits(max_bytes=50 * MiB)) as table:
        mapping = saved_mapping or auto_map(table.headers, Kind.SALES)
        validator = RecordValidator(mapping, headers=table.headers, today=as_of)
        for chunk in table.chunks(50_000):
            checked = validator.validate(chunk)
            checked.records   # polars frame: row + typed fields (money in kopecks)
            checked.errors    # [RowError]; e.text() -> «строка 17, колонка ИНН: …»
"""

# Names are imported on first use (PEP 562): `clientfocus.exchange.inn` is imported by the
# Django models, which must not pay for polars and calamine at start-up.
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientfocus.exchange.errors import ExchangeError, Position, RowError
    from clientfocus.exchange.mapping import (
        FIELDS,
        ColumnMapping,
        FieldType,
        Kind,
        TargetField,
        auto_map,
        fields_of,
        header_key,
    )
    from clientfocus.exchange.messages import MESSAGES, Lang, message
    from clientfocus.exchange.names import company_name_key
    from clientfocus.exchange.reader import list_sheets, open_table
    from clientfocus.exchange.records import FileRecords, read_records
    from clientfocus.exchange.safety import DEFAULT_LIMITS, Limits, MiB, Source
    from clientfocus.exchange.table import Chunk, TableReader
    from clientfocus.exchange.validate import (
        RecordValidator,
        ValidatedChunk,
        parse_column,
        record_schema,
    )
    from clientfocus.exchange.values import (
        ValueProblem,
        parse_activity_kind,
        parse_date,
        parse_datetime,
        parse_decimal,
        parse_email,
        parse_inn,
        parse_int,
        parse_kpp,
        parse_money,
        parse_quantity,
    )
    from clientfocus.exchange.writers import (
        Column,
        escape_text,
        unescape_text,
        write_csv,
        write_xlsx,
    )

_WHERE = {
    "Chunk": "clientfocus.exchange.table",
    "Column": "clientfocus.exchange.writers",
    "ColumnMapping": "clientfocus.exchange.mapping",
    "DEFAULT_LIMITS": "clientfocus.exchange.safety",
    "ExchangeError": "clientfocus.exchange.errors",
    "FIELDS": "clientfocus.exchange.mapping",
    "FieldType": "clientfocus.exchange.mapping",
    "FileRecords": "clientfocus.exchange.records",
    "Kind": "clientfocus.exchange.mapping",
    "Lang": "clientfocus.exchange.messages",
    "Limits": "clientfocus.exchange.safety",
    "MESSAGES": "clientfocus.exchange.messages",
    "MiB": "clientfocus.exchange.safety",
    "Position": "clientfocus.exchange.errors",
    "RecordValidator": "clientfocus.exchange.validate",
    "RowError": "clientfocus.exchange.errors",
    "Source": "clientfocus.exchange.safety",
    "TableReader": "clientfocus.exchange.table",
    "TargetField": "clientfocus.exchange.mapping",
    "ValidatedChunk": "clientfocus.exchange.validate",
    "ValueProblem": "clientfocus.exchange.values",
    "auto_map": "clientfocus.exchange.mapping",
    "company_name_key": "clientfocus.exchange.names",
    "escape_text": "clientfocus.exchange.writers",
    "fields_of": "clientfocus.exchange.mapping",
    "header_key": "clientfocus.exchange.mapping",
    "list_sheets": "clientfocus.exchange.reader",
    "message": "clientfocus.exchange.messages",
    "open_table": "clientfocus.exchange.reader",
    "parse_activity_kind": "clientfocus.exchange.values",
    "parse_column": "clientfocus.exchange.validate",
    "parse_date": "clientfocus.exchange.values",
    "parse_datetime": "clientfocus.exchange.values",
    "parse_decimal": "clientfocus.exchange.values",
    "parse_email": "clientfocus.exchange.values",
    "parse_inn": "clientfocus.exchange.values",
    "parse_int": "clientfocus.exchange.values",
    "parse_kpp": "clientfocus.exchange.values",
    "parse_money": "clientfocus.exchange.values",
    "parse_quantity": "clientfocus.exchange.values",
    "read_records": "clientfocus.exchange.records",
    "record_schema": "clientfocus.exchange.validate",
    "unescape_text": "clientfocus.exchange.writers",
    "write_csv": "clientfocus.exchange.writers",
    "write_xlsx": "clientfocus.exchange.writers",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "DEFAULT_LIMITS",
    "FIELDS",
    "MESSAGES",
    "Chunk",
    "Column",
    "ColumnMapping",
    "ExchangeError",
    "FieldType",
    "FileRecords",
    "Kind",
    "Lang",
    "Limits",
    "MiB",
    "Position",
    "RecordValidator",
    "RowError",
    "Source",
    "TableReader",
    "TargetField",
    "ValidatedChunk",
    "ValueProblem",
    "auto_map",
    "company_name_key",
    "escape_text",
    "fields_of",
    "header_key",
    "list_sheets",
    "message",
    "open_table",
    "parse_activity_kind",
    "parse_column",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_email",
    "parse_inn",
    "parse_int",
    "parse_kpp",
    "parse_money",
    "parse_quantity",
    "read_records",
    "record_schema",
    "unescape_text",
    "write_csv",
    "write_xlsx",
]
