"""How fast `clientfocus import` brings in a 1C sales export, beside the database's own floor.

    .venv/bin/python benchmarks/bench_import.py [LINES] [--companies N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_import.py

LINES defaults to 1,000,000 sale lines for 10,000 companies, written as a Windows-1251 `;` CSV
with Russian 1C headers (Контрагент;ИНН;Дата;Номер;Строка;Номенклатура;Количество;Цена;Сумма;
Маржа;Менеджер), sorted by date like a sales journal. The run uses a fresh database (a temporary
SQLite file, or a scratch PostgreSQL database next to the one DATABASE_URL names, dropped after).

Rows printed:
- companies import: the 10,000 clients from a companies CSV (the pipeline, not timed against a floor);
- sales import: `clientfocus import --kind sales` without the recompute — reading, encoding and
  delimiter detection, validation of every cell, company resolution, keys, duplicate check, the
  spool, chunked commits of the lines, the rollup kept in step, the analysis marked stale;
- analysis recompute: what the import runs after that (reported apart);
- re-import: the same file again (idempotent: nothing added);
- floor: the same lines, already clean and typed, written into an empty copy of the sale table
  with the same indexes and constraints by PostgreSQL's COPY (SQLite: one executemany) — no
  validation, no rollup, no key check, one transaction; on SQLite also the same rows through
  core.bulk's staged INSERT … SELECT (what the import uses).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from floor import clone_sale_table

AS_OF = dt.date(2026, 11, 25)
HEADER = "Контрагент;ИНН;Дата;Номер;Строка;Номенклатура;Количество;Цена;Сумма;Маржа;Менеджер"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("lines", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    scratch = _scratch_database()
    try:
        _run(args.lines, args.companies, args.seed)
    finally:
        if scratch:
            _drop_database(scratch)
        import shutil

        shutil.rmtree(os.environ["CLIENTFOCUS_VAR"], ignore_errors=True)  # the database, job folders, files


def _scratch_database() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        os.environ["CLIENTFOCUS_VAR"] = tempfile.mkdtemp(prefix="cf-bench-import-")
        os.environ.pop("DATABASE_URL", None)
        return None
    import psycopg

    # Named after the database DATABASE_URL names, so a scratch run stays in its owner's namespace.
    name = f"{urlsplit(url).path.lstrip('/') or 'cf'}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    os.environ["_CF_BENCH_ADMIN_URL"] = url
    os.environ["CLIENTFOCUS_VAR"] = tempfile.mkdtemp(prefix="cf-bench-import-")
    return name


def _drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(os.environ["_CF_BENCH_ADMIN_URL"], autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _inns(n: int, rng: object) -> list[str]:
    """n distinct 10-digit ИНН with valid check digits."""
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    out, seen = [], set()
    base = 7700000000 // 10
    k = 0
    while len(out) < n:
        digits = str(base + k * 7919 % 90_000_000)[:9].rjust(9, "0")
        k += 1
        check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
        inn = digits + str(check)
        if inn not in seen:
            seen.add(inn)
            out.append(inn)
    return out


def make_files(folder: Path, lines: int, companies: int, seed: int) -> tuple[Path, Path]:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    inns = _inns(companies, rng)
    names = [f'ООО "Клиент {i:05d}"' for i in range(companies)]
    comp = pl.DataFrame(
        {
            "Наименование": names,
            "ИНН": inns,
            "Отрасль": [
                ("Строительство", "Торговля", "Производство", "Логистика")[i % 4] for i in range(companies)
            ],
            "Регион": [
                ("Москва", "Санкт-Петербург", "Казань", "Новосибирск")[i % 4] for i in range(companies)
            ],
            "Сотрудников": rng.integers(5, 2000, companies),
        }
    )
    companies_path = folder / "clients.csv"
    companies_path.write_bytes(comp.write_csv(separator=";").encode("cp1251"))

    # Sales: ~3 lines per invoice, 3 years back, sorted by date like a sales journal.
    invoices = lines // 3 + 1
    inv_company = rng.integers(0, companies, invoices)
    inv_day = np.sort(rng.integers(0, 3 * 365, invoices))
    per = np.full(invoices, 3)
    per[-1] = lines - 3 * (invoices - 1)
    per = per[per > 0]
    invoices = len(per)
    idx = np.repeat(np.arange(invoices), per)
    line_no = (
        np.concatenate([np.arange(1, p + 1) for p in per])
        if invoices < 50
        else (np.arange(len(idx)) - np.repeat(np.cumsum(per) - per, per) + 1)
    )
    company = inv_company[idx]
    start = AS_OF - dt.timedelta(days=3 * 365)
    qty = rng.integers(1, 20, len(idx))
    price = rng.integers(100, 500_000, len(idx))  # kopecks
    amount = qty * price
    ret = rng.random(len(idx)) < 0.02
    amount = np.where(ret, -amount, amount)
    margin = (amount * rng.uniform(0.1, 0.35, len(idx))).astype(np.int64)
    frame = pl.DataFrame(
        {
            "c": company,
            "day": inv_day[idx],
            "inv": idx,
            "line": line_no,
            "qty": qty,
            "price": price,
            "amount": amount,
            "margin": margin,
        }
    )

    def money(col: str) -> pl.Expr:
        v = pl.col(col)
        sign = pl.when(v < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        return pl.concat_str(
            [
                sign,
                (v.abs() // 100).cast(pl.String),
                pl.lit(","),
                (v.abs() % 100).cast(pl.String).str.zfill(2),
            ]
        )

    products = pl.Series(["Кабель ВВГ", "Провод ПВС", "Автомат 16А", "Щит учётный", "Розетка", "Лоток"])
    out = frame.select(
        pl.col("c").replace_strict(list(range(companies)), names, return_dtype=pl.String).alias("Контрагент"),
        pl.col("c").replace_strict(list(range(companies)), inns, return_dtype=pl.String).alias("ИНН"),
        (pl.lit(start) + pl.duration(days=pl.col("day"))).dt.strftime("%d.%m.%Y").alias("Дата"),
        pl.concat_str([pl.lit("РТ-"), pl.col("inv").cast(pl.String).str.zfill(8)]).alias("Номер"),
        pl.col("line").alias("Строка"),
        pl.col("inv")
        .mod(len(products))
        .replace_strict(list(range(len(products))), products.to_list())
        .alias("Номенклатура"),
        pl.col("qty").alias("Количество"),
        money("price").alias("Цена"),
        money("amount").alias("Сумма"),
        money("margin").alias("Маржа"),
        pl.lit("").alias("Менеджер"),
    )
    sales_path = folder / "sales.csv"
    text = out.write_csv(separator=";", quote_style="necessary")
    sales_path.write_bytes(("Продажи за период;;;;;;;;;;\r\n" + text).encode("cp1251"))
    return companies_path, sales_path


def _run(lines: int, companies: int, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientfocus.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from rich.console import Console
    from rich.table import Table

    from clientfocus.accounts.models import Role
    from clientfocus.accounts.services import user_create
    from clientfocus.imports import services
    from clientfocus.portfolio.services import analysis_recompute
    from clientfocus.portfolio.staleness import data_version
    from clientfocus.sales.models import DailySales, MonthlySales, Sale
    from clientfocus.sales.services import DAILY_COLUMNS, SALE_COLUMNS, rollup_from_lines

    console = Console()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    # A throwaway database: the password is never used.
    admin = user_create(actor=None, username="bench", password="bench-password-1", role=Role.ADMIN)  # noqa: S106
    folder = Path(os.environ["CLIENTFOCUS_VAR"]) / "files"
    folder.mkdir()
    t = time.perf_counter()
    companies_path, sales_path = make_files(folder, lines, companies, seed)
    t_gen = time.perf_counter() - t
    size = sales_path.stat().st_size
    console.print(
        f"{connection.vendor}: {lines:,} sale lines for {companies:,} companies; "
        f"file {size / 2**20:.0f} MiB cp1251 (generated in {t_gen:.1f} s)"
    )

    t = time.perf_counter()
    job = services.job_create_path(actor=admin, path=str(companies_path), kind="companies", as_of=AS_OF)
    job = services.job_run(actor=admin, job=job, recompute=False)
    t_companies = time.perf_counter() - t
    assert job.state == "done" and job.rows_added == companies, (job.state, job.rows_added, job.problems[:3])

    version = data_version()
    marks: dict[str, float] = {}

    def progress(phase: str, _done: int, _total: int | None) -> None:
        marks[phase] = time.perf_counter()  # the last report of each phase

    t = time.perf_counter()
    job = services.job_create_path(actor=admin, path=str(sales_path), kind="sales", as_of=AS_OF)
    job = services.job_run(actor=admin, job=job, recompute=False, progress=progress)
    t_sales = time.perf_counter() - t
    t_check = marks["check"] - t
    assert job.state == "done", (job.state, job.message_code, job.problems[:3])
    assert job.rows_added == lines, job.rows_added
    assert data_version() > version, "the analysis was not marked stale"

    t = time.perf_counter()
    analysis_recompute(actor=admin, as_of=AS_OF)
    t_analysis = time.perf_counter() - t

    t = time.perf_counter()
    again = services.job_create_path(actor=admin, path=str(sales_path), kind="sales", as_of=AS_OF)
    again = services.job_run(actor=admin, job=again, recompute=False)
    t_again = time.perf_counter() - t
    assert again.rows_added == 0 and again.rows_unchanged == lines, (again.rows_added, again.rows_unchanged)

    # The rollup equals a rebuild from the lines.
    rebuilt = sorted(rollup_from_lines(company_ids=None, start=None, end=None))
    stored = sorted(
        MonthlySales.objects.values_list(
            "company_id",
            "month",
            "revenue_minor",
            "margin_minor",
            "invoices",
            "lines",
            "first_day",
            "last_day",
        )
    )
    assert rebuilt == stored, "rollup differs from a rebuild"
    by_day = rollup_from_lines(company_ids=None, start=None, end=None, by_day=True)
    rebuilt_days = sorted(r[:6] for r in by_day)
    stored_days = sorted(DailySales.objects.values_list(*DAILY_COLUMNS))
    assert rebuilt_days == stored_days, "daily rollup differs from a rebuild"

    # The floor: the same lines, clean and typed, written plainly into an empty indexed copy.
    import polars as pl

    rows = list(Sale.objects.order_by("pk").values_list(*SALE_COLUMNS))
    frame = pl.DataFrame(rows, schema=list(SALE_COLUMNS), orient="row")
    clone = clone_sale_table(connection, "bench_import_floor")
    try:
        payload = b""
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False)
            payload = buf.getvalue()
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cols = ", ".join(SALE_COLUMNS)
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {clone} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
                    cp.write(payload)
            else:
                marks = ", ".join(["%s"] * len(SALE_COLUMNS))
                cur.executemany(f"INSERT INTO {clone} ({cols}) VALUES ({marks})", rows)
        t_floor = time.perf_counter() - t
    finally:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {clone}")
    # SQLite's faster floor: the same rows staged through Arrow and copied by one INSERT … SELECT
    # (core.bulk, what the import itself uses), into another empty indexed copy.
    t_staged = None
    if connection.vendor == "sqlite":
        from clientfocus.core.bulk import bulk_insert_frame

        typed = frame.with_columns(pl.col("date").cast(pl.Date))
        clone = clone_sale_table(connection, "bench_import_floor_staged")
        try:
            t = time.perf_counter()
            with transaction.atomic():
                assert bulk_insert_frame(clone, SALE_COLUMNS, typed) == lines
            t_staged = time.perf_counter() - t
        finally:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE {clone}")

    table = Table(
        title=f"import, {connection.vendor}, {lines:,} sale lines ({size / 2**20:.0f} MiB cp1251 CSV)"
    )
    for col in ("step", "seconds", "lines/s", "× floor"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for label, seconds, n in (
        (f"companies import ({companies:,} rows)", t_companies, companies),
        ("sales import (validation, rollup, staleness)", t_sales, lines),
        ("  of which pass 1: read, validate, resolve, spool", t_check, lines),
        ("  of which pass 2: write lines + rollup, commit", t_sales - t_check, lines),
        ("analysis recompute after it", t_analysis, lines),
        ("re-import of the same file (adds 0)", t_again, lines),
        (
            "floor: "
            + ("COPY" if connection.vendor == "postgresql" else "executemany")
            + " of the clean rows",
            t_floor,
            lines,
        ),
    ):
        table.add_row(label, f"{seconds:.1f}", f"{n / seconds:,.0f}", f"{seconds / t_floor:.2f}")
    if t_staged is not None:
        table.add_row(
            "floor: staged INSERT … SELECT (core.bulk)", f"{t_staged:.1f}", f"{lines / t_staged:,.0f}",
            f"{t_staged / t_floor:.2f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
