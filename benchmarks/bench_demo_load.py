"""How fast `clientfocus demo` loads, beside the raw insert floor measured in the same run.

    .venv/bin/python benchmarks/bench_demo_load.py [COMPANIES] [--lines N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/bench_demo_load.py 10000

COMPANIES defaults to 10,000 (1,000,000 sale lines). The run uses a fresh database: a temporary
SQLite file, or on PostgreSQL a scratch database created next to the one DATABASE_URL names
(and dropped afterwards). Rows printed:

- demo load: the whole `demo_load` (generation and every table: companies, contacts, lines,
  rollup, activities, deals), lines per second of wall time;
- generation only: the vectorised generator of the sale lines and their rollup, no database;
- raw insert floor: the same sale lines, generated beforehand (not timed), written by plain
  executemany (SQLite) or COPY (PostgreSQL) into an empty copy of the sale table with the
  same indexes — what any loader pays just to store those rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from floor import clone_sale_table

AS_OF = dt.date(2026, 11, 25)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("companies", nargs="?", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=None, help="sale lines (default: 100 per company)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    lines = args.lines if args.lines is not None else args.companies * 100

    scratch_db = _scratch_database()
    try:
        _run(args.companies, lines, args.seed)
    finally:
        if scratch_db:
            _drop_database(scratch_db)


def _scratch_database() -> str | None:
    """Point Django at an empty database of its own (SQLite: a temp dir; PostgreSQL: a new db)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        os.environ["CLIENTFOCUS_VAR"] = tempfile.mkdtemp(prefix="cf-bench-")
        os.environ.pop("DATABASE_URL", None)
        return None
    import psycopg

    name = f"cf_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    os.environ["_CF_BENCH_ADMIN_URL"] = url
    return name


def _drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(os.environ["_CF_BENCH_ADMIN_URL"], autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(companies: int, lines: int, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientfocus.config.settings")
    import django
    import polars as pl

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from rich.console import Console
    from rich.table import Table

    from clientfocus.portfolio import demo
    from clientfocus.sales.services import SALE_COLUMNS

    console = Console()
    call_command("migrate", interactive=False, verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # time the data, not argon2
    spec = demo.DemoSpec(companies=companies, lines=lines, seed=seed, as_of=AS_OF)
    console.print(f"{connection.vendor}: {companies:,} companies, {lines:,} sale lines")

    t0 = time.perf_counter()
    result = demo.demo_load(spec, progress=False)
    t_demo = time.perf_counter() - t0

    # Generation alone, and the insert floor: the same frames written plainly into a copy of
    # the sale table (generation outside the timer).
    plan = demo._plan(spec, 1, 4)
    step = demo._chunk_size(spec)
    clone = clone_sale_table(connection, "bench_sale_floor")
    t_gen = t_floor = 0.0
    written = 0
    try:
        for chunk, lo in enumerate(range(0, companies, step)):
            hi = min(lo + step, companies)
            t = time.perf_counter()
            frame, _rollup = demo._chunk_sales(plan, lo, hi, seed, chunk)
            t_gen += time.perf_counter() - t
            rows = frame.select(list(SALE_COLUMNS)).with_columns(pl.col("product_group").cast(pl.Utf8)).rows()
            payload = _csv(frame.select(list(SALE_COLUMNS))) if connection.vendor == "postgresql" else b""
            t = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    with cur.cursor.copy(
                        f"COPY {clone} ({', '.join(SALE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
                    ) as cp:
                        cp.write(payload)
                else:
                    marks = ", ".join(["%s"] * len(SALE_COLUMNS))
                    cur.executemany(f"INSERT INTO {clone} ({', '.join(SALE_COLUMNS)}) VALUES ({marks})", rows)
            t_floor += time.perf_counter() - t
            written += len(rows)
    finally:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {clone}")

    table = Table(title=f"demo load, {connection.vendor}, {result.lines:,} sale lines")
    for col in ("step", "seconds", "lines/s", "time ÷ floor"):
        table.add_column(col, justify="right" if col != "step" else "left")
    floor_rate = written / t_floor if t_floor else float("nan")
    for label, seconds, n in (
        ("demo load (everything)", t_demo, result.lines),
        ("generation only (lines + rollup)", t_gen, written),
        ("raw insert floor (sale lines only)", t_floor, written),
    ):
        rate = n / seconds if seconds else float("nan")
        table.add_row(label, f"{seconds:.1f}", f"{rate:,.0f}", f"{floor_rate / rate:.2f}" if rate else "")
    console.print(table)
    console.print(
        f"also written by the demo load: {result.companies:,} companies, {result.contacts:,} contacts, "
        f"{result.activities:,} activities, {result.deals:,} deals"
    )


def _csv(frame: object) -> bytes:
    import io

    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False)  # type: ignore[attr-defined]
    return buf.getvalue()


if __name__ == "__main__":
    main()
