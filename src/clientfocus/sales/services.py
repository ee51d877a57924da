"""The only writer of sale lines and of the monthly rollup (ARCHITECTURE.md, invariant 4).

Every path that adds or removes lines — one line from a form, a bulk import, the demo load —
ends by bringing the rollup in step for the company × month cells it touched, inside the same
transaction, so the analysis never reads a rollup that disagrees with the lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.companies.models import Company, Status
from clientfocus.sales.models import MonthlySales, Sale

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
        audit_record(actor=actor, action="sale_create", obj=sale, details={"amount_minor": amount_minor})
    return sale


def sale_delete(*, actor: User | None, sale: Sale) -> None:
    with transaction.atomic():
        cell = (sale.company_id, month_start(sale.date))
        audit_record(actor=actor, action="sale_delete", obj=sale, details={"key": sale.key})
        sale.delete()
        rollup_refresh({cell})


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

ROLLUP_COLUMNS = ("company_id", "month", "revenue_minor", "margin_minor", "invoices", "lines")


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
        hi_end = (hi.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        MonthlySales.objects.filter(company_id__in=part, month__gte=lo, month__lte=hi).delete()
        rows = (
            Sale.objects.filter(company_id__in=part, date__gte=lo, date__lt=hi_end)
            .annotate(m=TruncMonth("date"))
            .values("company_id", "m")
            .annotate(
                revenue=Sum("amount_minor"),
                margin=Sum("margin_minor"),
                invoices=Count("invoice", distinct=True),
                lines=Count("id"),
            )
        )
        MonthlySales.objects.bulk_create(
            [
                MonthlySales(
                    company_id=r["company_id"],
                    month=_as_date(r["m"]),
                    revenue_minor=r["revenue"],
                    margin_minor=r["margin"],
                    invoices=r["invoices"],
                    lines=r["lines"],
                )
                for r in rows
            ],
            batch_size=2000,
        )


def rollup_rebuild_all(*, progress: Progress | None = None) -> int:
    """Rebuild the whole rollup from the lines (repair, and the test that checks the invariant)."""
    with transaction.atomic():
        MonthlySales.objects.all().delete()
        ids = list(Sale.objects.values_list("company_id", flat=True).distinct().order_by())
        first_last = Sale.objects.order_by("date").values_list("date", flat=True)
        if not ids:
            return 0
        lo = month_start(first_last.first())  # type: ignore[arg-type]
        hi = month_start(first_last.last())  # type: ignore[arg-type]
        for i in range(0, len(ids), 500):
            rollup_refresh({(c, lo) for c in ids[i : i + 500]} | {(c, hi) for c in ids[i : i + 500]})
            if progress:
                progress(len(ids[i : i + 500]))
    return MonthlySales.objects.count()


def rollup_bulk_load(rows: Sequence[tuple[int, dt.date, int, int | None, int, int]]) -> None:
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
    """PRODUCT.md: a company with a purchase is at least CLIENT (the funnel only moves forward)."""
    if company_ids:
        ids = list(company_ids)
        for i in range(0, len(ids), 900):
            Company.objects.filter(
                pk__in=ids[i : i + 900], status__in=[Status.SUSPECT, Status.PROSPECT]
            ).update(status=Status.CLIENT)
