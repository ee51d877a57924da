"""Bulk writes of a polars frame into a table: COPY on PostgreSQL, executemany on SQLite.

Used by the services that write many rows at once (sale lines and the rollup, the analysis
snapshot). SQL is built from model metadata (table and column names), never from input; values
are always bound or streamed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import polars as pl
from django.db import connection


def bulk_insert_frame(table: str, columns: Sequence[str], frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (its `columns`, in order) into `table`. Returns rows written."""
    if frame.height == 0:
        return 0
    frame = frame.select(list(columns))
    cols = ", ".join(columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            # polars writes null as an empty field and "" as a quoted one: COPY's CSV defaults.
            frame.write_csv(buf, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608
                zip(*(python_values(frame[c]) for c in columns), strict=True),
            )
    return frame.height


def python_values(column: pl.Series) -> list[object]:
    """A column as Python values for executemany. Dates go as ISO text (what Django stores in
    SQLite); an Enum column hands out its few category strings by reference."""
    if isinstance(column.dtype, pl.Enum) and column.null_count() == 0:
        labels = np.array(column.dtype.categories.to_list(), dtype=object)
        return labels[column.to_physical().to_numpy()].tolist()  # type: ignore[no-any-return]
    if column.dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").to_list()
    if column.dtype == pl.Boolean:
        return column.cast(pl.Int8).to_list()
    return column.to_list()
