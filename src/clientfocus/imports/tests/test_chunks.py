"""How an import cuts a sales file into write chunks and writes them: month by month, a large
month split by company, every rollup cell in one chunk only; two writers that still commit the
chunks in file order, so a crash leaves the first chunks written and `resume` finishes the job."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from django.db import connection

from clientfocus.core.testing.factories import CompanyFactory
from clientfocus.imports import pipeline, services
from clientfocus.imports.pipeline import PLAN, ImportRun, job_dir
from clientfocus.imports.tests import makers as M
from clientfocus.sales.models import DailySales, MonthlySales, Sale
from clientfocus.sales.services import DAILY_COLUMNS, ROLLUP_COLUMNS, rollup_from_lines


def _sales_file(tmp_path, companies, days_per_month: dict[int, int]) -> str:
    """A 1C sales export of `companies` (ИНН-keyed): for each month of 2025, that many days of
    sales, one two-line invoice per company and day."""
    lines, number = [], 0
    for month, days in days_per_month.items():
        for day in range(1, days + 1):
            for company in companies:
                number += 1
                for line in (1, 2):
                    amount = 100 + number % 97 + line
                    lines.append(
                        f"{company.name};{company.inn};{day:02d}.{month:02d}.2025;Р-{number:06d};{line};"
                        f"Товар;1;{amount};{amount},00;{amount // 4};"
                    )
    path = tmp_path / "sales.csv"
    path.write_bytes(M.sales_csv(lines))
    return str(path)


def _rollups():
    return (
        sorted(MonthlySales.objects.values_list(*ROLLUP_COLUMNS)),
        sorted(DailySales.objects.values_list(*DAILY_COLUMNS)),
    )


def _rebuilt():
    monthly = sorted(rollup_from_lines(company_ids=None, start=None, end=None))
    daily = sorted(r[:6] for r in rollup_from_lines(company_ids=None, start=None, end=None, by_day=True))
    return monthly, daily


@pytest.mark.django_db
def test_sales_are_cut_month_by_month_and_a_large_month_by_company(cast, tmp_path, monkeypatch):
    dana = cast["users"]["dana"]
    companies = [CompanyFactory(owner=dana) for _ in range(6)]
    # January is large (20 days x 6 companies x 2 lines), February and March small.
    path = _sales_file(tmp_path, companies, {1: 20, 2: 2, 3: 1})
    monkeypatch.setattr(pipeline, "BYTES_PER_CHUNK", 4000)  # a chunk: about 60 lines of this file
    job = services.job_create_path(actor=dana, path=path, kind="sales", as_of=M.TODAY)
    job = services.job_check(actor=dana, job=job)
    assert job.state == "checked", job.problems

    spool = job_dir(job) / "spool"
    plan = json.loads((spool / PLAN).read_text(encoding="utf-8"))
    assert job.chunks_total == len(plan) > 2
    files = [name for chunk in plan for name in chunk]
    assert files == sorted(files), "chunks go in month order"
    assert [f for f in files if f.startswith("m-202501-")], "the large month is split by company"
    assert not (spool / "m-202501.seg").exists()
    assert ["m-202502.seg", "m-202503.seg"] in plan, "small months are written together"

    seen: dict[tuple[int, int], int] = {}
    for index, chunk in enumerate(plan):
        frame = pipeline._spool_read([spool / name for name in chunk])
        assert frame is not None
        for company_id, month in frame.select("company_id", frame["date"].dt.month()).unique().iter_rows():
            assert seen.setdefault((company_id, month), index) == index, "a rollup cell in two chunks"
    assert len(seen) == 6 * 3
    assert sum(len(chunk) for chunk in plan) == len(files)


@pytest.mark.django_db(transaction=True)
def test_two_writers_commit_in_file_order_and_resume_after_a_crash(cast, tmp_path, monkeypatch):
    """On PostgreSQL two threads write the chunks (each on its own connection); SQLite's test
    database lives in memory, where one thread writes (test_side_by_side_on_a_sqlite_file runs
    the two writers on a SQLite file). Either way a crash leaves exactly the first chunks."""
    dana = cast["users"]["dana"]
    companies = [CompanyFactory(owner=dana) for _ in range(5)]
    path = _sales_file(tmp_path, companies, {1: 6, 2: 6, 3: 6, 4: 6, 5: 6})
    monkeypatch.setattr(pipeline, "BYTES_PER_CHUNK", 3000)
    real, calls, lock = pipeline.sales_import_lines, [], threading.Lock()

    def crashing(prepared):
        with lock:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("power cut")
        return real(prepared)

    side_by_side = []
    real_side = ImportRun._write_sales_side_by_side

    def counted(self, chunks, todo):
        side_by_side.append(len(todo))
        return real_side(self, chunks, todo)

    monkeypatch.setattr(pipeline, "sales_import_lines", crashing)
    monkeypatch.setattr(ImportRun, "_write_sales_side_by_side", counted)
    job = services.job_create_path(actor=dana, path=path, kind="sales", as_of=M.TODAY)
    with pytest.raises(RuntimeError, match="power cut"):
        services.job_run(actor=dana, job=job, recompute=False)
    job.refresh_from_db()
    assert bool(side_by_side) == (connection.vendor == "postgresql")
    assert (job.state, job.phase, job.chunks_done) == ("failed", "write", 2)
    # Exactly the lines of the first two chunks, with their rollup.
    plan = json.loads((job_dir(job) / "spool" / PLAN).read_text(encoding="utf-8"))
    first = pipeline._spool_read([job_dir(job) / "spool" / name for chunk in plan[:2] for name in chunk])
    assert first is not None
    written = Sale.objects.filter(company__in=companies).values_list("key", flat=True)
    assert set(written) == set(first["_key"].to_list())
    assert _rollups() == _rebuilt()

    monkeypatch.setattr(pipeline, "sales_import_lines", real)
    job = services.job_run(actor=dana, job=job, recompute=False, resume=True)
    assert (job.state, job.chunks_done) == ("done", job.chunks_total)
    assert Sale.objects.filter(company__in=companies).count() == 5 * 5 * 6 * 2
    assert _rollups() == _rebuilt()
    again = services.job_run(
        actor=dana, job=services.job_create_path(actor=dana, path=path, kind="sales", as_of=M.TODAY)
    )
    assert (again.rows_added, again.rows_unchanged) == (0, 5 * 5 * 6 * 2)


SQLITE_FILE_RUN = """
import datetime as dt, json, threading, django
django.setup()
from django.core.management import call_command
from django.db import connection
from clientfocus.accounts.models import Role
from clientfocus.accounts.services import user_create
from clientfocus.companies.models import Company
from clientfocus.imports import pipeline, services
from clientfocus.sales.models import DailySales, MonthlySales, Sale
from clientfocus.sales.services import DAILY_COLUMNS, ROLLUP_COLUMNS, rollup_from_lines
call_command("migrate", verbosity=0)
admin = user_create(actor=None, username="admin", password="x-password-1", role=Role.ADMIN)
companies = [Company.objects.create(name=f"Клиент {i}", inn=inn, owner=admin) for i, inn in enumerate(INNS)]
pipeline.BYTES_PER_CHUNK = 3000
used = []
real = pipeline.ImportRun._write_sales_side_by_side
def counted(self, chunks, todo):
    used.append(threading.get_ident())
    return real(self, chunks, todo)
pipeline.ImportRun._write_sales_side_by_side = counted
job = services.job_run(actor=admin, job=services.job_create_path(
    actor=admin, path=PATH, kind="sales", as_of=dt.date(2025, 6, 30)), recompute=False)
monthly = sorted(rollup_from_lines(company_ids=None, start=None, end=None))
daily = sorted(r[:6] for r in rollup_from_lines(company_ids=None, start=None, end=None, by_day=True))
print(json.dumps({
    "state": job.state, "added": job.rows_added, "chunks": job.chunks_total, "side_by_side": len(used),
    "lines": Sale.objects.count(),
    "monthly_equal": sorted(MonthlySales.objects.values_list(*ROLLUP_COLUMNS)) == monthly,
    "daily_equal": sorted(DailySales.objects.values_list(*DAILY_COLUMNS)) == daily,
}))
"""


def test_side_by_side_on_a_sqlite_file(tmp_path):
    """The two writers on a real SQLite file (the in-memory test database has one writer), in a
    fresh process: every line, and both rollups equal to a rebuild from the lines."""
    from clientfocus.exchange.inn import complete_inn

    class Ref:
        def __init__(self, i: int) -> None:
            self.name, self.inn = f"Клиент {i}", complete_inn(f"50{i + 1:07d}")

    refs = [Ref(i) for i in range(4)]
    path = _sales_file(tmp_path, refs, {1: 5, 2: 5, 3: 5, 4: 5})
    code = SQLITE_FILE_RUN.replace("INNS", repr([r.inn for r in refs])).replace("PATH", repr(path))
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "clientfocus.config.settings",
        "CLIENTFOCUS_VAR": str(tmp_path / "var"),
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {
        "state": "done",
        "added": 4 * 4 * 5 * 2,
        "chunks": result["chunks"],
        "side_by_side": 1,
        "lines": 4 * 4 * 5 * 2,
        "monthly_equal": True,
        "daily_equal": True,
    }
    assert result["chunks"] > 2
