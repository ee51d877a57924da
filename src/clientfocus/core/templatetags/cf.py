"""Formatting for people: money from kopecks, percentages, signed trends — per language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format

register = template.Library()

_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€"}


@register.filter
def money(minor: int | None, decimals: int = 0) -> str:
    """Kopecks → «1 234 567 ₽» (ru) or «1,234,567 ₽» (en); empty for None."""
    if minor is None or minor == "":
        return "—"
    value = Decimal(int(minor)) / 100
    text = number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{_SYMBOLS.get(settings.CLIENTFOCUS_CURRENCY, settings.CLIENTFOCUS_CURRENCY)}"


@register.filter
def percent(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(Decimal(str(value * 100)), decimal_pos=int(decimals), use_l10n=True) + "\u00a0%"


@register.filter
def trend(value: float | None) -> str:
    """A signed change: «+12 %», «−30 %»."""
    if value is None:
        return "—"
    pct = round(value * 100)
    sign = "+" if pct > 0 else ("−" if pct < 0 else "")
    return f"{sign}{abs(pct)}\u00a0%"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some keys changed (sorting and paging links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + params.urlencode() if params else "?"
