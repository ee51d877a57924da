"""Goal values shown in their unit, and the market-plan review flag the team page carries."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from clientfocus.planning.goals import format_value

register = template.Library()


@register.filter
def goal_value(value: float | None, metric: str) -> str:
    return format_value(value, metric)


@register.inclusion_tag("planning/_market_plan_flag.html", takes_context=True)
def market_plan_flag(context: dict[str, Any]) -> dict[str, Any]:
    """The teams the viewer may see, each with its plan's next review and whether it is overdue."""
    from clientfocus.planning.selectors import market_plans_overview

    user = context["request"].user
    return {"rows": market_plans_overview(user=user, today=timezone.localdate())}
