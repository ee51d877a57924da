"""Writes of the import: create a job from an upload or a path, configure it, check it (dry run),
run or resume it, save a mapping. The web wizard, the command line and the tests call these.

Who may import (decided here, tested in tests/test_access.py):
- admins and managers import into every company they may see (accounts.access); a company an
  import creates is owned by the user named in a mapped "Менеджер" column — who must be someone
  the importer may make an owner (`assignable_owners`), else the row is an error — or, with no
  such column, by the importer;
- sellers import too, but only into their own companies: their scope is their own portfolio,
  and the only owner they may name is themselves;
- existing companies keep their owner (an import never reassigns).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from clientfocus.accounts.access import is_admin
from clientfocus.accounts.models import Role, User
from clientfocus.exchange import ColumnMapping, ExchangeError, Kind, auto_map, list_sheets, open_table
from clientfocus.imports.models import ImportJob, SavedMapping
from clientfocus.imports.pipeline import (
    MAX_STORED_PROBLEMS,
    ImportRun,
    Progress,
    audit_import,
    job_dir,
    limits_for,
    load_new_companies,
    save_new_companies,
    source_path,
    write_report,
)

log = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The user may not import (or not this job)."""


def may_import(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (is_admin(user) or getattr(user, "role", None) in (Role.SELLER, Role.MANAGER))
    )


def _check_actor(actor: User) -> None:
    if not may_import(actor):
        raise ImportRefused


# --- creating a job -------------------------------------------------------------------------


def job_create_upload(*, actor: User, upload: UploadedFile[bytes], kind: str) -> ImportJob:
    """Store an uploaded file under var/imports/<job id>/source.dat and read its sheets and
    headers. The size limit is checked before a byte is parsed (ExchangeError)."""
    _check_actor(actor)
    limits = limits_for(ImportJob(source=ImportJob.Source.WEB))
    if upload.size is not None and upload.size > limits.max_bytes:
        raise ExchangeError("file_too_large", limit=limits.max_bytes)
    job = ImportJob.objects.create(
        created_by=actor,
        source=ImportJob.Source.WEB,
        kind=Kind(kind).value,
        original_name=(upload.name or "")[-255:],
        file_size=upload.size or 0,
    )
    with open(source_path(job), "wb") as out:
        for part in upload.chunks():
            out.write(part)
    try:
        job_inspect(job=job)
    except ExchangeError:
        shutil.rmtree(job_dir(job), ignore_errors=True)
        job.delete()
        raise
    return job


def job_create_path(
    *,
    actor: User,
    path: str,
    kind: str,
    sheet: str = "",
    mapping: ColumnMapping | None = None,
    skip_bad_rows: bool = False,
    create_companies: bool = False,
    as_of: dt.date | None = None,
) -> ImportJob:
    """A command-line job: the file stays where the caller put it (a path the caller chose)."""
    _check_actor(actor)
    import os

    job = ImportJob.objects.create(
        created_by=actor,
        source=ImportJob.Source.CLI,
        kind=Kind(kind).value,
        original_name=os.path.basename(path)[-255:],
        cli_path=os.path.abspath(path),
        file_size=os.path.getsize(path) if os.path.exists(path) else 0,
        sheet=sheet,
        skip_bad_rows=skip_bad_rows,
        create_companies=create_companies,
        as_of=as_of,
    )
    job_inspect(job=job, mapping=mapping)
    return job


def job_inspect(*, job: ImportJob, mapping: ColumnMapping | None = None) -> ImportJob:
    """Read the sheets and the header row; map the columns automatically unless given."""
    limits = limits_for(job)
    job.sheets = list_sheets(source_path(job), limits=limits)
    if job.sheet and job.sheet not in job.sheets:
        if job.sheets:
            raise ExchangeError("sheet_not_found", sheet=job.sheet)
        job.sheet = ""
    with open_table(source_path(job), sheet=job.sheet or None, limits=limits) as table:
        job.headers = list(table.headers)
        job.mapping = (mapping or auto_map(table.headers, Kind(job.kind))).to_dict()
    job.save()
    return job


def job_configure(
    *,
    actor: User,
    job: ImportJob,
    kind: str | None = None,
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
    skip_bad_rows: bool | None = None,
    create_companies: bool | None = None,
) -> ImportJob:
    """Change the wizard's choices; the mapping is checked against the file (ExchangeError)."""
    _check_actor(actor)
    if kind is not None and kind != job.kind:
        job.kind = Kind(kind).value
        job.mapping = {}
    if sheet is not None and sheet != job.sheet:
        job.sheet = sheet
        job.mapping = {}
        job_inspect(job=job)
    if columns is not None:
        mapping = ColumnMapping(Kind(job.kind), {f: h for f, h in columns.items() if h})
        mapping.check(job.headers)
        job.mapping = mapping.to_dict()
    elif not job.mapping:
        job.mapping = auto_map(job.headers, Kind(job.kind)).to_dict()
    if skip_bad_rows is not None:
        job.skip_bad_rows = skip_bad_rows
    if create_companies is not None:
        job.create_companies = create_companies
    job.state = ImportJob.State.NEW
    job.save()
    return job


def mapping_save(*, actor: User, kind: str, name: str, columns: dict[str, str]) -> SavedMapping:
    _check_actor(actor)
    mapping = ColumnMapping(Kind(kind), {f: h for f, h in columns.items() if h})
    saved, _created = SavedMapping.objects.update_or_create(
        owner=actor, kind=kind, name=name.strip()[:100], defaults={"columns": dict(mapping.columns)}
    )
    return saved


# --- checking and running -------------------------------------------------------------------


def _fail(job: ImportJob, exc: Exception) -> None:
    if isinstance(exc, ExchangeError):
        job.message_code, job.message_params = exc.code, {k: str(v) for k, v in exc.params.items()}
    else:
        job.message_code, job.message_params = "internal", {"error": repr(exc)[:500]}
    job.state = ImportJob.State.FAILED
    job.finished_at = timezone.now()
    job.save()


def _store_check(job: ImportJob, run: ImportRun, check: Any) -> None:
    job.rows_read = check.rows_read
    job.rows_good = check.rows_good
    job.rows_bad = len(check.bad_positions)
    job.error_count = len(check.problems)
    job.problems = check.problems[:MAX_STORED_PROBLEMS]
    job.preview = check.preview
    write_report(job, check)
    save_new_companies(job, check.new_companies)


def job_check(*, actor: User, job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """The dry run: pass 1 only. The job shows the first rows as they will be stored and every
    problem found; nothing is written to the domain tables."""
    _check_actor(actor)
    job.state, job.phase, job.message_code = ImportJob.State.CHECKING, "check", ""
    job.chunks_done = 0
    job.save()
    run = ImportRun(job, actor, progress)
    try:
        check = run.check()
    except Exception as exc:
        _fail(job, exc)
        if not isinstance(exc, ExchangeError):
            raise
        return job
    _store_check(job, run, check)
    job.state = ImportJob.State.CHECKED
    job.save()
    return job


def job_run(
    *,
    actor: User,
    job: ImportJob,
    progress: Progress | None = None,
    recompute: bool = True,
    resume: bool = False,
) -> ImportJob:
    """Check and write. All-or-nothing unless the job skips bad rows. With `resume`, a job
    stopped while writing continues from its next chunk (its spool is still there)."""
    _check_actor(actor)
    started = time.perf_counter()
    run = ImportRun(job, actor, progress)
    resuming = resume and job.phase == "write" and (job_dir(job) / "spool").exists()
    job.started_at = job.started_at if resuming else timezone.now()
    job.message_code = ""
    try:
        if not resuming:
            job.state, job.phase = ImportJob.State.CHECKING, "check"
            job.chunks_done = job.rows_added = job.rows_updated = job.rows_unchanged = 0
            job.companies_created = 0
            job.save()
            check = run.check()
            _store_check(job, run, check)
            if check.problems and not job.skip_bad_rows:
                job.state, job.phase = ImportJob.State.REFUSED, ""
                job.finished_at = timezone.now()
                job.seconds = time.perf_counter() - started
                job.save()
                return job
        job.state, job.phase = ImportJob.State.RUNNING, "write"
        job.save()
        run.write(load_new_companies(job))
        job.phase = "analyse"
        job.save(update_fields=["phase", "updated_at"])
    except Exception as exc:
        _fail(job, exc)
        if not isinstance(exc, ExchangeError):
            raise
        return job
    audit_import(job, actor)
    if recompute and (job.rows_added or job.rows_updated):
        from clientfocus.portfolio.services import analysis_recompute

        try:
            analysis_recompute(actor=actor, as_of=job.as_of)
        except Exception:  # the import stands; the analysis stays marked stale
            log.exception("analysis recompute after import %s failed", job.pk)
    job.state, job.phase = ImportJob.State.DONE, ""
    job.finished_at = timezone.now()
    job.seconds = time.perf_counter() - started
    job.save()
    return job


# --- the web: a background thread per job ---------------------------------------------------


def job_start(*, actor: User, job: ImportJob, dry_run: bool = False, resume: bool = False) -> None:
    """Run (or check) a job in a background thread started here; progress goes to the job row,
    which the wizard polls. Tests set IMPORTS_RUN_INLINE to run it in the request instead."""
    _check_actor(actor)
    job.state = ImportJob.State.CHECKING if not resume else ImportJob.State.RUNNING
    job.save(update_fields=["state", "updated_at"])

    def work() -> None:
        try:
            progress = _job_progress(job)
            if dry_run:
                job_check(actor=actor, job=job, progress=progress)
            else:
                job_run(actor=actor, job=job, progress=progress, resume=resume)
        except Exception:
            log.exception("import job %s failed", job.pk)
        finally:
            if not inline:
                connection.close()

    inline = getattr(settings, "IMPORTS_RUN_INLINE", False) or connection.in_atomic_block
    if inline:
        work()
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread_body(work), daemon=True).start())


def _thread_body(work: Any) -> Any:
    def body() -> None:
        close_old_connections()
        work()

    return body


def _job_progress(job: ImportJob) -> Progress:
    """Store the rows read (check) or chunks written (write) on the job at most twice a second."""
    last = [0.0]

    def progress(phase: str, done: int, _total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5:
            return
        last[0] = now
        if phase == "check":
            ImportJob.objects.filter(pk=job.pk).update(
                rows_read=done, phase="check", updated_at=timezone.now()
            )

    return progress
