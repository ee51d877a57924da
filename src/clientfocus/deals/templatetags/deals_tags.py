"""Stage and status choices the templates offer: only the moves the services allow."""

from __future__ import annotations

from typing import Any

from django import template

from clientfocus.companies.models import STATUS_ORDER, Status
from clientfocus.deals.models import OPEN_STAGES, STAGE_ORDER, Stage, stage_index

register = template.Library()


@register.filter
def later_stages(deal: Any) -> list[Stage]:
    """The stages a deal may still move to, LOST last (none for a closed deal)."""
    if deal.stage not in OPEN_STAGES:
        return []
    return [*STAGE_ORDER[stage_index(deal.stage) + 1 :], Stage.LOST]


@register.filter
def next_stage(deal: Any) -> Stage | None:
    if deal.stage not in OPEN_STAGES:
        return None
    return STAGE_ORDER[stage_index(deal.stage) + 1]


@register.filter
def stage_position(stage: str) -> int:
    """The board's column index of a stage (LOST after WON)."""
    return len(STAGE_ORDER) if stage == Stage.LOST else stage_index(stage)


@register.filter
def later_statuses(company: Any) -> list[Status]:
    if company.liquidated:
        return []
    return STATUS_ORDER[STATUS_ORDER.index(Status(company.status)) + 1 :]
