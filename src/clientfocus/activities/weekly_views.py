"""The weekly plan page: a week picker, a Monday–Friday grid, edits and the .ics download."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from clientfocus.activities import weekly
from clientfocus.activities.models import Kind, WeeklyPlan, WeeklyPlanItem
from clientfocus.companies.models import Company

UNFIT_SHOWN = 50


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _default_week(today: dt.date) -> dt.date:
    # From Friday on, the plan that matters is next week's (seed 003: plan it on Friday).
    return weekly.next_week_start(today) if today.weekday() >= 4 else weekly.monday_of(today)


def _page_url(seller_id: int, week: dt.date) -> str:
    return f"{reverse('activities:week')}?seller={seller_id}&week={week.isoformat()}"


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def weekly_plan_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sellers = list(weekly.planning_sellers(request.user))
    seller_id = request.GET.get("seller")
    if seller_id:
        seller = next((s for s in sellers if str(s.pk) == seller_id), None)
        if seller is None:
            raise Http404
    else:
        seller = next((s for s in sellers if s.pk == request.user.pk), sellers[0] if sellers else None)
    week = _date(request.GET.get("week"))
    week = weekly.monday_of(week) if week else _default_week(today)
    plan = (
        weekly.plans_visible(request.user).filter(seller=seller, week_start=week).first() if seller else None
    )
    days = weekly.week_days(week)
    grid: list[dict] = [{"day": d, "items": []} for d in days]
    unfit: list[WeeklyPlanItem] = []
    companies = []
    if plan is not None:
        for item in plan.items.select_related("company", "activity").order_by("position", "pk"):
            item.reason = weekly.item_reason(item)
            item.unfit = weekly.item_unfit_reason(item)
            if item.date is None:
                unfit.append(item)
            else:
                grid[(item.date - week).days]["items"].append(item)
        taken = set(plan.items.values_list("company_id", flat=True))
        companies = [
            c
            for c in Company.objects.visible_to(request.user)
            .filter(owner=seller, liquidated=False)
            .order_by("name")
            .only("pk", "name")[:500]
            if c.pk not in taken
        ]
    cap = weekly.capacity()
    context = {
        "nav": "week",
        "sellers": sellers,
        "seller": seller,
        "week": week,
        "prev_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "plan": plan,
        "grid": grid,
        # A big portfolio leaves hundreds out; the first ones (by rank) are the ones to act on.
        "unfit": unfit[:UNFIT_SHOWN],
        "unfit_total": len(unfit),
        "days": days,
        "kinds": Kind.choices,
        "companies": companies,
        "capacity": cap,
        "today": today,
    }
    return render(request, "activities/week.html", context)


@require_POST
def weekly_plan_build_view(request: HttpRequest, seller_id: int) -> HttpResponse:
    seller = get_object_or_404(weekly.planning_sellers(request.user), pk=seller_id)
    week = _date(request.POST.get("week")) or _default_week(timezone.localdate())
    try:
        plan = weekly.weekly_plan_build(
            actor=request.user,  # type: ignore[arg-type]
            seller=seller,
            week_start=weekly.monday_of(week),
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            gettext("План построен: %(n)s касаний в неделе, не поместилось — %(u)s.")
            % {
                "n": plan.items.filter(date__isnull=False).count(),
                "u": plan.items.filter(date__isnull=True).count(),
            },
        )
    return redirect(_page_url(seller.pk, weekly.monday_of(week)))


def _plan(request: HttpRequest, pk: int) -> WeeklyPlan:
    return get_object_or_404(weekly.plans_visible(request.user).select_related("seller"), pk=pk)


@require_POST
def weekly_plan_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    weekly.weekly_plan_accept(actor=request.user, plan=plan)  # type: ignore[arg-type]
    messages.success(request, gettext("План принят: касания запланированы."))
    return redirect(_page_url(plan.seller_id, plan.week_start))


@require_POST
def weekly_plan_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    company = (
        Company.objects.visible_to(request.user).filter(pk=request.POST.get("company") or 0).first()
        if (request.POST.get("company") or "").isdigit()
        else None
    )
    day = _date(request.POST.get("date"))
    if company is None or day is None:
        messages.error(request, gettext("Выберите компанию и день"))
    else:
        try:
            weekly.weekly_item_add(
                actor=request.user,  # type: ignore[arg-type]
                plan=plan,
                company=company,
                date=day,
                kind=request.POST.get("kind", Kind.CALL),
            )
        except ValidationError as exc:
            _errors(request, exc)
    return redirect(_page_url(plan.seller_id, plan.week_start))


def _item(request: HttpRequest, pk: int) -> WeeklyPlanItem:
    return get_object_or_404(weekly.items_visible(request.user).select_related("plan"), pk=pk)


@require_POST
def weekly_item_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    day = _date(request.POST.get("date"))
    try:
        if day is None:
            raise ValidationError(gettext("Выберите день"))
        weekly.weekly_item_update(
            actor=request.user,  # type: ignore[arg-type]
            item=item,
            date=day,
            kind=request.POST.get("kind", item.kind),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(_page_url(item.plan.seller_id, item.plan.week_start))


@require_POST
def weekly_item_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    plan = item.plan
    weekly.weekly_item_remove(actor=request.user, item=item)  # type: ignore[arg-type]
    return redirect(_page_url(plan.seller_id, plan.week_start))


def weekly_plan_ics(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    response = HttpResponse(weekly.weekly_plan_ics(plan), content_type="text/calendar; charset=utf-8")
    name = f"plan-{plan.seller.username}-{plan.week_start.isoformat()}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
