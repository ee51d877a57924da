"""The monthly rollup stays in step with the sale lines on every write path."""

from __future__ import annotations

import datetime as dt

import pytest

from clientfocus.companies.models import Company, Status
from clientfocus.core.testing.factories import CompanyFactory
from clientfocus.sales.models import MonthlySales, Sale
from clientfocus.sales.selectors import with_revenue_12m
from clientfocus.sales.services import (
    SaleLine,
    rollup_rebuild_all,
    sale_create,
    sale_delete,
    sales_bulk_insert,
)

pytestmark = pytest.mark.django_db


def rollup() -> set[tuple]:
    return set(
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


D = dt.date


def test_single_writes_keep_the_rollup_in_step():
    c = CompanyFactory(status=Status.PROSPECT)
    sale_create(
        actor=None,
        company=c,
        date=dt.date(2026, 3, 5),
        invoice="А-1",
        line_no=1,
        amount_minor=10_000,
        margin_minor=2_000,
    )
    sale_create(
        actor=None, company=c, date=dt.date(2026, 3, 20), invoice="А-1", line_no=2, amount_minor=5_000
    )
    sale_create(
        actor=None,
        company=c,
        date=dt.date(2026, 3, 25),
        invoice="А-2",
        line_no=1,
        amount_minor=-3_000,
        margin_minor=-600,
    )
    # Purchases: (03-05, А-1) and (03-20, А-1) are positive; the return А-2 is not a purchase.
    # Margin: А-1#2 has none, so the month's margin is unknown.
    assert rollup() == {(c.pk, D(2026, 3, 1), 12_000, None, 2, 3, D(2026, 3, 5), D(2026, 3, 20))}
    # The first sale promotes a prospect to CLIENT (PRODUCT.md, status funnel).
    assert Company.objects.get(pk=c.pk).status == Status.CLIENT
    sale_delete(actor=None, sale=Sale.objects.get(invoice="А-2"))
    assert rollup() == {(c.pk, D(2026, 3, 1), 15_000, None, 2, 2, D(2026, 3, 5), D(2026, 3, 20))}
    sale_delete(actor=None, sale=Sale.objects.get(invoice="А-1", line_no=1))
    sale_delete(actor=None, sale=Sale.objects.get(invoice="А-1", line_no=2))
    assert rollup() == set()


def test_bulk_insert_is_idempotent_and_matches_a_rebuild():
    a, b = CompanyFactory(), CompanyFactory()
    lines = [
        SaleLine(a.pk, dt.date(2025, 12, 31), "Р-10", 1, 100_00, 20_00),
        SaleLine(a.pk, dt.date(2026, 1, 1), "Р-11", 1, 250_00),
        SaleLine(a.pk, dt.date(2026, 1, 15), "Р-11", 2, 50_00, 5_00),
        SaleLine(b.pk, dt.date(2026, 1, 2), "Р-12", 1, 999_99, 0),
        SaleLine(b.pk, dt.date(2026, 1, 3), "Р-13", 1, -999_99, 0),  # a return that cancels it
    ]
    assert sales_bulk_insert(actor=None, lines=lines, batch_size=2) == 5
    first = rollup()
    assert first == {
        (a.pk, D(2025, 12, 1), 100_00, 20_00, 1, 1, D(2025, 12, 31), D(2025, 12, 31)),
        # Р-11 spans two days: two purchases; one line has no margin, so the month's is unknown.
        (a.pk, D(2026, 1, 1), 300_00, None, 2, 2, D(2026, 1, 1), D(2026, 1, 15)),
        # The return cancels the purchase exactly: revenue 0, one purchase (Р-12).
        (b.pk, D(2026, 1, 1), 0, 0, 1, 2, D(2026, 1, 2), D(2026, 1, 2)),
    }
    # Re-importing the same lines changes nothing; an overlapping newer export adds only the new line.
    assert sales_bulk_insert(actor=None, lines=lines) == 0
    assert (
        sales_bulk_insert(
            actor=None, lines=[*lines[3:], SaleLine(b.pk, dt.date(2026, 2, 1), "Р-14", 1, 7_00)]
        )
        == 1
    )
    assert Sale.objects.count() == 6
    after = rollup()
    assert after == first | {(b.pk, D(2026, 2, 1), 7_00, None, 1, 1, D(2026, 2, 1), D(2026, 2, 1))}
    rollup_rebuild_all()
    assert rollup() == after


def test_lines_without_invoice_get_a_content_key():
    c = CompanyFactory()
    line = SaleLine(c.pk, dt.date(2026, 5, 5), "", 1, 42_00)
    assert sales_bulk_insert(actor=None, lines=[line, line]) == 1
    assert Sale.objects.get().key.startswith("h:")


def test_revenue_windows_are_exact_at_the_edges():
    """as_of = 2026-11-25: revenue_12m covers (2025-11-25, 2026-11-25].

    Lines: 2025-11-25 (outside, the window is open on the left) 1 000,00;
           2025-11-26 (inside) 200,00; 2026-06-10 (inside) 30,00; 2026-11-25 (inside) 4,00;
           2026-11-26 (after T, outside) 5 000,00.  revenue_12m = 200 + 30 + 4 = 234,00.
    revenue_prev_12m covers (2024-11-25, 2025-11-25]: the 1 000,00 line only.
    """
    c = CompanyFactory()
    for i, (day, amount) in enumerate(
        [
            (dt.date(2025, 11, 25), 1_000_00),
            (dt.date(2025, 11, 26), 200_00),
            (dt.date(2026, 6, 10), 30_00),
            (dt.date(2026, 11, 25), 4_00),
            (dt.date(2026, 11, 26), 5_000_00),
        ]
    ):
        sale_create(actor=None, company=c, date=day, invoice=f"W-{i}", line_no=1, amount_minor=amount)
    row = (
        with_revenue_12m(Company.objects.filter(pk=c.pk), as_of=dt.date(2026, 11, 25))
        .values("revenue_12m", "revenue_prev_12m")
        .get()
    )
    assert row == {"revenue_12m": 234_00, "revenue_prev_12m": 1_000_00}
