"""The only writer of sale lines and of the rollups (ARCHITECTURE.md, invariant 4).

Two rollups are kept: monthly (MonthlySales, what the analysis reads for whole months) and
daily (DailySales, what it reads for the few edge months a window boundary cuts). Every path
that adds or removes lines — one line from a form, a bulk import, the demo load — ends by
bringing both in step for the company × month cells it touched (a month cell covers its days),
inside the same transaction, so the analysis never reads a rollup that disagrees with the lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.companies.models import Company, Status
from clientfocus.portfolio.staleness import data_changed
from clientfocus.sales.models import DailySales, MonthlySales, Sale

if TYPE_CHECKING:
    import polars as pl

    from clientfocus.core.bulk import Staged

Progress = Callable[[int], None]

SALE_COLUMNS = (
    "company_id",
    "date",
    "invoice",
    "line_no",
    "amount_minor",
    "margin_minor",
    "product_group",
    "key",
)


@dataclass(frozen=True, slots=True)
class SaleLine:
    company_id: int
    date: dt.date
    invoice: str
    line_no: int
    amount_minor: int
    margin_minor: int | None = None
    product_group: str = ""
    key: str = ""

    def with_key(self) -> SaleLine:
        if self.key:
            return self
        return SaleLine(
            self.company_id,
            self.date,
            self.invoice,
            self.line_no,
            self.amount_minor,
            self.margin_minor,
            self.product_group,
            sale_key(self),
        )


def sale_key(line: SaleLine) -> str:
    """Invoice number + line number, or a content hash when the source has no invoice number."""
    if line.invoice:
        return f"{line.invoice}#{line.line_no}"[:96]
    parts = (
        line.company_id,
        line.date.isoformat(),
        line.amount_minor,
        line.margin_minor,
        line.product_group,
        line.line_no,
    )
    raw = "|".join(str(p) for p in parts)
    return "h:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- single-line writes ---------------------------------------------------------------------


def sale_create(
    *,
    actor: User | None,
    company: Company,
    date: dt.date,
    invoice: str,
    line_no: int,
    amount_minor: int,
    margin_minor: int | None = None,
    product_group: str = "",
) -> Sale:
    line = SaleLine(company.pk, date, invoice, line_no, amount_minor, margin_minor, product_group).with_key()
    with transaction.atomic():
        sale = Sale.objects.create(
            **{c: getattr(line, c) for c in SALE_COLUMNS if c != "company_id"}, company=company
        )
        rollup_refresh({(company.pk, month_start(date))})
        _promote_buyers({company.pk})
        data_changed()
        audit_record(actor=actor, action="sale_create", obj=sale, details={"amount_minor": amount_minor})
    return sale


def sale_delete(*, actor: User | None, sale: Sale) -> None:
    with transaction.atomic():
        cell = (sale.company_id, month_start(sale.date))
        audit_record(actor=actor, action="sale_delete", obj=sale, details={"key": sale.key})
        sale.delete()
        rollup_refresh({cell})
        data_changed()


# --- bulk writes ----------------------------------------------------------------------------


def sales_bulk_insert(
    *,
    actor: User | None,
    lines: Iterable[SaleLine],
    batch_size: int = 50_000,
    progress: Progress | None = None,
) -> int:
    """Insert lines whose key is not stored yet; bring the rollup in step. Returns lines added.

    Idempotent: a line whose key exists is skipped, so re-importing a file changes nothing and
    a newer export that overlaps an older one adds only the new lines.
    """
    added = 0
    touched: set[tuple[int, dt.date]] = set()
    with transaction.atomic():
        batch: list[SaleLine] = []
        for line in lines:
            batch.append(line.with_key())
            if len(batch) >= batch_size:
                added += _insert_new(batch, touched)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            added += _insert_new(batch, touched)
            if progress:
                progress(len(batch))
        rollup_refresh(touched)
        _promote_buyers({c for c, _m in touched})
        if added:
            data_changed()
        audit_record(
            actor=actor, action="sales_bulk_insert", object_type="sales.sale", details={"added": added}
        )
    return added


def _insert_new(batch: Sequence[SaleLine], touched: set[tuple[int, dt.date]]) -> int:
    table = Sale._meta.db_table
    cols = ", ".join(SALE_COLUMNS)
    rows = [
        (
            ln.company_id,
            ln.date,
            ln.invoice,
            ln.line_no,
            ln.amount_minor,
            ln.margin_minor,
            ln.product_group,
            ln.key,
        )
        for ln in batch
    ]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _sale_in ON COMMIT DROP AS "
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            cur.execute("TRUNCATE _sale_in")
            _copy_rows(cur, "_sale_in", rows)
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _sale_in ON CONFLICT (key) DO NOTHING"
            )
        else:
            marks = ", ".join(["%s"] * len(SALE_COLUMNS))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT (key) DO NOTHING", rows
            )
        # rowcount counts inserted rows only: conflicts (lines already stored) are not counted.
        added = max(cur.rowcount, 0)
    touched.update((ln.company_id, month_start(ln.date)) for ln in batch)
    return added


def _copy_rows(cur: object, table: str, rows: Sequence[tuple[object, ...]]) -> None:
    """COPY rows into a PostgreSQL table through psycopg 3 (no per-row INSERT)."""
    cols = ", ".join(SALE_COLUMNS) if table != MonthlySales._meta.db_table else ", ".join(ROLLUP_COLUMNS)
    raw = cur.cursor if hasattr(cur, "cursor") else cur  # Django's CursorWrapper -> psycopg cursor
    with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


def copy_csv(table: str, columns: Sequence[str], payload: io.BytesIO | bytes) -> None:
    """Stream CSV bytes into `table` with PostgreSQL's COPY (the demo's bulk path)."""
    data = payload.getvalue() if isinstance(payload, io.BytesIO) else payload
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
        copy.write(data)


# --- the rollup -----------------------------------------------------------------------------

ROLLUP_COLUMNS = (
    "company_id", "month", "revenue_minor", "margin_minor", "invoices", "lines", "first_day", "last_day"
)


def rollup_refresh(cells: Iterable[tuple[int, dt.date]], *, chunk: int = 500) -> None:
    """Rebuild the rollup rows of the given company × month cells from the sale lines.

    Works company by company in chunks: for each chunk, every month between the earliest and
    latest touched month is rebuilt (rebuilding a cell from its lines is always correct, so the
    rectangle is a safe superset and keeps this to two statements per chunk).
    """
    by_company: dict[int, list[dt.date]] = defaultdict(list)
    for company_id, month in cells:
        by_company[company_id].append(month)
    ids = sorted(by_company)
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        lo = min(min(by_company[c]) for c in part)
        hi = max(max(by_company[c]) for c in part)
        MonthlySales.objects.filter(company_id__in=part, month__gte=lo, month__lte=hi).delete()
        DailySales.objects.filter(company_id__in=part, day__gte=lo, day__lt=next_month(hi)).delete()
        rows = rollup_from_lines(company_ids=part, start=lo, end=next_month(hi))
        rollup_bulk_load(rows)
        days = rollup_from_lines(company_ids=part, start=lo, end=next_month(hi), by_day=True)
        daily_bulk_load(days)


def month_expr(column: str) -> str:
    """SQL for the first day of the month of a date column, in this database's dialect."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"strftime('%Y-%m-01', {column})"


def rollup_from_lines(
    *, company_ids: Sequence[int] | None, start: dt.date | None, end: dt.date | None, by_day: bool = False
) -> list[tuple[int, dt.date, int, int | None, int, int, dt.date | None, dt.date | None]]:
    """Aggregate sale lines into rollup rows (company, month or day, revenue, margin, purchases,
    lines, first_day, last_day) for lines with start <= date < end.

    Two levels: first per (company, day, invoice) — a purchase is an invoice whose net amount
    that day is positive — then per month (or per day, for the edge months the analysis reads
    at day granularity). Margin is null as soon as one line lacks it.
    """
    where, params = ["1 = 1"], []
    if company_ids is not None:
        where.append(f"company_id IN ({', '.join(['%s'] * len(company_ids))})")
        params += list(company_ids)
    if start is not None:
        where.append("date >= %s")
        params.append(start)
    if end is not None:
        where.append("date < %s")
        params.append(end)
    period = "date" if by_day else month_expr("date")
    sql = f"""
        WITH inv AS (
            SELECT company_id, date, invoice, SUM(amount_minor) AS net, COUNT(*) AS n,
                   COUNT(margin_minor) AS n_margin, SUM(margin_minor) AS margin
            FROM {Sale._meta.db_table}
            WHERE {" AND ".join(where)}
            GROUP BY company_id, date, invoice
        )
        SELECT company_id, {period} AS period, SUM(net),
               CASE WHEN SUM(n_margin) = SUM(n) THEN SUM(margin) END,
               SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END), SUM(n),
               MIN(CASE WHEN net > 0 THEN date END), MAX(CASE WHEN net > 0 THEN date END)
        FROM inv
        GROUP BY company_id, {period}
    """
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [
            (r[0], _as_date(r[1]), int(r[2]), None if r[3] is None else int(r[3]), int(r[4]), int(r[5]),
             _as_date(r[6]) if r[6] is not None else None, _as_date(r[7]) if r[7] is not None else None)
            for r in cur.fetchall()
        ]


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def rollup_rebuild_all() -> int:
    """Rebuild the whole rollup from the lines (repair, and the tests that check the invariant)."""
    with transaction.atomic():
        MonthlySales.objects.all().delete()
        DailySales.objects.all().delete()
        rows = rollup_from_lines(company_ids=None, start=None, end=None)
        for k in range(0, len(rows), 50_000):
            rollup_bulk_load(rows[k : k + 50_000])
        days = rollup_from_lines(company_ids=None, start=None, end=None, by_day=True)
        for k in range(0, len(days), 50_000):
            daily_bulk_load(days[k : k + 50_000])
    return len(rows)


DAILY_COLUMNS = ("company_id", "day", "revenue_minor", "margin_minor", "invoices", "lines")


def daily_bulk_load(rows: Sequence[tuple[object, ...]]) -> None:
    """Write daily rollup rows (rollup_from_lines(by_day=True) rows: their first six fields) of
    cells the caller has just cleared or that had no lines before."""
    if not rows:
        return
    table = DailySales._meta.db_table
    values = [tuple(r[:6]) for r in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({', '.join(DAILY_COLUMNS)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(DAILY_COLUMNS))
            cur.executemany(f"INSERT INTO {table} ({', '.join(DAILY_COLUMNS)}) VALUES ({marks})", values)


def rollup_bulk_load(rows: Sequence[tuple[object, ...]]) -> None:
    """Write rollup rows computed alongside a fresh bulk load of lines (the demo path).

    The caller guarantees these companies had no lines before; the rows are the exact
    aggregate of the lines it just wrote (checked by tests against rollup_rebuild_all).
    """
    table = MonthlySales._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            _copy_rows(cur, table, rows)
        else:
            marks = ", ".join(["%s"] * len(ROLLUP_COLUMNS))
            cur.executemany(f"INSERT INTO {table} ({', '.join(ROLLUP_COLUMNS)}) VALUES ({marks})", rows)


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _promote_buyers(company_ids: set[int]) -> None:
    """PRODUCT.md: a company with a purchase is at least CLIENT (the funnel only moves forward).
    One statement, whatever the number of companies (an import chunk has thousands)."""
    import json

    if not company_ids:
        return
    table = Company._meta.db_table
    params: list[object] = [Status.CLIENT, Status.SUSPECT, Status.PROSPECT]
    if connection.vendor == "postgresql":
        where, ids = "id = ANY(%s::bigint[])", sorted(company_ids)
    else:
        where, ids = "id IN (SELECT value FROM json_each(%s))", json.dumps(sorted(company_ids))
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET status = %s WHERE status IN (%s, %s) AND {where}",
            [*params, ids],
        )


# --- fresh bulk load (demo) ---------------------------------------------------------------
#
# The demo generator writes millions of lines for companies that have none yet. It computes the
# rollup of those lines itself (vectorised, in the same pass), so this path neither looks keys
# up nor re-aggregates in SQL; tests compare its rollup with rollup_rebuild_all().


def sales_fresh_load(*, lines: pl.DataFrame, rollup: pl.DataFrame) -> int:
    """Write new sale lines of companies without lines yet, and the rollup rows of exactly those
    lines. Returns the lines written.

    `lines` has the columns of SALE_COLUMNS (dates as 'YYYY-MM-DD' text, keys unique and not
    stored yet); `rollup` those of ROLLUP_COLUMNS. PostgreSQL: COPY of CSV bytes that polars
    writes in bulk; SQLite: one executemany per table. Call inside a transaction, so the lines
    and their rollup are committed together.
    """
    _fresh_write(Sale._meta.db_table, SALE_COLUMNS, lines)
    _fresh_write(MonthlySales._meta.db_table, ROLLUP_COLUMNS, rollup)
    # The daily rollup of the same lines, aggregated here (dates stay 'YYYY-MM-DD' text: the
    # grouping only needs equality, and the text is what the write sends anyway).
    frame = lines.select("company_id", "date", "invoice", "amount_minor", "margin_minor")
    _fresh_write(DailySales._meta.db_table, DAILY_COLUMNS, _daily_frame(frame.rename({"date": "day"})))
    data_changed()
    return lines.height


def _fresh_write(table: str, columns: Sequence[str], frame: pl.DataFrame) -> None:
    from clientfocus.core.bulk import bulk_insert_frame

    bulk_insert_frame(table, columns, frame)


@contextmanager
def sales_fresh_load_session(*, large: bool) -> Iterator[None]:
    """Around a large fresh load on SQLite: drop the secondary indexes of the sale lines and
    recreate them afterwards from the very statements that created them (read back from
    sqlite_master, so they come back exactly as the migration made them). One sorted CREATE
    INDEX is cheaper than keeping three B-trees in step row by row. PostgreSQL, and small loads,
    keep their indexes.
    """
    if not large or connection.vendor != "sqlite":
        yield
        return
    table = Sale._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        saved = cur.fetchall()
        for name, _sql in saved:
            cur.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cur:
            # The sort behind CREATE INDEX spills to temporary files beyond the page cache;
            # with temp_store=MEMORY (our setting) those "files" are RAM — 1 GB at 10M lines.
            # (SQLite refuses to change it inside a transaction: then the setting stays.)
            cur.execute("PRAGMA temp_store")
            temp_store = int(cur.fetchone()[0])
            spill = not connection.in_atomic_block
            if spill:
                cur.execute("PRAGMA temp_store = FILE")
            try:
                for _name, sql in saved:
                    cur.execute(sql)
            finally:
                if spill:
                    cur.execute(f"PRAGMA temp_store = {temp_store:d}")


# --- imports: a polars frame of lines at a time -------------------------------------------------
#
# The import pipeline (imports/) hands over one chunk of already validated lines with their keys.
# Lines whose key is stored are skipped (idempotent re-import); the new lines' rollup cells are
# computed here in polars when the cell had no lines before the chunk (the usual case: the rollup
# of an empty cell is exactly the aggregate of the lines just added), and rebuilt from the lines
# in SQL otherwise (a cell that already had lines, or one a concurrent writer touched).
#
# Three steps, so that an import can overlap them across chunks: `sales_import_prepare` (no
# database: keys, cells, the rollup rows, everything staged for the bulk writes),
# `sales_import_lines` (the lines and their rollup rows) and `sales_import_done` (buyers become
# clients, the analysis becomes stale). `sales_import_frame` runs the three in a row.


@dataclass(frozen=True, slots=True)
class SalesFrameResult:
    added: int
    present: int  # lines whose key was already stored (or repeated within the frame)
    cells: int  # rollup cells brought in step
    companies: tuple[int, ...] = ()  # the companies of the lines


@dataclass(frozen=True, slots=True)
class PreparedSales:
    """One chunk of lines made ready to write, without the database (any thread may make it)."""

    total: int  # lines handed over (repeated keys included)
    frame: pl.DataFrame  # SALE_COLUMNS + _month, one line per key, in key order
    cells: pl.DataFrame  # company_id, _month: the rollup cells the lines fall in
    lines: Staged
    monthly: Staged | None  # the cells' rollup rows as if none had lines before (None: not made)
    daily: Staged | None


def sales_import_prepare(lines: pl.DataFrame, *, vendor: str, rollups: bool = True) -> PreparedSales:
    """`lines`: columns SALE_COLUMNS, `date` a polars Date, `key` filled. `rollups`: also make
    the rollup rows (what a chunk whose cells have no lines yet writes)."""
    import polars as pl

    from clientfocus.core.bulk import bulk_stage

    # In key order (a file's order, usually): the unique key index, the largest, grows at its end.
    frame = (
        lines.select(list(SALE_COLUMNS))
        .unique(subset="key", keep="first", maintain_order=True)
        .sort("key")
        .with_columns(pl.col("date").dt.truncate("1mo").alias("_month"))
    )
    cells = frame.select("company_id", "_month").unique()
    monthly = daily = None
    if rollups:
        monthly, daily = _staged_rollups(frame, vendor)
    staged = bulk_stage(SALE_COLUMNS, frame, vendor=vendor)
    return PreparedSales(lines.height, frame, cells, staged, monthly, daily)


def _staged_rollups(frame: pl.DataFrame, vendor: str) -> tuple[Staged, Staged]:
    from clientfocus.core.bulk import bulk_stage

    # Sorted by the unique keys' order: B-tree inserts then land next to each other.
    invoices = _invoice_days(frame)
    monthly = _rollup_frame(frame, invoices=invoices).sort("company_id", "month")
    daily = _daily_frame(frame, invoices=invoices).sort("company_id", "day")
    return bulk_stage(ROLLUP_COLUMNS, monthly, vendor=vendor), bulk_stage(DAILY_COLUMNS, daily, vendor=vendor)


def sales_import_lines(prepared: PreparedSales) -> SalesFrameResult:
    """Insert the prepared lines whose key is not stored yet and bring the rollup in step.
    Call inside a transaction (the lines and their rollup commit together), then
    `sales_import_done` in the same transaction."""
    import polars as pl

    from clientfocus.core.bulk import bulk_insert_frame, bulk_insert_staged

    frame, cells, total = prepared.frame, prepared.cells, prepared.total
    companies = tuple(cells.get_column("company_id").unique().sort().to_list())
    occupied = _occupied_cells(cells)
    if occupied.height == 0:
        # No cell has a line yet (a first load, a new month's export): no key can be stored but
        # that of a line moved to another company or month since, which the insert skips.
        added = _insert_lines(prepared.lines)
        if added != frame.height:
            # Some keys were stored after all (a moved line, or another writer meanwhile):
            # rebuild every touched cell from its lines.
            rollup_refresh((int(c), m) for c, m in cells.iter_rows())
            return SalesFrameResult(added, total - added, cells.height, companies)
        monthly, daily = prepared.monthly, prepared.daily
        if monthly is None or daily is None:
            monthly, daily = _staged_rollups(frame, prepared.lines.vendor)
        bulk_insert_staged(MonthlySales._meta.db_table, monthly)
        bulk_insert_staged(DailySales._meta.db_table, daily)
        return SalesFrameResult(added, total - added, cells.height, companies)
    # Some cells have lines already (a re-import, a newer export overlapping an older one): look
    # the keys up and keep the lines not stored yet.
    existing = _stored_keys(frame.get_column("key").to_list())
    if existing:
        frame = frame.filter(~pl.col("key").is_in(existing))
        if frame.height == 0:
            return SalesFrameResult(0, total, 0, ())
        cells = frame.select("company_id", "_month").unique()
        occupied = occupied.join(cells, on=["company_id", "_month"], how="semi")
    added = _insert_lines(frame if existing else prepared.lines)
    if added != frame.height:
        occupied = cells  # as above: rebuild every touched cell
    fresh = cells.join(occupied, on=["company_id", "_month"], how="anti")
    if fresh.height:
        # The rollup of a cell without lines before is exactly the aggregate of the lines just
        # added.
        new = frame.join(fresh, on=["company_id", "_month"], how="semi")
        invoices = _invoice_days(new)
        rollup = _rollup_frame(new, invoices=invoices).sort("company_id", "month")
        bulk_insert_frame(MonthlySales._meta.db_table, ROLLUP_COLUMNS, rollup)
        days = _daily_frame(new, invoices=invoices).sort("company_id", "day")
        bulk_insert_frame(DailySales._meta.db_table, DAILY_COLUMNS, days)
    if occupied.height:
        rollup_refresh((int(c), m) for c, m in occupied.iter_rows())
    companies = tuple(cells.get_column("company_id").unique().sort().to_list())
    return SalesFrameResult(added, total - added, cells.height, companies)


def sales_import_done(result: SalesFrameResult) -> None:
    """After `sales_import_lines`, in its transaction: companies with a purchase are at least
    clients, and the analysis is stale."""
    _promote_buyers(set(result.companies))
    data_changed()


def sales_import_frame(*, actor: User | None, lines: pl.DataFrame, audit: bool = True) -> SalesFrameResult:
    """Insert the lines of `lines` (columns SALE_COLUMNS, `date` a polars Date, `key` filled)
    whose key is not stored yet, and bring the rollup in step. Call inside a transaction: the
    lines and their rollup commit together."""
    prepared = sales_import_prepare(lines, vendor=connection.vendor, rollups=False)
    result = sales_import_lines(prepared)
    sales_import_done(result)
    if audit:
        details = {"added": result.added}
        audit_record(actor=actor, action="sales_import_frame", object_type="sales.sale", details=details)
    return result


def _insert_lines(lines: Staged | pl.DataFrame) -> int:
    """Write the lines, skipping any whose key is stored; returns how many were written.

    PostgreSQL: COPY straight into the table (its own floor) inside a savepoint; should a key
    be stored after all, the COPY fails as a whole and the lines go in again through a scratch
    table with ON CONFLICT DO NOTHING. SQLite: one staged INSERT … ON CONFLICT DO NOTHING."""
    from django.db import IntegrityError

    from clientfocus.core.bulk import Staged, bulk_insert_staged, bulk_stage

    table = Sale._meta.db_table
    staged = lines if isinstance(lines, Staged) else bulk_stage(SALE_COLUMNS, lines, vendor=connection.vendor)
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                return bulk_insert_staged(table, staged)
        except IntegrityError:
            pass
    return bulk_insert_staged(table, staged, skip_conflicts=True)


_SEPARATOR = "\x1f"  # the unit separator: no key of a real file contains it (checked below)


def _stored_keys(keys: list[str]) -> list[str]:
    """Which of `keys` are stored already (one indexed lookup per key, in one statement)."""
    if not keys:
        return []
    table = Sale._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            joined = _SEPARATOR.join(keys)
            if joined.count(_SEPARATOR) == len(keys) - 1:  # one text is cheaper to send than a list
                sql = f"SELECT key FROM {table} WHERE key = ANY(string_to_array(%s, chr(31)))"
                cur.execute(sql, [joined])
            else:
                cur.execute(f"SELECT key FROM {table} WHERE key = ANY(%s)", [keys])
        else:
            import json

            cur.execute(f"SELECT key FROM {table} WHERE key IN (SELECT value FROM json_each(%s))",
                        [json.dumps(keys, ensure_ascii=False)])
        return [r[0] for r in cur.fetchall()]


def _occupied_cells(cells: pl.DataFrame) -> pl.DataFrame:
    """The rollup cells among `cells` (company_id, _month) that already have a rollup row. One
    statement: a range of the unique (company, month) key per company, over the chunk's months
    (an import writes a few months at a time), then the exact cells in polars."""
    import json

    import polars as pl

    table = MonthlySales._meta.db_table
    ids = cells.get_column("company_id").unique().sort().to_list()
    lo, hi = cells.get_column("_month").min(), cells.get_column("_month").max()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT company_id, month FROM {table} "
                "WHERE company_id = ANY(%s::bigint[]) AND month >= %s AND month <= %s",
                [ids, lo, hi],
            )
        else:
            cur.execute(
                f"SELECT company_id, month FROM {table} "
                "WHERE company_id IN (SELECT value FROM json_each(%s)) AND month >= %s AND month <= %s",
                [json.dumps(ids), lo, hi],
            )
        found = cur.fetchall()
    if not found:
        return cells.clear()
    stored = pl.DataFrame(
        {"company_id": [c for c, _m in found], "_month": [_as_date(m) for _c, m in found]},
        schema={"company_id": cells.schema["company_id"], "_month": pl.Date},
    )
    return cells.join(stored, on=["company_id", "_month"], how="semi")


def _invoice_days(lines: pl.DataFrame, day: str = "date") -> pl.DataFrame:
    """The lines summed per (company, day, invoice): what a purchase is counted on (an invoice
    whose net amount that day is positive), with the margin's known-line count."""
    import polars as pl

    return lines.group_by("company_id", day, "invoice").agg(
        pl.col("amount_minor").sum().alias("net"),
        pl.len().alias("n"),
        pl.col("margin_minor").count().alias("n_margin"),
        pl.col("margin_minor").sum().alias("margin"),
    )


def _rollup_frame(lines: pl.DataFrame, *, invoices: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rollup rows of `lines` alone, by the rule of `rollup_from_lines` (a purchase is a
    (day, invoice) whose net amount is positive; margin unknown as soon as one line lacks it).
    `invoices`: `_invoice_days(lines)`, when the caller has it already."""
    import polars as pl

    inv = _invoice_days(lines) if invoices is None else invoices
    bought = pl.col("net") > 0
    return (
        inv.group_by("company_id", pl.col("date").dt.truncate("1mo").alias("month"))
        .agg(
            pl.col("net").sum().alias("revenue_minor"),
            pl.when(pl.col("n_margin").sum() == pl.col("n").sum())
            .then(pl.col("margin").sum())
            .otherwise(None)
            .alias("margin_minor"),
            bought.sum().cast(pl.Int64).alias("invoices"),
            pl.col("n").sum().cast(pl.Int64).alias("lines"),
            pl.col("date").filter(bought).min().alias("first_day"),
            pl.col("date").filter(bought).max().alias("last_day"),
        )
        .select(list(ROLLUP_COLUMNS))
    )


def _daily_frame(lines: pl.DataFrame, *, invoices: pl.DataFrame | None = None) -> pl.DataFrame:
    """The daily rollup rows of `lines` (company_id, day, invoice, amount_minor, margin_minor)
    alone, by the rule of `rollup_from_lines(by_day=True)`. `invoices`: `_invoice_days` of the
    lines (with `date` for `day`), when the caller has it already."""
    import polars as pl

    inv = _invoice_days(lines, "day") if invoices is None else invoices.rename({"date": "day"})
    return inv.group_by("company_id", "day").agg(
        pl.col("net").sum().alias("revenue_minor"),
        pl.when(pl.col("n_margin").sum() == pl.col("n").sum())
        .then(pl.col("margin").sum())
        .otherwise(None)
        .alias("margin_minor"),
        (pl.col("net") > 0).sum().cast(pl.Int64).alias("invoices"),
        pl.col("n").sum().cast(pl.Int64).alias("lines"),
    ).select(list(DAILY_COLUMNS))
