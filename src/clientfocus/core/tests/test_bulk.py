"""core/bulk.py: the staged SQLite path stores exactly what binding each value stores, skips
conflicting rows when asked, and writes nothing when its transaction rolls back."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from django.db import connection, transaction

from clientfocus.core import bulk
from clientfocus.core.testing.factories import CompanyFactory
from clientfocus.portfolio.models import CompanyAnalysis, Snapshot
from clientfocus.sales.models import DailySales

COLUMNS = (
    "snapshot_id", "company_id", "revenue_12m", "margin_12m", "trend_12m", "last_purchase",
    "key_account", "category", "temperature_colour", "quadrant", "details", "potential_source",
    "a_problem", "revenue_prev_12m", "best_year_revenue", "lifetime_revenue", "purchases",
    "overdue", "alert",
)


def _frame(snapshot: Snapshot, ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "snapshot_id": [snapshot.pk] * 3,
            "company_id": ids,
            "revenue_12m": [0, -1_234_567_890_123, 9_000_000_000_000_000],
            "margin_12m": [None, 5, -7],
            "trend_12m": [0.25, None, float("nan")],
            "last_purchase": [dt.date(2026, 1, 31), None, dt.date(1999, 12, 1)],
            "key_account": [True, False, True],
            "category": ["A", "B", "D"],
            "temperature_colour": ["blue", "", "red"],
            "quadrant": ["I", "", "IV"],
            "details": ['{"reason_codes": ["A_KEY"], "note": "ООО «Ромашка»; \\"x\\""}', "{}", "{}"],
            "potential_source": [None, "LOOKALIKE", "ПОТЕНЦИАЛ"],
            "a_problem": [None, True, False],
            **{
                c: [0, 1, 2]
                for c in ("revenue_prev_12m", "best_year_revenue", "lifetime_revenue", "purchases")
            },
            "overdue": [False, True, False],
            "alert": [True, False, False],
        },
        schema_overrides={"margin_12m": pl.Int64, "trend_12m": pl.Float64, "a_problem": pl.Boolean},
    )


def _stored(snapshot: Snapshot) -> list[tuple[object, ...]]:
    """The rows as the database holds them (on SQLite with each value's storage class)."""
    cols = [c for c in COLUMNS if c != "snapshot_id"]
    if connection.vendor == "sqlite":
        select = ", ".join(f"{c}, typeof({c})" for c in cols)
    else:
        select = ", ".join(cols)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {select} FROM portfolio_companyanalysis WHERE snapshot_id = %s ORDER BY company_id",  # noqa: S608
            [snapshot.pk],
        )
        # NaN never equals itself: compare it by name (PostgreSQL stores it, SQLite stores NULL).
        rows = cur.fetchall()
    return [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row) for row in rows]


@pytest.mark.django_db
def test_staged_rows_equal_bound_rows(monkeypatch):
    ids = [CompanyFactory().pk for _ in range(3)]
    staged, bound = Snapshot.objects.create(as_of=dt.date(2026, 11, 30)), Snapshot.objects.create(
        as_of=dt.date(2026, 11, 30)
    )
    table = CompanyAnalysis._meta.db_table
    if connection.vendor == "sqlite":
        assert bulk.sqlite_stage_ready(), "every SQLite connection attaches the staging schema"
    assert bulk.bulk_insert_frame(table, COLUMNS, _frame(staged, ids)) == 3
    monkeypatch.setattr(bulk, "sqlite_stage_ready", lambda: False)
    assert bulk.bulk_insert_frame(table, COLUMNS, _frame(bound, ids)) == 3

    assert _stored(staged) == _stored(bound)
    rows = {r.company_id: r for r in CompanyAnalysis.objects.filter(snapshot=staged)}
    first, second, third = (rows[i] for i in ids)
    assert first.last_purchase == dt.date(2026, 1, 31) and second.last_purchase is None
    assert first.key_account is True and second.key_account is False
    assert first.trend_12m == 0.25 and second.trend_12m is None
    assert third.trend_12m is None or math.isnan(third.trend_12m)  # NaN is stored as NULL on SQLite
    assert second.revenue_12m == -1_234_567_890_123 and third.revenue_12m == 9_000_000_000_000_000
    assert first.details["note"] == 'ООО «Ромашка»; "x"'
    assert third.potential_source == "ПОТЕНЦИАЛ" and first.potential_source is None
    assert (first.a_problem, second.a_problem, third.a_problem) == (None, True, False)


@pytest.mark.django_db
def test_skip_conflicts_counts_only_new_rows_and_keeps_the_stored_ones():
    company = CompanyFactory()
    table = DailySales._meta.db_table
    cols = ("company_id", "day", "revenue_minor", "margin_minor", "invoices", "lines")

    def days(*rows: tuple[int, int]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "company_id": [company.pk] * len(rows),
                "day": [dt.date(2026, 3, d) for d, _r in rows],
                "revenue_minor": [r for _d, r in rows],
                "margin_minor": [None] * len(rows),
                "invoices": [1] * len(rows),
                "lines": [1] * len(rows),
            },
            schema_overrides={"margin_minor": pl.Int64},
        )

    assert bulk.bulk_insert_frame(table, cols, days((1, 100), (2, 200))) == 2
    assert bulk.bulk_insert_frame(table, cols, days((2, 999), (3, 300), (1, 999)), skip_conflicts=True) == 1
    stored = dict(DailySales.objects.filter(company=company).values_list("day__day", "revenue_minor"))
    assert stored == {1: 100, 2: 200, 3: 300}


@pytest.mark.django_db
def test_a_rolled_back_staged_insert_writes_nothing():
    company = CompanyFactory()
    snapshot = Snapshot.objects.create(as_of=dt.date(2026, 11, 30))
    frame = _frame(snapshot, [company.pk, CompanyFactory().pk, CompanyFactory().pk])
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk.bulk_insert_frame(CompanyAnalysis._meta.db_table, COLUMNS, frame)
        assert CompanyAnalysis.objects.filter(snapshot=snapshot).count() == 3
        raise RuntimeError("the caller fails after the write")
    assert not CompanyAnalysis.objects.filter(snapshot=snapshot).exists()
