"""The pipeline board, a deal's page, and the status funnel's controls on the company card.

Thin: parse input, one selector or service, render. Errors of the services come back as their
constant messages (a message on redirect, or the board partial for an HTMX drag).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientfocus.accounts.access import users_visible_to
from clientfocus.companies import selectors as company_selectors
from clientfocus.companies import services as company_services
from clientfocus.deals import selectors, services
from clientfocus.deals.forms import AdvanceForm, CompanyStatusForm, DealForm, LiquidateForm


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _board_context(request: HttpRequest, seller_raw: str | None) -> dict[str, Any]:
    sellers = list(
        users_visible_to(request.user).filter(role__in=["seller", "manager"]).order_by("last_name")
    )
    seller = _int_or_none(seller_raw)
    if seller not in {u.pk for u in sellers}:
        seller = None
    board = selectors.pipeline_board(user=request.user, as_of=timezone.localdate(), seller=seller)
    return {"board": board, "sellers": sellers if len(sellers) > 1 else [], "seller": seller, "nav": "deals"}


def board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET.get("seller"))
    template = "deals/board.html#board" if request.htmx else "deals/board.html"
    return render(request, template, context)


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
def deal_advance(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    form = AdvanceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.deal_advance(
                actor=request.user,  # type: ignore[arg-type]
                deal=deal,
                to_stage=form.cleaned_data["stage"],
                on=timezone.localdate(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = str(services.DEAL_UNKNOWN_STAGE % {"stage": request.POST.get("stage", "")[:40]})
    if request.htmx:
        context = _board_context(request, request.POST.get("seller"))
        context["error"] = error
        return render(request, "deals/board.html#board", context)
    if error:
        messages.error(request, error)
    target = _safe_next(request)
    return redirect(target) if target else redirect("deals:detail", pk=deal.pk)


def _detail(request: HttpRequest, deal: Any, form: DealForm | None = None, status: int = 200) -> HttpResponse:
    context = {
        "deal": deal,
        "history": selectors.deal_history(user=request.user, deal=deal, as_of=timezone.localdate()),
        "form": form or DealForm.for_deal(deal),
        "as_of": timezone.localdate(),
        "nav": "deals",
    }
    return render(request, "deals/deal_detail.html", context, status=status)


def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.deal_get(user=request.user, pk=pk))


@require_POST
def deal_update(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    form = DealForm(request.POST)
    if form.is_valid():
        try:
            services.deal_update(actor=request.user, deal=deal, fields=form.fields_value())  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Сделка сохранена"))
            return redirect("deals:detail", pk=deal.pk)
    return _detail(request, deal, form, status=400)


def deal_create(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=company_id)
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                fields=form.fields_value(),
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("deals:detail", pk=deal.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "deals/deal_form.html", {"company": company, "form": form, "nav": "deals"}, status=status
    )


@require_POST
def company_status(request: HttpRequest, pk: int) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=pk)
    form = CompanyStatusForm(request.POST)
    if form.is_valid():
        try:
            company_services.company_set_status(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    else:
        messages.error(
            request, str(company_services.STATUS_UNKNOWN % {"status": request.POST.get("status", "")[:40]})
        )
    return redirect("companies:detail", pk=company.pk)


@require_POST
def company_liquidate(request: HttpRequest, pk: int) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=pk)
    form = LiquidateForm(request.POST)
    if form.is_valid():
        try:
            company_services.company_liquidate(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                on=form.cleaned_data["on"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    else:
        messages.error(request, _("Укажите дату ликвидации"))
    return redirect("companies:detail", pk=company.pk)
