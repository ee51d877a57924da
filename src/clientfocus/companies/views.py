"""Company list and company page. Thin: parse input, one selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clientfocus.activities.forms import ActivityForm
from clientfocus.companies import dossiers, profiles, selectors
from clientfocus.portfolio.selectors import (
    company_analysis,
    snapshot_current,
    snapshot_is_stale,
    with_visible_reasons,
)
from clientfocus.sales.selectors import company_sales_lines, monthly_sales

PAGE_SIZE = 50


def company_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.CompanyFilters(
        query=request.GET.get("q", "")[:100],
        sort=request.GET.get("sort", selectors.DEFAULT_COMPANY_SORT),
    )
    if filters.sort not in selectors.COMPANY_SORTS:
        filters = selectors.CompanyFilters(query=filters.query)
    snapshot = snapshot_current()
    # Revenue is the analysis snapshot's, dated by it (companies/selectors.py says why).
    as_of = snapshot.as_of if snapshot is not None else timezone.localdate()
    qs = selectors.company_list(
        user=request.user, filters=filters, as_of=as_of, snapshot_id=snapshot.pk if snapshot else None
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "as_of": as_of,
        "nav": "companies",
        "snapshot": snapshot,
        "stale": snapshot is not None and snapshot_is_stale(snapshot),
    }
    template = "companies/company_list.html#results" if request.htmx else "companies/company_list.html"
    return render(request, template, context)


def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(user=request.user, pk=pk)
    as_of = timezone.localdate()
    months = monthly_sales(user=request.user, company=company, months=36, as_of=as_of)
    chart = {
        "type": "bar",
        "labels": [m["month"].strftime("%Y-%m") for m in months],
        "datasets": [
            {
                "label": str(_("Выручка")),
                "data": [m["revenue_minor"] / 100 for m in months],
                "backgroundColor": "#1f3b5c",
            },
            {
                "label": str(_("Тот же месяц годом раньше")),
                "data": [m["revenue_year_before_minor"] / 100 for m in months],
                "backgroundColor": "#9fb7d1",
            },
        ],
    }
    analysis = company_analysis(user=request.user, company_id=company.pk)
    if analysis:
        with_visible_reasons([analysis], user=request.user)
    neighbours = []
    if analysis and analysis.details.get("lookalike_neighbours"):
        neighbours = list(
            selectors.company_visible(user=request.user)
            .filter(pk__in=analysis.details["lookalike_neighbours"][:10])
            .values("pk", "name", "industry", "region", "employees")
        )
    contacts = selectors.company_contacts(user=request.user, company=company)
    context = {
        "company": company,
        "analysis": analysis,
        "neighbours": neighbours,
        "neighbours_hidden": len((analysis.details if analysis else {}).get("lookalike_neighbours") or [])
        - len(neighbours),
        "lang": "en" if (get_language() or "ru").startswith("en") else "ru",
        "activity_form": ActivityForm(contacts=contacts, initial={"date": as_of}),
        "months": list(reversed(months)),
        "chart": chart,
        "contacts": contacts,
        "activities": selectors.company_activities(user=request.user, company=company),
        "deals": selectors.company_deals(user=request.user, company=company),
        "lines": company_sales_lines(user=request.user, company=company, limit=20),
        "as_of": as_of,
        "nav": "companies",
        "figures": selectors.company_figures(user=request.user, company=company, as_of=as_of),
        "profile_fit": profiles.company_fit(user=request.user, company=company),
        "dossiers": dossiers.dossier_completeness_for(user=request.user, company=company, contacts=contacts),
    }
    return render(request, "companies/company_detail.html", context)
