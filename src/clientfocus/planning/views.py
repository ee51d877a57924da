"""Key accounts and their plans. Thin: parse input, one selector or service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientfocus.planning import selectors, services
from clientfocus.planning.forms import PlanForm, VisitDoneForm, VisitForm

PAGE_SIZE = 100
# A new plan is reviewed a quarter later unless the seller picks another date.
DEFAULT_REVIEW_DAYS = 90


def key_accounts(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    without = request.GET.get("without") == "1"
    qs = selectors.key_accounts(user=request.user, today=today, without_current_plan=without)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "without": without, "today": today, "nav": "plans"}
    return render(request, "planning/key_accounts.html", context)


def _plan_context(request: HttpRequest, company_id: int, today: dt.date, **forms: Any) -> dict[str, Any]:
    data = selectors.plan_page(user=request.user, company_id=company_id)
    initial = (
        PlanForm.initial_for(data.plan)
        if data.plan
        else {"review_on": today + dt.timedelta(days=DEFAULT_REVIEW_DAYS)}
    )
    return {
        "data": data,
        "company": data.company,
        "plan": data.plan,
        "form": forms.get("form") or PlanForm(initial=initial),
        "visit_form": forms.get("visit_form")
        or VisitForm(contacts=data.contacts, initial={"date": today, "stage": data.suggested_stage}),
        "eligible": data.plan is not None
        or (data.analysis is not None and (data.analysis.category == "A" or data.analysis.key_account)),
        "today": today,
        "nav": "plans",
    }


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the plan of company `pk` (or an empty one to fill); POST: save it (a review)."""
    today = timezone.localdate()
    if request.method == "POST":
        context = _plan_context(request, pk, today)
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.account_plan_save(
                    actor=request.user,  # type: ignore[arg-type]
                    company=context["company"],
                    fields=form.fields_value(),
                    today=today,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("План сохранён"))
                return redirect("planning:plan", pk=pk)
        context["form"] = form
        return render(request, "planning/plan.html", context, status=400)
    return render(request, "planning/plan.html", _plan_context(request, pk, today))


@require_POST
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    context = _plan_context(request, pk, today)
    data = context["data"]
    form = VisitForm(request.POST, contacts=data.contacts)
    if data.plan is None:
        form.add_error(None, _("Сначала сохраните план"))
    elif form.is_valid():
        contact = next((c for c in data.contacts if c.pk == form.cleaned_data["contact"]), None)
        try:
            services.planned_visit_create(
                actor=request.user,  # type: ignore[arg-type]
                plan=data.plan,
                date=form.cleaned_data["date"],
                stage=form.cleaned_data["stage"],
                goal=form.cleaned_data["goal"],
                contact=contact,
                today=today,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("planning:plan", pk=pk)
    context["visit_form"] = form
    return render(request, "planning/plan.html", context, status=400)


@require_POST
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = VisitDoneForm(request.POST)
    form.is_valid()
    try:
        services.planned_visit_complete(
            actor=request.user,  # type: ignore[arg-type]
            visit=visit,
            today=timezone.localdate(),
            outcome=form.cleaned_data.get("outcome", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("planning:plan", pk=visit.plan.company_id)
