"""Key accounts and their plans. Thin: parse input, one selector or service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientfocus.planning import selectors, services
from clientfocus.planning.forms import GoalForm, MarketPlanForm, PlanForm, VisitDoneForm, VisitForm

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


# --- SMART goals (seed 003) -------------------------------------------------------------------


def goals(request: HttpRequest) -> HttpResponse:
    """Seller: own goals and the team's; manager: the team's people and the team; admin: all."""
    today = timezone.localdate()
    closed = request.GET.get("closed") == "1"
    people, teams = selectors.goal_subjects(user=request.user)
    context = {
        "rows": selectors.goal_list(user=request.user, today=today, include_closed=closed),
        "closed": closed,
        "can_create": bool(people or teams),
        "today": today,
        "nav": "plans",
    }
    return render(request, "planning/goals.html", context)


def _goal_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> GoalForm:
    people, teams = selectors.goal_subjects(user=request.user)
    return GoalForm(data, people=people, teams=teams, **kwargs)


def _definitions() -> list[tuple[str, str, str]]:
    from clientfocus.planning.goals import METRIC_DEFINITIONS
    from clientfocus.planning.models import Metric

    return [(m.value, str(m.label), str(METRIC_DEFINITIONS[m])) for m in Metric]


def goal_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = {"nav": "plans", "definitions": _definitions()}
    if request.method == "POST":
        form = _goal_form(request, request.POST)
        if form.is_valid():
            subject = form.cleaned_data["subject"]
            try:
                goal = services.goal_create(
                    actor=request.user,  # type: ignore[arg-type]
                    metric=form.cleaned_data["metric"],
                    fields=form.fields_value(),
                    today=today,
                    seller=form.people.get(subject),
                    team=form.teams.get(subject),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Цель поставлена"))
                return redirect("planning:goal", pk=goal.pk)
        return render(request, "planning/goal_new.html", {"form": form, **page}, status=400)
    initial = {"start": today, "deadline": today + dt.timedelta(days=DEFAULT_REVIEW_DAYS)}
    subject = request.GET.get("subject", "")
    if subject:
        initial["subject"] = subject
    form = _goal_form(request, initial=initial)
    return render(request, "planning/goal_new.html", {"form": form, **page})


def _goal_context(request: HttpRequest, goal: Any, today: dt.date, form: Any = None) -> dict[str, Any]:
    from clientfocus.accounts.access import may_set_goal
    from clientfocus.planning.goals import (
        METRIC_DEFINITIONS,
        MONEY_METRICS,
        goal_progress,
        goal_series,
        pace_start,
    )

    money = goal.metric in MONEY_METRICS
    series = goal_series(goal, today=today)

    def shown(v: float | None) -> float | None:
        return None if v is None else (round(v / 100) if money else v)

    # x is days since the goal's start (a linear axis, so dates sit in proportion); the
    # script turns it back into a date for the ticks.
    def day(d: dt.date) -> int:
        return (d - goal.start).days

    first = min([goal.start, goal.created_on, *(d for d, _v in series)])
    chart = {
        "start": goal.start.isoformat(),
        "min": day(first),
        "max": day(goal.deadline),
        "label": str(goal.get_metric_display()),
        "points": [{"x": day(d), "y": shown(v)} for d, v in series],
        "target": shown(goal.target),
        "pace": [
            {"x": day(pace_start(goal)), "y": shown(goal.baseline)},
            {"x": day(goal.deadline), "y": shown(goal.target)},
        ],
        "names": {"target": _("Цель"), "pace": _("Равномерный темп")},
    }
    editable = goal.closed_on is None and may_set_goal(request.user, seller=goal.seller, team_id=goal.team_id)
    return {
        "goal": goal,
        "progress": goal_progress(goal, today=today),
        "definition": METRIC_DEFINITIONS[goal.metric],
        "money": money,
        "chart": chart,
        "editable": editable,
        "form": form or GoalForm(initial=GoalForm.initial_for(goal), metric=goal.metric),
        "today": today,
        "nav": "plans",
    }


def goal(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the goal, its progress and chart; POST: change its wording, target or dates."""
    today = timezone.localdate()
    goal = selectors.goal_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = GoalForm(request.POST, metric=goal.metric)
        if form.is_valid():
            try:
                services.goal_update(actor=request.user, goal=goal, fields=form.fields_value())  # type: ignore[arg-type]
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Цель сохранена"))
                return redirect("planning:goal", pk=pk)
        return render(request, "planning/goal.html", _goal_context(request, goal, today, form), status=400)
    return render(request, "planning/goal.html", _goal_context(request, goal, today))


@require_POST
def goal_close(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, pk=pk)
    try:
        services.goal_close(actor=request.user, goal=goal, today=timezone.localdate())  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("planning:goal", pk=pk)


# --- the market plan (seed 001) ---------------------------------------------------------------


def market_plans(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.market_plans_overview(user=request.user, today=today)
    return render(request, "planning/market_plans.html", {"rows": rows, "today": today, "nav": "plans"})


def market_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the team's plan and its review log; POST (manager, admin): save it — a review."""
    from clientfocus.accounts.access import may_edit_team_records

    today = timezone.localdate()
    data = selectors.market_plan_page(user=request.user, team_id=pk, today=today)
    editable = may_edit_team_records(request.user, data.team.pk)
    form = MarketPlanForm(initial=MarketPlanForm.initial_for(data.plan, today=today), members=data.members)
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = MarketPlanForm(request.POST, members=data.members)
        if form.is_valid():
            try:
                services.market_plan_save(
                    actor=request.user,  # type: ignore[arg-type]
                    team=data.team,
                    fields=form.fields_value(),
                    today=today,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("План освоения рынка сохранён, пересмотр записан"))
                return redirect("planning:market_plan", pk=pk)
        status = 400
    context = {"data": data, "form": form, "editable": editable, "today": today, "nav": "plans"}
    return render(request, "planning/market_plan.html", context, status=status)


# --- best-practice groups (seed 004) -----------------------------------------------------------


def groups(request: HttpRequest) -> HttpResponse:
    from clientfocus.planning.groups import GROUP_MIN_SIMILARITY, best_practice_groups

    today = timezone.localdate()
    context = {
        "groups": best_practice_groups(user=request.user, as_of=today),
        "min_similarity": round(100 * GROUP_MIN_SIMILARITY),
        "nav": "plans",
    }
    return render(request, "planning/groups.html", context)
