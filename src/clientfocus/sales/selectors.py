"""Reads of sales figures. Every function takes the user; windows are exact for any as-of date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clientfocus.companies.models import Company
from clientfocus.sales.models import DailySales, MonthlySales, Sale


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def window_revenue(*, start_exclusive: dt.date, end_inclusive: dt.date, company_ref: Any = None) -> Any:
    """Revenue of a company over (start, end] as a subquery expression.

    PRODUCT.md, "Storage and scale": the monthly rollup answers the whole months inside the
    window and the two partial months at its edges come from the daily rollup (the lines' net
    amount per company and day, kept in step with them; a small indexed query).
    """
    ref = company_ref if company_ref is not None else OuterRef("pk")
    first_month = start_exclusive.replace(day=1)
    last_month = end_inclusive.replace(day=1)
    whole = (
        MonthlySales.objects.filter(company=ref, month__gt=first_month, month__lt=last_month)
        .order_by()
        .values("company")
        .annotate(s=Sum("revenue_minor"))
        .values("s")
    )
    edges = (
        DailySales.objects.filter(company=ref)
        .filter(
            Q(day__gt=start_exclusive, day__lt=_next_month(first_month))
            | Q(day__gte=last_month, day__lte=end_inclusive)
        )
        .order_by()
        .values("company")
        .annotate(s=Sum("revenue_minor"))
        .values("s")
    )
    return Coalesce(Subquery(whole), Value(0)) + Coalesce(Subquery(edges), Value(0))


def with_revenue_12m(qs: QuerySet[Company], *, as_of: dt.date) -> QuerySet[Company]:
    """Annotate `revenue_12m` (sales in (T−365d, T]) and `revenue_prev_12m` ((T−730d, T−365d])."""
    return qs.annotate(
        revenue_12m=window_revenue(start_exclusive=as_of - dt.timedelta(days=365), end_inclusive=as_of),
        revenue_prev_12m=window_revenue(
            start_exclusive=as_of - dt.timedelta(days=730), end_inclusive=as_of - dt.timedelta(days=365)
        ),
    )


def monthly_sales(*, user: Any, company: Company, months: int = 36, as_of: dt.date) -> list[dict[str, Any]]:
    """The company's revenue per month for the last `months` months, with the same month a year
    before beside it (zero-filled)."""
    last = as_of.replace(day=1)
    first = last
    for _ in range(months - 1 + 12):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = {
        r["month"]: r
        for r in MonthlySales.objects.visible_to(user)
        .filter(company=company, month__gte=first, month__lte=last)
        .values("month", "revenue_minor", "margin_minor", "invoices")
    }
    out: list[dict[str, Any]] = []
    month = first
    series: list[dt.date] = []
    while month <= last:
        series.append(month)
        month = _next_month(month)
    for i, m in enumerate(series[12:], start=12):
        r = rows.get(m)
        prev = rows.get(series[i - 12])
        out.append(
            {
                "month": m,
                "revenue_minor": r["revenue_minor"] if r else 0,
                "margin_minor": r["margin_minor"] if r else None,
                "invoices": r["invoices"] if r else 0,
                "revenue_year_before_minor": prev["revenue_minor"] if prev else 0,
            }
        )
    return out


def company_sales_lines(*, user: Any, company: Company, limit: int = 50) -> QuerySet[Sale]:
    return (
        Sale.objects.visible_to(user).filter(company=company).order_by("-date", "invoice", "line_no")[:limit]
    )
