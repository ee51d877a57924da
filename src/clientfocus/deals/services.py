"""Writes of deals: create, edit (need type, win-win check), and move through the stages.

Seed 003: PROSPECTING → QUALIFYING → NEEDS ANALYSIS → PRESENTATION → PROOF → CLOSING → WON,
forward only (a stage may be skipped); LOST may follow any open stage; WON and LOST are final.
Every move leaves a DealStageChange row with its date, so the board can show time in stage and
conversion. Seed 000: a deal where one side does not win is flagged "consider declining".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.companies.models import Company
from clientfocus.deals.models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Deal,
    DealStageChange,
    NeedType,
    Stage,
    stage_index,
)

DEAL_UNKNOWN_STAGE = _("Неизвестный этап «%(stage)s»")
DEAL_IS_CLOSED = _("Сделка уже закрыта («%(stage)s»): её этап больше не меняется")
DEAL_SAME_STAGE = _("Сделка уже на этапе «%(stage)s»")
DEAL_BACKWARDS = _("Этапы идут только вперёд: из «%(current)s» нельзя вернуться в «%(target)s»")
DEAL_CHANGE_BEFORE_LAST = _("Дата смены этапа %(date)s раньше предыдущей смены (%(last)s)")
DEAL_START_CLOSED = _("Новая сделка начинается с открытого этапа")
DEAL_COMPANY_LIQUIDATED = _("Компания ликвидирована: новые сделки с ней не заводят")
DEAL_NEGATIVE_AMOUNT = _("Сумма сделки не может быть отрицательной")
DEAL_UNKNOWN_NEED = _("Неизвестный тип потребности «%(need)s»")
LOST_ON_LIQUIDATION = _("Компания ликвидирована")


@dataclass(frozen=True)
class DealFields:
    """What a seller edits on a deal (the stage moves only through deal_advance)."""

    title: str
    amount_minor: int = 0
    need_type: str = ""
    expected_close: dt.date | None = None
    next_step: str = ""
    client_gain: str = ""
    our_gain: str = ""
    client_wins: bool | None = None
    we_win: bool | None = None


def _check_fields(fields: DealFields) -> None:
    if fields.amount_minor < 0:
        raise ValidationError(DEAL_NEGATIVE_AMOUNT, code="negative")
    if fields.need_type and fields.need_type not in NeedType.values:
        raise ValidationError(DEAL_UNKNOWN_NEED, code="need", params={"need": fields.need_type})


def _apply(deal: Deal, fields: DealFields) -> None:
    deal.title = fields.title.strip()[:200]
    deal.amount_minor = fields.amount_minor
    deal.need_type = fields.need_type
    deal.expected_close = fields.expected_close
    deal.next_step = fields.next_step.strip()[:200]
    deal.client_gain = fields.client_gain.strip()
    deal.our_gain = fields.our_gain.strip()
    deal.client_wins = fields.client_wins
    deal.we_win = fields.we_win


def deal_create(
    *,
    actor: User,
    company: Company,
    fields: DealFields,
    today: dt.date,
    stage: str = Stage.PROSPECTING,
) -> Deal:
    """Open a deal on a company the actor may change; it starts at `stage` (an open one)."""
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if stage not in OPEN_STAGES:
        raise ValidationError(DEAL_START_CLOSED, code="closed_start")
    if company.liquidated:
        raise ValidationError(DEAL_COMPANY_LIQUIDATED, code="liquidated")
    _check_fields(fields)
    with transaction.atomic():
        deal = Deal(company=company, owner=company.owner or actor, stage=stage, created_on=today)
        _apply(deal, fields)
        deal.save()
        DealStageChange.objects.create(
            deal=deal, from_stage="", to_stage=stage, changed_on=today, actor=actor
        )
        audit_record(actor=actor, action="deal_create", obj=deal, details={"stage": stage})
    return deal


def deal_update(*, actor: User, deal: Deal, fields: DealFields) -> Deal:
    """Edit what a deal is about: title, amount, need type, next step and the win-win check."""
    if not Deal.objects.visible_to(actor).filter(pk=deal.pk).exists():
        raise PermissionDenied
    _check_fields(fields)
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        _apply(deal, fields)
        deal.save()
        audit_record(
            actor=actor,
            action="deal_update",
            obj=deal,
            details={"client_wins": deal.client_wins, "we_win": deal.we_win},
        )
    return deal


def _last_change_on(deal: Deal) -> dt.date:
    last = deal.changes.order_by("-changed_on", "-id").values_list("changed_on", flat=True).first()
    return last or deal.created_on


def deal_advance(*, actor: User, deal: Deal, to_stage: str, on: dt.date, note: str = "") -> Deal:
    """Move a deal to a later stage, or to LOST from any open stage, on the date `on`."""
    if not Deal.objects.visible_to(actor).filter(pk=deal.pk).exists():
        raise PermissionDenied
    if to_stage not in Stage.values:
        raise ValidationError(DEAL_UNKNOWN_STAGE, code="unknown", params={"stage": to_stage})
    with transaction.atomic():
        # Locked, so two sellers dragging the same card at once cannot both move it.
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        current, target = Stage(deal.stage), Stage(to_stage)
        if current in CLOSED_STAGES:
            raise ValidationError(DEAL_IS_CLOSED, code="closed", params={"stage": current.label})
        if target == current:
            raise ValidationError(DEAL_SAME_STAGE, code="same", params={"stage": current.label})
        if target != Stage.LOST and stage_index(target) < stage_index(current):
            raise ValidationError(
                DEAL_BACKWARDS, code="backwards", params={"current": current.label, "target": target.label}
            )
        last = _last_change_on(deal)
        if on < last:
            raise ValidationError(
                DEAL_CHANGE_BEFORE_LAST,
                code="before_last",
                params={"date": on.strftime("%d.%m.%Y"), "last": last.strftime("%d.%m.%Y")},
            )
        deal.stage = target
        deal.closed_on = on if target in CLOSED_STAGES else None
        deal.save(update_fields=["stage", "closed_on"])
        DealStageChange.objects.create(
            deal=deal,
            from_stage=current,
            to_stage=target,
            changed_on=on,
            actor=actor,
            note=note.strip()[:300],
        )
        audit_record(
            actor=actor,
            action="deal_advance",
            obj=deal,
            details={"from": current, "to": target, "on": str(on)},
        )
    return deal


def deals_close_for_liquidation(*, actor: User, company: Company, on: dt.date) -> int:
    """The open deals of a liquidated company are lost (called inside company_liquidate)."""
    closed = 0
    for deal in Deal.objects.filter(company=company, stage__in=OPEN_STAGES).order_by("pk"):
        deal_advance(
            actor=actor,
            deal=deal,
            to_stage=Stage.LOST,
            on=max(on, _last_change_on(deal)),
            note=str(LOST_ON_LIQUIDATION),
        )
        closed += 1
    return closed
