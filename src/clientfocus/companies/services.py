"""Writes of companies: the status funnel (seeds 001, 003) and liquidation.

PRODUCT.md: SUSPECT → PROSPECT → CLIENT → LOYAL, forward only (a step may be skipped); a company
with a purchase is at least CLIENT (sales/services.py promotes it on the first sale); LIQUIDATED
is a mark beside the status: the company leaves the growth list (the analytics skip it for
cadence, alerts and prospects) but its people stay — an owner often opens a new business.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.companies.models import STATUS_ORDER, Company, Status
from clientfocus.portfolio.staleness import data_changed

STATUS_UNKNOWN = _("Неизвестный статус «%(status)s»")
STATUS_BACKWARDS = _("Статус меняется только вперёд: из «%(current)s» нельзя перейти в «%(target)s»")
STATUS_BELOW_CLIENT = _("У компании есть покупки: её статус не ниже «Клиент»")
COMPANY_IS_LIQUIDATED = _("Компания ликвидирована: её статус больше не меняется")
ALREADY_LIQUIDATED = _("Компания уже отмечена как ликвидированная")
LIQUIDATED_IN_FUTURE = _("Дата ликвидации не может быть в будущем: %(date)s")


def _check_visible(actor: User, company: Company) -> None:
    # A service must not trust its caller: the company must be one the actor may change.
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied


def company_set_status(*, actor: User, company: Company, status: str) -> Company:
    """Move a company forward along the funnel. The same status again changes nothing."""
    _check_visible(actor, company)
    if status not in Status.values:
        raise ValidationError(STATUS_UNKNOWN, code="unknown", params={"status": status})
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        if company.liquidated:
            raise ValidationError(COMPANY_IS_LIQUIDATED, code="liquidated")
        current = Status(company.status)
        target = Status(status)
        if target == current:
            return company
        if STATUS_ORDER.index(target) < STATUS_ORDER.index(current):
            raise ValidationError(
                STATUS_BACKWARDS,
                code="backwards",
                params={"current": current.label, "target": target.label},
            )
        if STATUS_ORDER.index(target) < STATUS_ORDER.index(Status.CLIENT) and company.sales.exists():
            raise ValidationError(STATUS_BELOW_CLIENT, code="below_client")
        company.status = target
        company.save(update_fields=["status", "updated_at"])
        data_changed(attributes=True)
        audit_record(
            actor=actor, action="company_set_status", obj=company, details={"from": current, "to": target}
        )
    return company


def company_liquidate(*, actor: User, company: Company, on: dt.date, today: dt.date) -> Company:
    """Mark a company liquidated on a date. Its contacts stay; its open deals are closed as lost."""
    from clientfocus.deals.services import deals_close_for_liquidation

    _check_visible(actor, company)
    if on > today:
        raise ValidationError(LIQUIDATED_IN_FUTURE, code="future", params={"date": on.strftime("%d.%m.%Y")})
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        if company.liquidated:
            raise ValidationError(ALREADY_LIQUIDATED, code="already")
        company.liquidated = True
        company.liquidated_on = on
        company.save(update_fields=["liquidated", "liquidated_on", "updated_at"])
        closed = deals_close_for_liquidation(actor=actor, company=company, on=today)
        data_changed(attributes=True)
        audit_record(
            actor=actor,
            action="company_liquidate",
            obj=company,
            details={"on": on.isoformat(), "deals_lost": closed},
        )
    return company
