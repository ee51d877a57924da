"""The daily rollup stays in step with the sale lines on every write path (ARCHITECTURE.md,
invariant 4): one line, bulk insert, the demo's fresh load and the import's frames."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import transaction

from clientfocus.core.testing.factories import CompanyFactory
from clientfocus.sales.models import DailySales
from clientfocus.sales.services import (
    DAILY_COLUMNS,
    ROLLUP_COLUMNS,
    SALE_COLUMNS,
    SaleLine,
    rollup_rebuild_all,
    sale_create,
    sale_delete,
    sales_bulk_insert,
    sales_fresh_load,
    sales_import_frame,
)

pytestmark = pytest.mark.django_db
D = dt.date


def daily() -> set[tuple]:
    return set(DailySales.objects.values_list(*DAILY_COLUMNS))


def test_single_writes_keep_the_daily_rollup_in_step():
    c = CompanyFactory()
    sale_create(actor=None, company=c, date=D(2026, 3, 5), invoice="А-1", line_no=1,
                amount_minor=10_000, margin_minor=2_000)
    sale_create(actor=None, company=c, date=D(2026, 3, 5), invoice="А-1", line_no=2, amount_minor=5_000)
    sale_create(actor=None, company=c, date=D(2026, 3, 5), invoice="А-2", line_no=1,
                amount_minor=-3_000, margin_minor=-600)
    sale_create(actor=None, company=c, date=D(2026, 3, 6), invoice="А-3", line_no=1,
                amount_minor=700, margin_minor=100)
    # 03-05: А-1 nets 15 000 (a purchase), А-2 nets −3 000 (a return, not a purchase); one line
    # has no margin, so the day's margin is unknown. 03-06: one purchase of 700, margin 100.
    assert daily() == {(c.pk, D(2026, 3, 5), 12_000, None, 1, 3), (c.pk, D(2026, 3, 6), 700, 100, 1, 1)}
    sale = c.sales.get(invoice="А-1", line_no=2)
    sale_delete(actor=None, sale=sale)
    # Without А-1#2 every line of 03-05 has a margin: 2 000 − 600.
    assert (c.pk, D(2026, 3, 5), 7_000, 1_400, 1, 2) in daily()
    before = daily()
    rollup_rebuild_all()
    assert daily() == before


def test_bulk_insert_daily_rollup_matches_a_rebuild():
    a, b = CompanyFactory(), CompanyFactory()
    lines = [
        SaleLine(a.pk, D(2025, 12, 31), "Р-10", 1, 100_00, 20_00),
        SaleLine(a.pk, D(2026, 1, 15), "Р-11", 1, 250_00),
        SaleLine(a.pk, D(2026, 1, 15), "Р-12", 1, 50_00, 5_00),
        SaleLine(b.pk, D(2026, 1, 2), "Р-13", 1, 999_99, 0),
        SaleLine(b.pk, D(2026, 1, 2), "Р-14", 1, -999_99, 0),
    ]
    assert sales_bulk_insert(actor=None, lines=lines, batch_size=2) == 5
    first = daily()
    assert first == {
        (a.pk, D(2025, 12, 31), 100_00, 20_00, 1, 1),
        (a.pk, D(2026, 1, 15), 300_00, None, 2, 2),
        (b.pk, D(2026, 1, 2), 0, 0, 1, 2),
    }
    sales_bulk_insert(actor=None, lines=[SaleLine(a.pk, D(2026, 1, 15), "Р-15", 1, 1_00, 1)])
    assert (a.pk, D(2026, 1, 15), 301_00, None, 3, 3) in daily()
    after = daily()
    rollup_rebuild_all()
    assert daily() == after


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"company_id": pl.Int64, "date": pl.Date, "invoice": pl.String, "line_no": pl.Int64,
                "amount_minor": pl.Int64, "margin_minor": pl.Int64, "product_group": pl.String,
                "key": pl.String},
        orient="row",
    )


def test_import_frames_keep_the_daily_rollup_in_step():
    """The first frame fills empty cells (daily rows aggregated in polars); the second touches an
    occupied cell (rebuilt from the lines in SQL) and adds a fresh one."""
    c = CompanyFactory()
    with transaction.atomic():
        sales_import_frame(actor=None, lines=_frame([
            (c.pk, D(2026, 2, 3), "Н-1", 1, 400_00, 40_00, "", "Н-1#1"),
            (c.pk, D(2026, 2, 3), "Н-1", 2, 100_00, None, "", "Н-1#2"),
        ]))
    assert daily() == {(c.pk, D(2026, 2, 3), 500_00, None, 1, 2)}
    with transaction.atomic():
        result = sales_import_frame(actor=None, lines=_frame([
            (c.pk, D(2026, 2, 3), "Н-1", 2, 100_00, None, "", "Н-1#2"),  # stored already
            (c.pk, D(2026, 2, 20), "Н-2", 1, -50_00, -5_00, "", "Н-2#1"),
            (c.pk, D(2026, 4, 1), "Н-3", 1, 10_00, 1_00, "", "Н-3#1"),
        ]))
    assert result.added == 2
    expected = {
        (c.pk, D(2026, 2, 3), 500_00, None, 1, 2),
        (c.pk, D(2026, 2, 20), -50_00, -5_00, 0, 1),
        (c.pk, D(2026, 4, 1), 10_00, 1_00, 1, 1),
    }
    assert daily() == expected
    rollup_rebuild_all()
    assert daily() == expected


def test_fresh_load_writes_the_daily_rollup_of_its_lines():
    c = CompanyFactory()
    lines = pl.DataFrame(
        {
            "company_id": [c.pk, c.pk, c.pk],
            "date": ["2026-05-01", "2026-05-01", "2026-05-09"],
            "invoice": ["Д-1", "Д-1", "Д-2"],
            "line_no": [1, 2, 1],
            "amount_minor": [300, 200, 1_000],
            "margin_minor": [30, 20, None],
            "product_group": ["", "", ""],
            "key": ["Д-1#1", "Д-1#2", "Д-2#1"],
        }
    ).select(list(SALE_COLUMNS))
    rollup = pl.DataFrame(
        {"company_id": [c.pk], "month": ["2026-05-01"], "revenue_minor": [1_500], "margin_minor": [None],
         "invoices": [2], "lines": [3], "first_day": ["2026-05-01"], "last_day": ["2026-05-09"]},
        schema_overrides={"margin_minor": pl.Int64},
    ).select(list(ROLLUP_COLUMNS))
    with transaction.atomic():
        assert sales_fresh_load(lines=lines, rollup=rollup) == 3
    expected = {(c.pk, D(2026, 5, 1), 500, 50, 1, 2), (c.pk, D(2026, 5, 9), 1_000, None, 1, 1)}
    assert daily() == expected
    rollup_rebuild_all()
    assert daily() == expected
