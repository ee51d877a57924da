"""The import pipeline: one file, one kind, two passes, chunked commits.

Pass 1 (check) streams the file through the exchange readers and validator (the next block is
read and validated in a second thread while this one handles the current), resolves every row's
company against the database (ИНН, else the normalised name; see `_Resolver`), numbers sale
lines and finds repeated document lines, and spools the good records to the job folder. Nothing
is written to the domain tables. With a bad row and no `skip_bad_rows`, the job stops here:
refused, with the full report (all-or-nothing). The spool is cut so that every rollup cell
(company × month) lands in one write chunk: sales by month (a large month split by company),
the other kinds by company; `plan.json` lists the chunks in writing order.

Pass 2 (write) commits one chunk per transaction — the companies it needs, its records (sale
lines through `sales.services.sales_import_prepare/_lines/_done`, which keep the rollups in
step) and the job's `chunks_done` together — so other users keep working between chunks and a
crash leaves whole chunks only. Sales chunks are written by two threads (ImportRun.
_write_sales_side_by_side), still committed in file order. `resume` continues from the next
chunk; running the same file again is a no-op because every record has a natural key (ИНН or
name; invoice#line or a content hash; contact name within its company; an activity's company,
day, kind and subject).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import struct
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientfocus.accounts.access import assignable_owners, company_scope
from clientfocus.accounts.models import Role, User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Activity
from clientfocus.activities.models import State as ActivityState
from clientfocus.companies.models import Company, Contact, company_search_text, size_band_for
from clientfocus.core.bulk import checkpoints_aside
from clientfocus.core.prefetch import prefetched
from clientfocus.exchange import (
    ColumnMapping,
    Kind,
    Limits,
    MiB,
    RecordValidator,
    RowError,
    auto_map,
    company_name_key,
    open_table,
    write_csv,
)
from clientfocus.imports.models import ImportJob
from clientfocus.imports.problems import problem_reason
from clientfocus.portfolio.staleness import data_changed
from clientfocus.sales.services import (
    SaleLine,
    sale_key,
    sales_import_done,
    sales_import_lines,
    sales_import_prepare,
)

Progress = Callable[[str, int, int | None], None]  # phase, done, total (None: not known yet)

READ_ROWS: Final = 100_000  # records validated at a time
BYTES_PER_CHUNK: Final = 8 * MiB  # about 100,000 sale lines of a 1C export per write chunk
MAX_CHUNKS: Final = 256
WRITERS: Final = 2  # threads writing sales chunks (see ImportRun._write_sales_side_by_side)
MAX_STORED_PROBLEMS: Final = 500  # on the job row; the report file has all of them
PREVIEW_ROWS: Final = 20
CLI_LIMITS: Final = Limits()
WEB_LIMITS: Final = Limits(max_bytes=100 * MiB, max_unpacked_bytes=1024 * MiB)


# The columns pass 2 reads (the rest of a validated record is not stored).
SPOOLED: Final[dict[Kind, frozenset[str]]] = {
    Kind.SALES: frozenset(
        {
            "row",
            "company_id",
            "_new",
            "_owner",
            "date",
            "document",
            "line_no",
            "product",
            "amount",
            "margin",
            "_key",
        }
    ),
}


def job_dir(job: ImportJob) -> Path:
    """var/imports/<job id>/ — every file of a job has a name chosen here, never by the user."""
    path = Path(settings.VAR_DIR) / "imports" / str(int(job.pk))
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_path(job: ImportJob) -> Path:
    return Path(job.cli_path) if job.cli_path else job_dir(job) / "source.dat"


def report_path(job: ImportJob) -> Path:
    return job_dir(job) / "report.csv"


def rejects_path(job: ImportJob) -> Path:
    return job_dir(job) / "rejects.csv"


def limits_for(job: ImportJob) -> Limits:
    return CLI_LIMITS if job.source == ImportJob.Source.CLI else WEB_LIMITS


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


# --- who is the "Менеджер" of a row ----------------------------------------------------------


class _Managers:
    """Names in a "Менеджер" column -> users `actor` may make owners (accounts.access).

    A user is found by login, "Фамилия Имя", "Имя Фамилия" or "Фамилия Имя Отчество"
    (case, ё/е and spacing ignored)."""

    def __init__(self, actor: User) -> None:
        self.by_name: dict[str, int] = {}
        for user in assignable_owners(actor):
            names = {
                user.username,
                f"{user.last_name} {user.first_name}",
                f"{user.first_name} {user.last_name}",
            }
            for name in names:
                if name.strip():
                    self.by_name.setdefault(_norm(name), user.pk)

    def find(self, text: str) -> int | None:
        key = _norm(text)
        if key in self.by_name:
            return self.by_name[key]
        words = key.split()
        return self.by_name.get(" ".join(words[:2])) if len(words) == 3 else None


# --- which company a row means ---------------------------------------------------------------


class _Resolver:
    """A company reference (ИНН and/or name) -> a company `actor` may see, or a problem.

    - With an ИНН: the company with that ИНН (written any way: the validator normalised it).
      If it exists but the actor may not see it: "not yours". If none has it, a visible company
      without an ИНN whose normalised name is the row's is the same company (its ИНН is filled in
      by a companies import).
    - Without an ИНН: the one visible company with that normalised name; two or more: ambiguous.
    - Otherwise the company is unknown: a new one for a companies import (or with
      `create_companies`), else a row error.
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.scope = company_scope(actor)
        self.by_inn: dict[str, tuple[int, bool]] = {}
        self._names: dict[str, list[int]] | None = None
        self._names_no_inn: dict[str, list[int]] | None = None

    def _load_names(self) -> None:
        self._names, self._names_no_inn = {}, {}
        rows = Company.objects.filter(self.scope).values_list("pk", "name", "inn").order_by()
        for pk, name, inn in rows.iterator(chunk_size=20_000):
            key = company_name_key(name)
            self._names.setdefault(key, []).append(pk)
            if not inn:
                self._names_no_inn.setdefault(key, []).append(pk)

    def names(self) -> dict[str, list[int]]:
        if self._names is None:
            self._load_names()
        assert self._names is not None
        return self._names

    def names_no_inn(self) -> dict[str, list[int]]:
        if self._names_no_inn is None:
            self._load_names()
        assert self._names_no_inn is not None
        return self._names_no_inn

    def learn_inns(self, inns: list[str]) -> None:
        missing = [i for i in inns if i not in self.by_inn]
        for k in range(0, len(missing), 5000):
            part = missing[k : k + 5000]
            visible = set(Company.objects.filter(self.scope, inn__in=part).values_list("pk", flat=True))
            for pk, inn in Company.objects.filter(inn__in=part).values_list("pk", "inn").order_by():
                self.by_inn[inn] = (pk, pk in visible)

    def resolve(self, inn: str | None, name_key: str | None) -> tuple[int | None, str | None]:
        """(company id or None, problem code or None); (None, None) means "not found"."""
        if inn:
            found = self.by_inn.get(inn)
            if found is not None:
                return (found[0], None) if found[1] else (None, "company_not_yours")
            if name_key:
                ids = self.names_no_inn().get(name_key, [])
                if len(ids) == 1:
                    return ids[0], None
            return None, None
        if name_key:
            ids = self.names().get(name_key, [])
            if len(ids) == 1:
                return ids[0], None
            if len(ids) > 1:
                return None, "client_ambiguous"
        return None, None

    def created(self, key: str, pk: int, inn: str | None, name_key: str) -> None:
        if inn:
            self.by_inn[inn] = (pk, True)
        if self._names is not None:
            self._names.setdefault(name_key, []).append(pk)


# --- the spool: length-prefixed Arrow IPC segments, one file per write chunk ------------------


def _spool_write(path: Path, frame: pl.DataFrame) -> None:
    buf = io.BytesIO()
    frame.write_ipc_stream(buf)
    data = buf.getvalue()
    with open(path, "ab") as handle:
        handle.write(struct.pack("<Q", len(data)))
        handle.write(data)


def _spool_segments(path: Path) -> Iterator[pl.DataFrame]:
    with open(path, "rb") as handle:
        while head := handle.read(8):
            (size,) = struct.unpack("<Q", head)
            yield pl.read_ipc_stream(io.BytesIO(handle.read(size)))


def _spool_read(paths: list[Path]) -> pl.DataFrame | None:
    """The records of one write chunk (one or more spool files), in file order."""
    frames = [frame for path in paths if path.exists() for frame in _spool_segments(path)]
    return pl.concat(frames, how="vertical_relaxed").sort("row") if frames else None


def _company_bucket(buckets: int) -> pl.Expr:
    key = pl.coalesce(pl.col("company_id").cast(pl.String), pl.col("_new"))
    return (key.hash(seed=0) % buckets).cast(pl.Int64)


PLAN: Final = "plan.json"  # the write chunks: the spool files of each, in writing order


# --- the run ---------------------------------------------------------------------------------


class _Stopped(Exception):
    """Another chunk failed: this one stops before it commits."""


class _Turns:
    """Chunks commit in file order: `wait(i)` returns once chunk i - 1 has committed (or raises
    when a chunk has failed), `done(i)` lets chunk i + 1 go."""

    def __init__(self, first: int) -> None:
        self._next, self._failed = first, False
        self._cond = threading.Condition()

    def wait(self, index: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._next == index or self._failed)
            if self._failed:
                raise _Stopped(index)

    def check(self) -> None:
        with self._cond:
            if self._failed:
                raise _Stopped()

    def done(self, index: int) -> None:
        with self._cond:
            self._next = index + 1
            self._cond.notify_all()

    def fail(self) -> None:
        with self._cond:
            self._failed = True
            self._cond.notify_all()



@dataclass
class _Check:
    """What pass 1 found."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    bad_positions: set[tuple[int, str | None]] = field(default_factory=set)
    rejects: list[pl.DataFrame] = field(default_factory=list)
    reject_reasons: list[list[str]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    new_companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows_read: int = 0
    rows_good: int = 0


def _problem(error: RowError) -> dict[str, Any]:
    return {
        "row": error.position.row,
        "sheet": error.position.sheet,
        "column": error.column,
        "value": error.value[:200],
        "code": error.code,
    }


class ImportRun:
    """Runs one job; `check()` is pass 1, `write()` pass 2. Build with `ImportRun(job, actor)`."""

    def __init__(self, job: ImportJob, actor: User, progress: Progress | None = None) -> None:
        self.job, self.actor = job, actor
        self.kind = Kind(job.kind)
        self.say: Progress = progress or (lambda _p, _d, _t: None)
        self.resolver = _Resolver(actor)
        self.managers = _Managers(actor)
        self.today = job.as_of or timezone.localdate()
        self.spool = job_dir(job) / "spool"
        self.name_keys: dict[str, str] = {}

    # -- pass 1 ---------------------------------------------------------------------------

    def check(self) -> _Check:
        job, out = self.job, _Check()
        shutil.rmtree(self.spool, ignore_errors=True)
        self.spool.mkdir(parents=True)
        size = source_path(job).stat().st_size if source_path(job).exists() else job.file_size
        chunks = max(1, min(MAX_CHUNKS, -(-size // BYTES_PER_CHUNK)))
        self.spooled: dict[str, int] = {}  # spool file -> records in it
        self.line_counts = pl.DataFrame(schema={"_group": pl.String, "_n": pl.Int64})
        self.seen_keys: set[str] = set()
        with open_table(source_path(job), sheet=job.sheet or None, limits=limits_for(job)) as table:
            mapping = (
                ColumnMapping.from_dict(job.mapping) if job.mapping else auto_map(table.headers, self.kind)
            )
            self.mapping = mapping
            validator = RecordValidator(mapping, headers=table.headers, today=self.today)
            # Reading and validating the next chunk (polars, which leaves the GIL) runs on the
            # machine's other core while this thread resolves, keys and spools the current one.
            blocks = ((chunk, validator.validate(chunk)) for chunk in table.chunks(READ_ROWS))
            for chunk, checked in prefetched(blocks, name="cf-import-read"):
                self._sheet = chunk.sheet
                out.rows_read += checked.rows_read
                errors = list(checked.errors)
                records = self._refs(checked.records, errors, out)
                if self.kind == Kind.SALES:
                    records = self._sale_keys(records, errors)
                if errors:
                    records = self._drop_bad(records, errors, chunk, out)
                out.rows_good += records.height
                if len(out.preview) < PREVIEW_ROWS:
                    out.preview += self._preview(records.head(PREVIEW_ROWS - len(out.preview)))
                self._spool(records, chunks)
                self.say("check", out.rows_read, None)
        out.problems.sort(key=lambda p: (p["sheet"] or "", p["row"]))
        plan = self._plan(rows_per_chunk=max(1, out.rows_good * BYTES_PER_CHUNK // max(size, 1)))
        (self.spool / PLAN).write_text(json.dumps(plan), encoding="utf-8")
        job.chunks_total = len(plan)
        return out

    def _refs(self, records: pl.DataFrame, errors: list[RowError], out: _Check) -> pl.DataFrame:
        """Add `company_id` (a company the actor may see) or `_new` (one to create), and `_owner`
        (the user of the "Менеджер" column). Resolved once per distinct reference, not per row."""
        name_col = "name" if self.kind == Kind.COMPANIES else "company"
        names = records.get_column(name_col)
        cache = self.name_keys
        keys = {
            n: cache.get(n) or cache.setdefault(n, company_name_key(n)) for n in names.unique().drop_nulls()
        }
        records = records.with_columns(
            names.replace_strict(keys, default=None, return_dtype=pl.String).alias("_name_key")
        )
        self.resolver.learn_inns(records.get_column("inn").unique().drop_nulls().to_list())
        creating = self.kind == Kind.COMPANIES or self.job.create_companies
        refs = records.select("inn", "_name_key", name_col).unique(
            subset=["inn", "_name_key"], keep="first", maintain_order=True
        )
        ids: list[int | None] = []
        new: list[str | None] = []
        codes: list[str | None] = []
        for inn, name_key, name in refs.iter_rows():
            pk, code = self.resolver.resolve(inn, name_key)
            new_key = None
            if code is None and pk is None:
                if creating and name:
                    new_key = f"i:{inn}" if inn else f"n:{name_key}"
                    if new_key not in out.new_companies:
                        out.new_companies[new_key] = {"name": name, "inn": inn or "", "name_key": name_key}
                else:
                    code = "client_unknown"
            ids.append(pk)
            new.append(new_key)
            codes.append(code)
        resolved = refs.select("inn", "_name_key").with_columns(
            pl.Series("company_id", ids, dtype=pl.Int64),
            pl.Series("_new", new, dtype=pl.String),
            pl.Series("_code", codes, dtype=pl.String),
        )
        records = records.join(
            resolved, on=["inn", "_name_key"], how="left", nulls_equal=True, maintain_order="left"
        )
        manager_col = self.mapping.columns.get("manager")
        owners = pl.lit(None, dtype=pl.Int64)
        if manager_col:
            managers = records.get_column("manager").unique().drop_nulls().to_list()
            found = {m: self.managers.find(m) for m in managers}
            owners = pl.col("manager").replace_strict(found, default=None, return_dtype=pl.Int64)
        records = records.with_columns(owners.alias("_owner"))
        sheet = self.sheet_name
        if manager_col and (self.kind == Kind.COMPANIES or creating):
            # The "Менеджер" names the owner of a company the import creates; elsewhere (a sales
            # line, a contact) it is not stored, so a name that is no user is no error there.
            unknown = records.filter(pl.col("manager").is_not_null() & pl.col("_owner").is_null())
            if self.kind != Kind.COMPANIES:
                unknown = unknown.filter(pl.col("_new").is_not_null())
            for row, manager in unknown.select("row", "manager").iter_rows():
                errors.append(RowError(_pos(row, sheet), manager_col, manager, "manager_unknown"))
            owned = records.filter(pl.col("_new").is_not_null() & pl.col("_owner").is_not_null())
            for new_key, owner in (
                owned.group_by("_new", maintain_order=True).agg(pl.col("_owner").first()).iter_rows()
            ):
                out.new_companies[new_key].setdefault("owner_id", owner)
        bad = records.filter(pl.col("_code").is_not_null())
        if bad.height:
            inn_header = self.mapping.columns.get("inn", "")
            name_header = self.mapping.columns.get(name_col, "")
            for row, inn, name, code in bad.select("row", "inn", name_col, "_code").iter_rows():
                on_inn = bool(inn) and code != "client_ambiguous"
                column = inn_header if on_inn else (name_header or inn_header)
                errors.append(RowError(_pos(row, sheet), column, (inn if on_inn else name) or "", code))
        return records.drop("_code")

    @property
    def sheet_name(self) -> str | None:
        return self._sheet if hasattr(self, "_sheet") else None

    def _sale_keys(self, records: pl.DataFrame, errors: list[RowError]) -> pl.DataFrame:
        """Line numbers and keys. A file without a line column numbers the lines of each document
        in file order; a file without documents numbers identical lines (content hash keys are
        made in pass 2, when every company has its id). The same document line twice: an error."""
        has_document = "document" in self.mapping.columns
        numbered = "line" in self.mapping.columns and records.get_column("line").null_count() == 0
        if has_document and numbered and records.get_column("document").null_count() == 0:
            # The usual 1C export: every line has its document and line number.
            records = records.with_columns(pl.col("line").alias("line_no"))
        else:
            records = self._number_lines(records, has_document)
        if not has_document or records.height == 0:
            return records.with_columns(pl.lit(None, dtype=pl.String).alias("_key"))
        records = records.with_columns(
            pl.when(pl.col("document").is_not_null())
            .then(
                pl.concat_str([pl.col("document"), pl.lit("#"), pl.col("line_no").cast(pl.String)]).str.slice(
                    0, 96
                )
            )
            .alias("_key")
        )
        keys = records.get_column("_key")
        listed = keys.drop_nulls().to_list()
        seen = self.seen_keys
        repeated = ~keys.is_first_distinct() & keys.is_not_null()
        if repeated.any() or not seen.isdisjoint(listed):
            again = seen.intersection(listed)
            repeated = repeated | keys.is_in(list(again))
            header = self.mapping.columns["document"]
            for row, doc in records.filter(repeated).select("row", "document").iter_rows():
                errors.append(RowError(_pos(row, self.sheet_name), header, doc or "", "duplicate_line"))
        seen.update(listed)
        return records

    def _number_lines(self, records: pl.DataFrame, has_document: bool) -> pl.DataFrame:
        """Line numbers for lines that have none: their order within their document in the file
        (carried over from chunk to chunk), or among identical lines when there is no document."""
        content = pl.concat_str(
            [
                pl.lit("\x00"),
                pl.col("_new").fill_null(""),
                pl.col("company_id").cast(pl.String).fill_null(""),
                pl.col("date").cast(pl.String),
                pl.col("amount").cast(pl.String),
                pl.col("margin").cast(pl.String).fill_null("-"),
                pl.col("product").fill_null(""),
            ],
            separator="|",
        )
        group = pl.coalesce(pl.col("document"), content) if has_document else content
        records = records.with_columns(group.alias("_group"))
        records = records.with_columns(pl.int_range(pl.len()).over("_group").alias("_i"))
        records = records.join(self.line_counts, on="_group", how="left").with_columns(
            (pl.col("_i") + pl.col("_n").fill_null(0) + 1).alias("_seq")
        )
        counts = records.group_by("_group").agg(pl.len().cast(pl.Int64).alias("_n"))
        self.line_counts = pl.concat([self.line_counts, counts]).group_by("_group").agg(pl.col("_n").sum())
        line = (
            pl.coalesce(pl.col("line"), pl.col("_seq")) if "line" in self.mapping.columns else pl.col("_seq")
        )
        return records.with_columns(line.alias("line_no")).drop("_i", "_n", "_seq", "_group")

    def _drop_bad(
        self, records: pl.DataFrame, errors: list[RowError], chunk: Any, out: _Check
    ) -> pl.DataFrame:
        rows = sorted({e.position.row for e in errors})
        out.problems += [_problem(e) for e in errors]
        out.bad_positions |= {(e.position.row, e.position.sheet) for e in errors}
        reasons: dict[int, list[str]] = {}
        for e in errors:
            reasons.setdefault(e.position.row, []).append(f"{e.column}: {problem_reason(e.code, 'ru')}")
        raw = chunk.frame.with_columns(chunk.rows.alias("_row")).filter(pl.col("_row").is_in(rows))
        out.rejects.append(raw.drop("_row"))
        out.reject_reasons.append(["; ".join(reasons[r]) for r in raw.get_column("_row").to_list()])
        return records.filter(~pl.col("row").is_in(rows))

    def _preview(self, records: pl.DataFrame) -> list[dict[str, Any]]:
        out = []
        for rec in records.iter_rows(named=True):
            row: dict[str, Any] = {"row": rec["row"]}
            for name in self.mapping.columns:
                value = rec.get(name)
                if isinstance(value, dt.date):
                    value = value.strftime("%d.%m.%Y")
                elif name in {"amount", "margin", "price", "amount_net"} and value is not None:
                    value = f"{value / 100:,.2f}".replace(",", " ").replace(".", ",")
                elif value is not None:
                    value = str(value)
                row[name] = value
            if self.kind != Kind.COMPANIES:
                row["client_status"] = "new" if rec.get("_new") else "found"
            out.append(row)
        return out

    def _spool(self, records: pl.DataFrame, chunks: int) -> None:
        """Append the records to the spool files of their write chunks. Every company's records
        of one rollup cell land in one file, so each cell is written by one chunk only: sales go
        by month (split by company in `_plan` when a month is large), the other kinds by a hash
        of the company."""
        if records.height == 0:
            return
        keep = SPOOLED.get(self.kind)
        if keep is not None:
            records = records.select([c for c in records.columns if c in keep])
        if self.kind == Kind.SALES:
            bucket = pl.col("date").dt.year() * 100 + pl.col("date").dt.month()
            name = "m-{:06d}.seg"
        else:
            bucket, name = _company_bucket(chunks), "c-{:04d}.seg"
        records = records.with_columns(bucket.cast(pl.Int64).alias("_bucket"))
        for (key,), part in records.partition_by("_bucket", as_dict=True).items():
            file = name.format(int(key))
            _spool_write(self.spool / file, part.drop("_bucket"))
            self.spooled[file] = self.spooled.get(file, 0) + part.height

    def _plan(self, *, rows_per_chunk: int) -> list[list[str]]:
        """The write chunks, as lists of spool files, in writing order: about `rows_per_chunk`
        records each (the file's first ~8 MiB hold as many). Sales are written month by month,
        oldest first — the line keys and the daily rollup's day index of a sales journal then
        grow at their ends instead of being rewritten all over at every chunk. A month larger
        than a chunk is split by company (each part streamed from the month's file); small
        months are grouped."""
        files = sorted(self.spooled)
        if self.kind != Kind.SALES:
            return [[f] for f in files]
        parts: list[tuple[str, int]] = []
        for file in files:
            rows = self.spooled[file]
            pieces = min(MAX_CHUNKS, -(-rows // rows_per_chunk))
            if pieces < 2 or rows <= rows_per_chunk * 3 // 2:
                parts.append((file, rows))
                continue
            counts: dict[str, int] = {}
            for segment in _spool_segments(self.spool / file):
                segment = segment.with_columns(_company_bucket(pieces).alias("_bucket"))
                for (key,), part in segment.partition_by("_bucket", as_dict=True).items():
                    piece = f"{file[:-4]}-{int(key):03d}.seg"
                    _spool_write(self.spool / piece, part.drop("_bucket"))
                    counts[piece] = counts.get(piece, 0) + part.height
            (self.spool / file).unlink()
            parts += sorted(counts.items())
        plan: list[list[str]] = []
        size = rows_per_chunk  # a full "previous chunk": the first file opens a new one
        for file, rows in parts:
            if size + rows > rows_per_chunk:
                plan.append([])
                size = 0
            plan[-1].append(file)
            size += rows
        return plan

    # -- pass 2 ---------------------------------------------------------------------------

    def write(self, new_companies: dict[str, dict[str, Any]]) -> None:
        job = self.job
        if not hasattr(self, "mapping"):
            self.mapping = ColumnMapping.from_dict(job.mapping)
        self.new_companies = new_companies
        self.created: dict[str, int] = {}
        with checkpoints_aside() as self.checkpoints:
            self._write_chunks()

    def _chunk_files(self) -> list[list[Path]]:
        plan_path = self.spool / PLAN
        if plan_path.exists():
            plan = json.loads(plan_path.read_text(encoding="utf-8"))
        else:  # a job spooled before plans: one company bucket per chunk
            plan = [[f"chunk-{i:04d}.seg"] for i in range(self.job.chunks_total)]
        return [[self.spool / name for name in names] for names in plan]

    def _write_chunks(self) -> None:
        job = self.job
        chunks = self._chunk_files()
        todo = list(range(job.chunks_done, job.chunks_total))
        if self._side_by_side(todo):
            self._write_sales_side_by_side(chunks, todo)
            return
        for index in todo:
            frame = _spool_read(chunks[index])
            with transaction.atomic():
                if frame is not None and frame.height:
                    self._write_chunk(frame)
                job.chunks_done = index + 1
                job.save(
                    update_fields=[
                        "chunks_done",
                        "rows_added",
                        "rows_updated",
                        "rows_unchanged",
                        "companies_created",
                        "updated_at",
                    ]
                )
            self.say("write", job.chunks_done, job.chunks_total)

    def _side_by_side(self, todo: list[int]) -> bool:
        """Whether sales chunks can be written by two threads, each on its own connection: not
        inside a caller's transaction (other connections would not see its data), not on an
        in-memory database, and only when every company already exists (two chunks never create
        the same company)."""
        if self.kind != Kind.SALES or len(todo) < 2 or self.new_companies or WRITERS < 2:
            return False
        if connection.in_atomic_block:
            return False
        name = str(connection.settings_dict["NAME"])
        return not (connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name))

    def _write_sales_side_by_side(self, chunks: list[list[Path]], todo: list[int]) -> None:
        """Two threads take the chunks in turn. Each reads its chunk's spool and prepares
        everything that needs no database (sales.services.sales_import_prepare) while the other
        writes; then writes its lines and rollup rows — on PostgreSQL at the same time as the
        other thread, each server process on its own core; on SQLite, which has one writer,
        once the previous chunk has committed. The end of each chunk (buyers, staleness, the
        job's progress) and its commit go in file order, so the chunks written are always the
        first ones, exactly as when one thread writes them (`resume` goes on from the next)."""
        job, vendor, turns = self.job, connection.vendor, _Turns(todo[0])
        fields = ["chunks_done", "rows_added", "rows_unchanged", "updated_at"]

        def write(index: int) -> None:
            frame = _spool_read(chunks[index])
            prepared = None
            if frame is not None and frame.height:
                prepared = sales_import_prepare(self._sale_lines(frame), vendor=vendor)
            if vendor == "sqlite":
                turns.wait(index)  # one writer: start when the previous chunk has committed
            with transaction.atomic():
                result = sales_import_lines(prepared) if prepared is not None else None
                turns.wait(index)
                if result is not None:
                    sales_import_done(result)
                    job.rows_added += result.added
                    job.rows_unchanged += result.present
                job.chunks_done = index + 1
                job.save(update_fields=fields)
            turns.done(index)
            self.say("write", job.chunks_done, job.chunks_total)

        def worker(indices: list[int]) -> None:
            try:
                self.checkpoints.writer()
                for index in indices:
                    turns.check()
                    try:
                        write(index)
                    except BaseException:
                        turns.fail()
                        raise
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="cf-import-write") as pool:
            futures = [pool.submit(worker, todo[k::WRITERS]) for k in range(WRITERS)]
        errors = [e for e in (f.exception() for f in futures) if e is not None]
        # The chunk that failed first, not the one stopped because of it.
        errors.sort(key=lambda e: isinstance(e, _Stopped))
        if errors:
            raise errors[0]

    def _write_chunk(self, frame: pl.DataFrame) -> None:
        if self.kind == Kind.COMPANIES:
            self._write_companies(frame)
            return
        frame = self._with_company_ids(frame)
        if self.kind == Kind.SALES:
            self._write_sales(frame)
        elif self.kind == Kind.CONTACTS:
            self._write_contacts(frame)
        else:
            self._write_activities(frame)

    def _owner_for(self, owner_id: int | None) -> int | None:
        if owner_id is not None:
            return owner_id
        return self.actor.pk

    def _create_companies(self, wanted: list[str], attrs: dict[str, dict[str, Any]]) -> None:
        """Create the companies behind `wanted` new-company keys (those not created yet: a
        resumed job finds the ones an earlier attempt made, by ИНН or by name)."""
        todo = [k for k in wanted if k not in self.created]
        if not todo:
            return
        inns = [attrs[k]["inn"] for k in todo if attrs[k]["inn"]]
        self.resolver.learn_inns(inns)
        objs, keys = [], []
        for k in todo:
            a = attrs[k]
            pk, _code = self.resolver.resolve(a["inn"] or None, a.get("name_key"))
            if pk is not None:
                self.created[k] = pk
                continue
            name = (a.get("name") or a["inn"])[:300]
            employees = a.get("employees")
            objs.append(
                Company(
                    name=name,
                    inn=a["inn"],
                    kpp=a.get("kpp") or "",
                    industry=(a.get("industry") or "")[:120],
                    region=(a.get("region") or "")[:120],
                    employees=employees,
                    size_band=size_band_for(employees),
                    phone=(a.get("phone") or "")[:40],
                    owner_id=self._owner_for(a.get("owner_id")),
                    source=str(_("импорт")),
                    search_text=company_search_text(name, a["inn"]),
                )
            )
            keys.append(k)
        if objs:
            made = Company.objects.bulk_create(objs, batch_size=2000)
            for k, obj in zip(keys, made, strict=True):
                self.created[k] = obj.pk
                self.resolver.created(k, obj.pk, obj.inn or None, attrs[k].get("name_key") or "")
            self.job.companies_created += len(made)

    def _with_company_ids(self, frame: pl.DataFrame) -> pl.DataFrame:
        wanted = frame.get_column("_new").drop_nulls().unique().to_list()
        self._create_companies(wanted, self.new_companies)
        if not wanted:
            return frame
        mapping = {k: self.created[k] for k in wanted}
        return frame.with_columns(
            pl.coalesce(
                pl.col("company_id"),
                pl.col("_new").replace_strict(mapping, default=None, return_dtype=pl.Int64),
            )
        )

    def _write_sales(self, frame: pl.DataFrame) -> None:
        lines = self._sale_lines(frame)
        result = sales_import_lines(sales_import_prepare(lines, vendor=connection.vendor, rollups=False))
        sales_import_done(result)
        self.job.rows_added += result.added
        self.job.rows_unchanged += result.present

    def _sale_lines(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The chunk's records as sale lines (sales.services.SALE_COLUMNS); every company has
        its id. No database access."""
        if frame.get_column("_key").null_count():
            # No document number: a content hash (sales.services.sale_key), now that the company
            # has its id; identical lines were told apart by their line number in pass 1.
            keys = [
                key or sale_key(SaleLine(cid, d, "", ln, amt, mg, (pg or "")[:120]))
                for key, cid, d, ln, amt, mg, pg in frame.select(
                    "_key", "company_id", "date", "line_no", "amount", "margin", "product"
                ).iter_rows()
            ]
            frame = frame.with_columns(pl.Series("_key", keys, dtype=pl.String))
        return frame.select(
            pl.col("company_id"),
            pl.col("date"),
            pl.col("document").fill_null("").str.slice(0, 64).alias("invoice"),
            pl.col("line_no").cast(pl.Int64),
            pl.col("amount").alias("amount_minor"),
            pl.col("margin").alias("margin_minor"),
            pl.col("product").fill_null("").str.slice(0, 120).alias("product_group"),
            pl.col("_key").alias("key"),
        )

    def _write_companies(self, frame: pl.DataFrame) -> None:
        fields = [
            "name",
            "inn",
            "kpp",
            "industry",
            "region",
            "employees",
            "phone",
            "contact",
            "position",
            "email",
        ]
        fields = [f for f in fields if f in self.mapping.columns or f == "inn"]
        ref = pl.coalesce(pl.col("company_id").cast(pl.String), pl.col("_new"))
        grouped = (
            frame.with_columns(ref.alias("_ref"))
            .group_by("_ref", maintain_order=True)
            .agg(
                pl.col("company_id").first(),
                pl.col("_new").first(),
                pl.col("_owner").drop_nulls().first(),
                pl.col("_name_key").first(),
                *[pl.col(f).drop_nulls().last() for f in fields],
            )
        )
        attrs: dict[str, dict[str, Any]] = {}
        updates: dict[int, dict[str, Any]] = {}
        contacts: list[tuple[str, dict[str, Any]]] = []
        for rec in grouped.iter_rows(named=True):
            if rec["_new"] is not None:
                attrs[rec["_new"]] = {
                    "name": rec["name"],
                    "inn": rec["inn"] or "",
                    "name_key": rec["_name_key"],
                    "kpp": rec.get("kpp"),
                    "industry": rec.get("industry"),
                    "region": rec.get("region"),
                    "employees": rec.get("employees"),
                    "phone": rec.get("phone"),
                    "owner_id": rec["_owner"],
                }
            else:
                updates[rec["company_id"]] = rec
            if rec.get("contact"):
                contacts.append((rec["_ref"], rec))
        before = self.job.companies_created
        self._create_companies(list(attrs), attrs)
        self.job.rows_added += self.job.companies_created - before
        changed: list[Company] = []
        names = {"kpp": 9, "industry": 120, "region": 120, "phone": 40, "inn": 12}
        for company in Company.objects.filter(pk__in=list(updates)):
            rec, dirty = updates[company.pk], False
            for f, size in names.items():
                value = rec.get(f)
                if value and f in fields and getattr(company, f) != value[:size]:
                    if f == "inn" and company.inn:
                        continue  # the ИНН is the key: never rewritten
                    setattr(company, f, value[:size])
                    dirty = True
            if rec.get("employees") is not None and company.employees != rec["employees"]:
                company.employees = rec["employees"]
                company.size_band = size_band_for(company.employees)
                dirty = True
            if dirty:
                company.search_text = company_search_text(company.name, company.inn)
                changed.append(company)
        if changed:
            Company.objects.bulk_update(
                changed,
                ["inn", "kpp", "industry", "region", "employees", "size_band", "phone", "search_text"],
            )
        self.job.rows_updated += len(changed)
        self.job.rows_unchanged += len(updates) - len(changed)
        if contacts:
            rows = [
                {
                    "company_id": r["company_id"] if r["_new"] is None else self.created[r["_new"]],
                    "name": r["contact"],
                    "position": r.get("position"),
                    "email": r.get("email"),
                    "phone": None,
                }
                for _ref, r in contacts
            ]
            self._upsert_contacts(rows, count=False)
        if changed or self.job.companies_created > before:
            data_changed(attributes=True)  # names, owners, industries may have changed

    def _upsert_contacts(
        self, rows: list[dict[str, Any]], *, count: bool = True
    ) -> dict[tuple[int, str], int]:
        """Contacts by their natural key (company, normalised full name): new ones are created,
        known ones get the position, phone and e-mail the file gives. Returns key -> contact id."""
        company_ids = {r["company_id"] for r in rows}
        known: dict[tuple[int, str], Contact] = {}
        for stored in Contact.objects.filter(company_id__in=company_ids):
            known.setdefault((stored.company_id, _norm(stored.full_name)), stored)
        new: dict[tuple[int, str], Contact] = {}
        changed: dict[int, Contact] = {}
        for r in rows:
            key = (r["company_id"], _norm(r["name"]))
            contact = known.get(key) or new.get(key)
            values = {
                "position": (r.get("position") or "")[:200],
                "phone": (r.get("phone") or "")[:40],
                "email": (r.get("email") or "")[:254],
            }
            if contact is None:
                new[key] = Contact(company_id=r["company_id"], full_name=r["name"][:200], **values)
                continue
            for f, v in values.items():
                if v and getattr(contact, f) != v:
                    setattr(contact, f, v)
                    if contact.pk:
                        changed[contact.pk] = contact
        if new:
            Contact.objects.bulk_create(list(new.values()), batch_size=2000)
        if changed:
            Contact.objects.bulk_update(list(changed.values()), ["position", "phone", "email"])
        if count:
            self.job.rows_added += len(new)
            self.job.rows_updated += len(changed)
            self.job.rows_unchanged += (
                len({(r["company_id"], _norm(r["name"])) for r in rows}) - len(new) - len(changed)
            )
        return {**{k: c.pk for k, c in known.items()}, **{k: c.pk for k, c in new.items()}}

    def _write_contacts(self, frame: pl.DataFrame) -> None:
        rows = [
            {
                "company_id": r["company_id"],
                "name": r["name"],
                "position": r["position"],
                "phone": r["phone"],
                "email": r["email"],
            }
            for r in frame.iter_rows(named=True)
        ]
        self._upsert_contacts(rows)
        data_changed()

    def _write_activities(self, frame: pl.DataFrame) -> None:
        people = [
            {"company_id": r["company_id"], "name": r["contact"]}
            for r in frame.select("company_id", "contact").iter_rows(named=True)
            if r["contact"]
        ]
        contact_ids = self._upsert_contacts(people, count=False) if people else {}
        company_ids = set(frame.get_column("company_id").to_list())
        lo, hi = frame.get_column("date").min(), frame.get_column("date").max()
        stored = set(
            Activity.objects.filter(company_id__in=company_ids, date__gte=lo, date__lte=hi).values_list(
                "company_id", "date", "kind", "subject"
            )
        )
        new: list[Activity] = []
        default_seller = self.actor.pk if self.actor.role in (Role.SELLER, Role.MANAGER) else None
        for r in frame.iter_rows(named=True):
            note = r["note"] or ""
            subject = note[:200]
            key = (r["company_id"], r["date"], r["kind"], subject)
            if key in stored:
                self.job.rows_unchanged += 1
                continue
            stored.add(key)
            contact_id = contact_ids.get((r["company_id"], _norm(r["contact"]))) if r["contact"] else None
            new.append(
                Activity(
                    company_id=r["company_id"],
                    contact_id=contact_id,
                    seller_id=r["_owner"] if r["_owner"] is not None else default_seller,
                    kind=r["kind"],
                    state=ActivityState.DONE,
                    date=r["date"],
                    subject=subject,
                    outcome=note if len(note) > 200 else "",
                )
            )
        if new:
            Activity.objects.bulk_create(new, batch_size=2000)
            data_changed()
        self.job.rows_added += len(new)


def _pos(row: int, sheet: str | None) -> Any:
    from clientfocus.exchange import Position

    return Position(row, sheet)


# --- the reports ----------------------------------------------------------------------------


def write_report(job: ImportJob, check: _Check) -> None:
    from clientfocus.exchange import Column

    columns: list[Column | str] = [Column("Строка", "number"), "Лист", "Колонка", "Значение", "Причина"]
    rows = (
        [p["row"], p["sheet"] or "", p["column"], p["value"], problem_reason(p["code"], "ru")]
        for p in check.problems
    )
    write_csv(report_path(job), columns, rows)
    if check.rejects:
        frame = pl.concat(check.rejects, how="vertical_relaxed")
        reasons = [r for part in check.reject_reasons for r in part]
        headers = [*frame.columns, "Причина"]
        write_csv(
            rejects_path(job),
            headers,
            ([*values, reason] for values, reason in zip(frame.iter_rows(), reasons, strict=True)),
        )


def save_new_companies(job: ImportJob, new: dict[str, dict[str, Any]]) -> None:
    (job_dir(job) / "new_companies.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")


def load_new_companies(job: ImportJob) -> dict[str, dict[str, Any]]:
    path = job_dir(job) / "new_companies.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def audit_import(job: ImportJob, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="import_run",
        obj=job,
        details={
            "kind": job.kind,
            "added": job.rows_added,
            "updated": job.rows_updated,
            "unchanged": job.rows_unchanged,
            "bad_rows": job.rows_bad,
        },
    )
