"""Bulk writes of a polars frame into a table: COPY on PostgreSQL; on SQLite, the frame is
staged through Arrow and copied in by one INSERT … SELECT.

Used by the services that write many rows at once (sale lines and the rollups, the analysis
snapshot, the demo). SQL is built from model metadata (table and column names), never from
input; values are always bound, streamed or staged.

SQLite's staging path (docs/performance.md, "Import"): Python's sqlite3 binds every value of
every row from a Python object (1,000,000 sale lines: ~1 s to build the objects, ~2.5 s more to
bind them). Instead the frame is written as Arrow into a scratch database file by the ADBC
SQLite driver (values bound in C), the file's bytes are loaded into the in-memory schema
`cf_stage` that every connection attaches (config/settings.py), and one INSERT … SELECT copies
the rows across inside the caller's transaction: 1,000,000 lines in ~3.2 s against ~6.2 s
(benchmarks/bench_import.py prints both).
The scratch file is the ADBC driver's own, opened by no one else: the driver carries its own
copy of SQLite, and two copies in one process must never open the same file (see
portfolio/loaders.py).
"""

from __future__ import annotations

import io
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.db import connection

STAGE = "cf_stage"  # the in-memory schema attached to every SQLite connection (settings.py)
_STAGED_DTYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.Float32, pl.Float64, pl.String, pl.Null)


@dataclass(frozen=True, slots=True)
class Staged:
    """Rows made ready for one bulk write without touching the database (so another thread can
    make them while this one writes): for PostgreSQL the COPY's CSV, for SQLite a database image
    holding them as table `rows`. `image` is None when SQLite must bind them value by value
    (a column type the image does not carry); `frame` is then what gets bound."""

    columns: tuple[str, ...]
    frame: pl.DataFrame
    vendor: str
    image: bytes | None

    @property
    def rows(self) -> int:
        return self.frame.height


def bulk_stage(columns: Sequence[str], frame: pl.DataFrame, *, vendor: str) -> Staged:
    """Stage the rows of `frame` (its `columns`, in order) for `bulk_insert_staged` on a
    `vendor` database. Touches no database connection: safe in any thread."""
    frame = frame.select(list(columns))
    image: bytes | None = None
    if frame.height and vendor == "postgresql":
        buf = io.BytesIO()
        # polars writes null as an empty field and "" as a quoted one: COPY's CSV defaults.
        frame.write_csv(buf, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
        image = buf.getvalue()
    elif frame.height:
        stored = sqlite_storage_frame(frame)
        if stored is not None:
            image = sqlite_image(stored)
    return Staged(tuple(columns), frame, vendor, image)


def bulk_insert_frame(
    table: str, columns: Sequence[str], frame: pl.DataFrame, *, skip_conflicts: bool = False
) -> int:
    """Insert every row of `frame` (its `columns`, in order) into `table`. Returns rows written.

    `skip_conflicts`: a row whose unique key is already stored is skipped (and not counted)
    instead of failing the statement.
    """
    if frame.height == 0:
        return 0
    staged = bulk_stage(columns, frame, vendor=connection.vendor)
    return bulk_insert_staged(table, staged, skip_conflicts=skip_conflicts)


def bulk_insert_staged(table: str, staged: Staged, *, skip_conflicts: bool = False) -> int:
    """Write rows staged by `bulk_stage` into `table`, inside the caller's transaction."""
    if staged.rows == 0:
        return 0
    if staged.vendor != connection.vendor:
        raise ValueError(f"rows staged for {staged.vendor}, written to {connection.vendor}")
    cols = ", ".join(staged.columns)
    if connection.vendor == "postgresql":
        assert staged.image is not None
        return _postgres_copy(table, cols, staged.image, staged.rows, skip_conflicts=skip_conflicts)
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    if staged.image is not None and sqlite_stage_ready():
        connection.connection.deserialize(staged.image, name=STAGE)
        with connection.cursor() as cur:
            # "WHERE true": SQLite's grammar needs it between a SELECT and ON CONFLICT.
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {STAGE}.rows WHERE true{conflict}"  # noqa: S608
            )
            written = max(cur.rowcount, 0)
            cur.execute(f"DELETE FROM {STAGE}.rows")  # noqa: S608 - the stage's own table
        return written
    marks = ", ".join(["%s"] * len(staged.columns))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks}){conflict}",  # noqa: S608
            zip(*(python_values(staged.frame[c]) for c in staged.columns), strict=True),
        )
        return max(cur.rowcount, 0)


def _postgres_copy(table: str, cols: str, csv: bytes, rows: int, *, skip_conflicts: bool) -> int:
    with connection.cursor() as cur:
        target = table
        if skip_conflicts:
            # COPY has no ON CONFLICT: copy into a scratch table, then insert what is new.
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS _cf_copy_in ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            cur.execute("TRUNCATE _cf_copy_in")
            target = "_cf_copy_in"
        with cur.cursor.copy(f"COPY {target} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(csv)
        if not skip_conflicts:
            return rows
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _cf_copy_in ON CONFLICT DO NOTHING")  # noqa: S608
        written = max(cur.rowcount, 0)
        cur.execute("DROP TABLE _cf_copy_in")
        return written


def sqlite_stage_ready() -> bool:
    """Whether this SQLite connection has the staging schema (and Python can load into it)."""
    if not hasattr(sqlite3.Connection, "deserialize"):
        return False
    with connection.cursor() as cur:
        cur.execute("PRAGMA database_list")
        return any(row[1] == STAGE for row in cur.fetchall())


def sqlite_storage_frame(frame: pl.DataFrame) -> pl.DataFrame | None:
    """`frame` in the types Django stores on SQLite (dates as ISO text, booleans as 0/1), or
    None when a column has a type this path does not carry (the caller binds values instead)."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            col = col.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            col = col.cast(pl.Int8)
        elif isinstance(dtype, pl.Enum | pl.Categorical):
            col = col.cast(pl.String)
        elif dtype in (pl.UInt8, pl.UInt16, pl.UInt32) or dtype == pl.Null:
            col = col.cast(pl.Int64)
        elif dtype not in _STAGED_DTYPES:
            return None
        exprs.append(col.alias(name))
    return frame.select(exprs)


def sqlite_image(frame: pl.DataFrame) -> bytes:
    """A SQLite database image holding `frame` (storage types: sqlite_storage_frame) as table
    `rows`, written by the ADBC driver into a scratch file of its own."""
    import adbc_driver_sqlite.dbapi as adbc_sqlite

    with tempfile.TemporaryDirectory(prefix="cf-stage-") as folder:
        path = os.path.join(folder, "stage.sqlite3")
        scratch = adbc_sqlite.connect(path, autocommit=True)
        try:
            cur = scratch.cursor()
            cur.execute("PRAGMA journal_mode = OFF")
            cur.adbc_ingest("rows", frame, mode="create")
            cur.close()
        finally:
            scratch.close()
        with open(path, "rb") as handle:
            return handle.read()


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


def rows_cleared(table: str) -> None:
    """Delete every row of `table` the fastest way each database has, inside the caller's
    transaction: TRUNCATE on PostgreSQL (no dead rows left for VACUUM; it takes the table's
    exclusive lock until the commit), an unqualified DELETE on SQLite (which frees the pages
    instead of visiting the rows). For tables no foreign key points to."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {table}")
        else:
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table name


@contextmanager
def indexes_rebuilt(table: str) -> Iterator[None]:
    """Around a bulk rewrite of `table`: drop its plain indexes, run the body, create them again
    from the very statements that define them (read back from the catalogue, so they return
    exactly as the migrations made them). One sorted CREATE INDEX per index costs far less than
    keeping every B-tree in step row by row: at 100,000 analysis rows, 0.9 s against 2.4 s
    (SQLite) and 3.8 s (PostgreSQL; docs/performance.md, "Analysis end to end").

    Indexes that back a primary key or a unique constraint stay (they are part of the table's
    rules). Call inside a transaction: if the body or a CREATE fails, the indexes come back with
    the rollback. On PostgreSQL the DROP takes the table's exclusive lock until the commit, so
    readers of `table` wait for the rest of the transaction; keep what follows short. SQLite's
    readers (WAL) go on reading the last committed state.
    """
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)
                ORDER BY i.indexname
                """,
                [table, table],
            )
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL ORDER BY name",
                [table],
            )
        saved = cur.fetchall()
        for name, _sql in saved:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # CREATE INDEX refuses a table with deferred foreign-key checks still pending: run
            # them now (they would have run at the commit).
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in saved:
            cur.execute(sql)


class CheckpointsAside:
    """What `checkpoints_aside` yields: `writer()`, called in a thread that writes on its own
    connection, turns that connection's automatic checkpoints off too."""

    def __init__(self, active: bool) -> None:
        self.active = active

    def writer(self) -> None:
        if self.active:
            with connection.cursor() as cur:
                cur.execute("PRAGMA wal_autocheckpoint = 0")


@contextmanager
def checkpoints_aside(interval: float = 0.2) -> Iterator[CheckpointsAside]:
    """Around a series of write transactions on SQLite (an import's chunks): the write-ahead log
    is copied back into the database file by a second connection in a background thread,
    instead of inside the writer's COMMITs. SQLite checkpoints automatically at the commit that
    takes the log past 1,000 pages; on a 1,000,000-line import those checkpoints were ~1 s of
    the writer's time. A passive checkpoint never blocks the writer or the readers, and uses the
    machine's other core. On exit a last checkpoint copies what is left, and the writer's
    automatic checkpoints are back. PostgreSQL, and SQLite in memory: nothing to do.
    """
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
        yield CheckpointsAside(False)
        return
    timeout = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 20))
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_autocheckpoint")
        automatic = int(cur.fetchone()[0])
        cur.execute("PRAGMA wal_autocheckpoint = 0")
    stop = threading.Event()

    def run() -> None:
        # Python's own sqlite3, the same library as Django's connection: the two see each
        # other's locks (unlike the ADBC driver's bundled copy; see portfolio/loaders.py).
        aside = sqlite3.connect(name, timeout=timeout, isolation_level=None)
        try:
            while not stop.wait(interval):
                aside.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            aside.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            aside.close()

    thread = threading.Thread(target=run, name="cf-checkpoints", daemon=True)
    thread.start()
    try:
        yield CheckpointsAside(True)
    finally:
        stop.set()
        thread.join()
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA wal_autocheckpoint = {automatic:d}")
