"""Feedback requests on pages owned by other apps (My day, the company card), read through the
reader's scope, without those apps' views knowing about them."""

from __future__ import annotations

from typing import Any

from django import template

from clientfocus.activities.feedback import feedback_open_by_company, feedback_visible

register = template.Library()


@register.simple_tag(takes_context=True)
def feedback_open_for(context: Any, rows: Any) -> dict[int, Any]:
    """{company_id: open request} for the alert rows shown (one query)."""
    ids = [r.company_id for r in rows]
    return feedback_open_by_company(user=context["request"].user, company_ids=ids) if ids else {}


@register.simple_tag(takes_context=True)
def company_feedback(context: Any, company: Any) -> list[Any]:
    return list(feedback_visible(user=context["request"].user).filter(company=company)[:20])


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None
