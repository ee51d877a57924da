"""The one mapper at the boundary: database rows -> analytics facts (STYLE.md, habit 4).

A fixed number of queries whatever the portfolio's size — companies, the monthly rollup, the
edge months' daily rollup, the last done activity — never one per company. The analysis reads
the rollups, never the raw lines: whole months from the monthly rollup, the few months cut by a
window edge (PRODUCT.md, "Storage and scale") from the daily rollup kept in step beside it.

Read path (chosen with benchmarks/bench_analysis_db.py; figures in docs/performance.md): reading
1.8 million rollup rows through Django's cursor builds a Python tuple per row (12 s at 100,000
companies on a busy machine); ADBC hands the rows over as Arrow columns, which polars takes
without copying them into Python objects (1.3 s). ADBC opens its own connection, so it can only
see committed data: inside a transaction (the tests, or a caller holding one) the loader falls
back to Django's cursor, which returns the same frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import polars as pl
from django.conf import settings as django_settings
from django.db import connection

from clientfocus.activities.models import Activity, State
from clientfocus.analytics import PortfolioFacts, Settings, edge_months
from clientfocus.analytics.types import COMPANIES_SCHEMA, DAILY_SCHEMA, LAST_ACTIVITY_SCHEMA, MONTHLY_SCHEMA
from clientfocus.companies.models import Company
from clientfocus.sales.models import DailySales, MonthlySales
from clientfocus.sales.services import next_month

_T = TypeVar("_T")


def _frame(sql: str, params: Sequence[Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if arrow_reads_possible():
        return _typed(_adbc_frame(sql, params, list(schema)), schema)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return _typed(pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None), schema)


def arrow_reads_possible() -> bool:
    """ADBC sees committed data only: use it outside transactions, on a file or a server."""
    if connection.in_atomic_block or not getattr(django_settings, "CLIENTFOCUS_ARROW_READS", True):
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return not (name == ":memory:" or "mode=memory" in name)
    return connection.vendor == "postgresql"


def _adbc_frame(sql: str, params: Sequence[Any], names: list[str]) -> pl.DataFrame:
    """Run `sql` through ADBC and return its result as a polars frame (Arrow C stream).

    Every selected column needs a distinct name (alias computed ones): Arrow keeps the names."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        # Read-only, and with a read-only wal-index, by URI. The ADBC driver carries its own copy
        # of SQLite, so in this process two SQLite libraries open the same file and neither sees
        # the other's locks (POSIX locks never conflict within a process; sqlite.org/
        # howtocorrupt.html, 2.2.1). Opening normally, ADBC's copy finds "no other connection"
        # and truncates the -shm file that Django's connection has mapped; Django's next write
        # then dies of SIGBUS (seen on the 100,000-company demo and the 1M-line import
        # benchmark). readonly_shm=1 opens the -shm read-only: never truncated, never
        # checkpointed; mode=ro keeps the database itself out of reach.
        conn = adbc_sqlite.connect(f"file:{quote(str(db['NAME']), safe='/')}?mode=ro&readonly_shm=1")
        # Like Django's connection: wait for a writer (or a WAL recovery by a reader opening at
        # the same moment) instead of failing at once with "database is locked".
        timeout_ms = int(float(db.get("OPTIONS", {}).get("timeout", 20)) * 1000)
        pragma = conn.cursor()
        pragma.execute(f"PRAGMA busy_timeout = {timeout_ms:d}")
        pragma.close()
        query = sql.replace("%s", "?")
        values = [v.isoformat() if isinstance(v, dt.date) else v for v in params]
    else:
        import adbc_driver_postgresql.dbapi as adbc_pg

        conn = adbc_pg.connect(_postgres_uri(db))
        # The PostgreSQL driver's parameter binding rejects these Arrow types; the loader's few
        # parameters are dates and fixed codes of our own, written in as typed literals instead.
        query = _inline(sql, params)
        values = []
    try:
        cur = conn.cursor()
        cur.execute(query, values or None)
        frame = pl.DataFrame(cur.fetch_arrow())
        cur.close()
    finally:
        conn.close()
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _inline(sql: str, params: Sequence[Any]) -> str:
    """%s placeholders -> SQL literals, for the loader's own dates, integers and fixed codes only."""
    parts = sql.split("%s")
    out = parts[0]
    for value, part in zip(params, parts[1:], strict=True):
        if isinstance(value, dt.date):
            literal = f"DATE '{value.isoformat()}'"
        elif isinstance(value, int):
            literal = str(int(value))
        elif isinstance(value, str) and value.isidentifier():
            literal = f"'{value}'"
        else:
            raise ValueError(f"not a loader parameter: {value!r}")
        out += literal + part
    return out


def _postgres_uri(db: dict[str, Any]) -> str:
    auth = quote(str(db.get("USER") or ""), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth + '@' if auth else ''}{host}{port}/{quote(str(db['NAME']), safe='')}"


def _day(column: str) -> str:
    """A date column as this database hands it over fastest. SQLite stores ISO text: its
    unixepoch() turns that into days since 1970 in C, which polars casts to Date for free —
    0.4–0.6 s less than building and parsing 5.5 M date strings of the rollup at 100,000
    companies. PostgreSQL's dates already arrive as Arrow dates."""
    if connection.vendor == "sqlite":
        return f"unixepoch({column}) / 86400"
    return column


def _typed(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Cast to the contract; SQLite hands dates over as ISO strings or, through _day, as days
    since 1970."""
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Date) and df.schema[name] == pl.String:
            col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
        elif isinstance(dtype, pl.Date) and df.schema[name].is_integer():
            col = col.cast(pl.Int32).cast(pl.Date)
        exprs.append(col.cast(dtype))
    return df.select(exprs)


def load_companies() -> pl.DataFrame:
    c = Company._meta.db_table
    sql = f"""
        SELECT c.id AS company_id, c.name AS name, c.inn AS inn, NULLIF(c.industry, '') AS industry,
               NULLIF(c.region, '') AS region, c.employees AS employees,
               NULLIF(c.size_band, '') AS size_band, c.status AS status, c.liquidated AS liquidated,
               c.owner_id AS owner_id,
               CASE WHEN u.id IS NULL THEN NULL
                    ELSE COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username) END
                   AS owner_name,
               c.relationship AS relationship
        FROM {c} c LEFT JOIN accounts_user u ON u.id = c.owner_id
    """  # noqa: S608 - table names from model metadata
    df = _frame(sql, [], COMPANIES_SCHEMA)
    return df.with_columns(pl.col("liquidated").cast(pl.Boolean))


def load_monthly(company_range: tuple[int, int] | None = None) -> pl.DataFrame:
    """The monthly rollup, or the part of it whose company id is in [lo, hi)."""
    schema = {**MONTHLY_SCHEMA, "first_day": pl.Date(), "last_day": pl.Date()}
    where, params = "", []
    if company_range is not None:
        where, params = "WHERE company_id >= %s AND company_id < %s", list(company_range)
    sql = f"""
        SELECT company_id, {_day("month")} AS month, revenue_minor, margin_minor, invoices,
               {_day("first_day")} AS first_day, {_day("last_day")} AS last_day
        FROM {MonthlySales._meta.db_table} {where}
    """  # noqa: S608
    return _frame(sql, params, schema)


def _company_halves() -> list[tuple[int, int]]:
    """Two company-id ranges of the monthly rollup, split at the middle id. Its unique
    (company, month) key answers each of MIN and MAX at once — in two subqueries: asked in one
    SELECT, SQLite scans the table instead."""
    table = MonthlySales._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT MIN(company_id) FROM {table}), (SELECT MAX(company_id) FROM {table})")  # noqa: S608
        lo, hi = cur.fetchone()
    if lo is None:
        return [(0, 1)]
    middle = (int(lo) + int(hi)) // 2 + 1
    return [(int(lo), middle), (middle, int(hi) + 1)]


def load_daily(months: Sequence[dt.date]) -> pl.DataFrame:
    """The edge months at day granularity, from the daily rollup (DailySales), which the sales
    services keep in step by the same rule as analytics.facts_from_lines (a purchase is a
    positive (day, invoice)). At 100,000 companies that is ~0.45 M integer rows instead of the
    ~1.5 M sale lines (with their invoice text) the loader used to sum here."""
    if not months:
        return pl.DataFrame(schema=DAILY_SCHEMA)
    # One range per month, glued by UNION ALL: each is an index-only scan of the covering
    # (day, …) index, where an OR of ranges makes SQLite collect and dedupe row ids first (8x).
    one = f"""
        SELECT company_id, {_day("day")} AS day, revenue_minor AS revenue, margin_minor AS margin,
               invoices
        FROM {DailySales._meta.db_table} WHERE day >= %s AND day < %s
    """  # noqa: S608
    sql = " UNION ALL ".join([one] * len(months))
    params: list[Any] = []
    for month in months:
        params += [month, next_month(month)]
    return _frame(sql, params, DAILY_SCHEMA).sort("company_id", "day")


def load_last_activity(as_of: dt.date) -> pl.DataFrame:
    # On SQLite, "+state" keeps the planner off the (state, date) index (my day's), which would
    # fetch every done activity's row and sort them by company (1.1 s at 100,000 companies),
    # and onto the covering (company, state, date) index, read in company order (0.13 s).
    state = "+state" if connection.vendor == "sqlite" else "state"
    sql = f"""
        SELECT company_id, MAX(date) AS last_activity_date FROM {Activity._meta.db_table}
        WHERE {state} = %s AND date <= %s GROUP BY company_id
    """  # noqa: S608
    return _frame(sql, [State.DONE, as_of], LAST_ACTIVITY_SCHEMA)


def load_facts(
    *, as_of: dt.date, settings: Settings, alongside: Callable[[], _T] | None = None
) -> tuple[PortfolioFacts, _T | None]:
    """Everything the analysis reads, for the whole installation, in a fixed number of queries,
    and the result of `alongside()` (other reads of the caller), run in this thread meanwhile.

    On the Arrow path the reads run side by side, each on its own ADBC connection (the drivers
    release the GIL; SQLite's WAL lets readers share the file), the monthly rollup, the largest,
    in two halves by company; `alongside` uses this thread's own Django connection.
    """
    if not arrow_reads_possible():
        frames = {
            "monthly": load_monthly(),
            "daily": load_daily(edge_months(as_of, settings)),
            "companies": load_companies(),
            "last_activity": load_last_activity(as_of),
        }
        return PortfolioFacts.create(**frames), alongside() if alongside else None
    halves = _company_halves()
    readers: dict[str, Callable[[], pl.DataFrame]] = {
        **{f"monthly{i}": partial(load_monthly, part) for i, part in enumerate(halves)},
        "daily": lambda: load_daily(edge_months(as_of, settings)),
        "last_activity": lambda: load_last_activity(as_of),
        "companies": load_companies,
    }
    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        futures = {name: pool.submit(read) for name, read in readers.items()}
        extra = alongside() if alongside else None
        frames = {name: f.result() for name, f in futures.items()}
    monthly = pl.concat([frames.pop(f"monthly{i}") for i in range(len(halves))])
    return PortfolioFacts.create(monthly=monthly, **frames), extra
