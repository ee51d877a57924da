"""My day, the portfolio, the analysis pages, the team, and the analysis settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientfocus.accounts.access import is_admin
from clientfocus.activities.weekly import capacity, weekly_capacity_update
from clientfocus.companies import profiles
from clientfocus.companies.models import Status
from clientfocus.portfolio import selectors, services
from clientfocus.portfolio.forms import EDITABLE, AnalysisSettingsForm

PAGE_SIZE = 50
COLOUR_HEX = {"red": "#d64541", "orange": "#f0932b", "yellow": "#f6d55c", "blue": "#5da9e9"}


def _common(request: HttpRequest, nav: str) -> dict[str, Any]:
    snapshot = selectors.snapshot_current()
    return {
        "nav": nav,
        "snapshot": snapshot,
        "stale": selectors.snapshot_is_stale(snapshot),
        "lang": get_language() or "ru",
    }


def my_day(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        **_common(request, "myday"),
        "day": selectors.my_day(user=request.user, today=today),
        "today": today,
    }
    return render(request, "portfolio/my_day.html", context)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def portfolio_filters(request: HttpRequest) -> selectors.PortfolioFilters:
    g = request.GET
    sort = g.get("sort", selectors.DEFAULT_PORTFOLIO_SORT)
    return selectors.PortfolioFilters(
        query=g.get("q", "")[:100],
        category=g.get("category", ""),
        temperature=g.get("temperature", ""),
        quadrant=g.get("quadrant", ""),
        seller=_int_or_none(g.get("seller")),
        industry=g.get("industry", "")[:120],
        region=g.get("region", "")[:120],
        status=g.get("status", "") if g.get("status", "") in Status.values else "",
        overdue=g.get("overdue") == "1",
        alert=g.get("alert") == "1",
        key_account=g.get("key_account") == "1",
        sort=sort if sort in selectors.PORTFOLIO_SORTS else selectors.DEFAULT_PORTFOLIO_SORT,
    )


def portfolio(request: HttpRequest) -> HttpResponse:
    filters = portfolio_filters(request)
    qs = selectors.portfolio_list(user=request.user, filters=filters)
    state = selectors.scope_state(request.user)  # the cache key of the count and the drop-downs
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = selectors.portfolio_count(  # type: ignore[misc]
        user=request.user, filters=filters, rows=qs, state=state
    )
    page = paginator.get_page(request.GET.get("page"))
    # The list shows one sentence, the category's, in the reader's language.
    lang = "en" if (get_language() or "ru").startswith("en") else "ru"
    selectors.with_visible_reasons(
        list(page.object_list), user=request.user, kinds=("category",), languages=(lang,)
    )
    profiles.with_fit(list(page.object_list), user=request.user)  # the ideal-profile fit column
    context = {
        **_common(request, "portfolio"),
        "page": page,
        "filters": filters,
        "choices": selectors.filter_choices(user=request.user, state=state),
        "statuses": Status.choices,
        "today": timezone.localdate(),
    }
    template = "portfolio/portfolio.html#results" if request.htmx else "portfolio/portfolio.html"
    return render(request, template, context)


def analysis(request: HttpRequest) -> HttpResponse:
    settings = services.analysis_settings()
    common = _common(request, "analysis")
    data = selectors.analysis(user=request.user, settings=settings, snapshot=common["snapshot"])
    lang = get_language() or "ru"
    lang = "en" if lang.startswith("en") else "ru"
    pareto_chart = {
        "type": "line",
        "points": [
            {"x": round(p["client_share"] * 100, 2), "y": round(p["revenue_share"] * 100, 2)}
            for p in data.pareto["curve"]
        ],
        "key_share": round(data.pareto["key_share_of_clients"] * 100, 1),
        "labels": {
            "curve": _("Накопленная доля выручки"),
            "line": _("80% выручки"),
            "x": _("Доля клиентов, %"),
            "y": _("Доля выручки, %"),
        },
    }
    abcd_chart = {
        "type": "bar",
        "labels": [c["category"] for c in data.categories],
        "datasets": [
            {
                "label": _("Выручка 12 мес."),
                "data": [(c["revenue_12m"] or 0) / 100 for c in data.categories],
                "backgroundColor": "#1f3b5c",
            },
            {
                "label": _("Потенциал"),
                "data": [(c["potential"] or 0) / 100 for c in data.categories],
                "backgroundColor": "#9fb7d1",
            },
        ],
    }
    scatter_chart = {
        "type": "scatter",
        "datasets": [
            {
                "label": q,
                "data": [
                    {
                        "x": round(p["loyalty"] or 0, 3),
                        "y": max((p["profitability"] or 0) / 100, 1),
                        "name": p["name"],
                        "id": p["company_id"],
                    }
                    for p in data.scatter
                    if p["quadrant"] == q
                ],
                "backgroundColor": colour,
            }
            for q, colour in (("I", "#adb5bd"), ("II", "#5da9e9"), ("III", "#2e8b57"), ("IV", "#f0932b"))
        ],
        "labels": {"x": _("Лояльность"), "y": _("Прибыльность, ₽ (логарифмическая шкала)")},
    }
    context = {
        **common,
        "data": data,
        "lang": lang,
        "pareto_text": data.pareto["text"][lang],
        "top10_text": data.top10_text[lang],
        "charts": {"pareto": pareto_chart, "abcd": abcd_chart, "scatter": scatter_chart},
        "colour_hex": COLOUR_HEX,
        # Thousands of map cells link to company pages: one reverse(), not one per cell.
        "company_base": reverse("companies:detail", args=[0]).removesuffix("0/"),
        "a_level": selectors.snapshot_a_level(data.snapshot),
    }
    return render(request, "portfolio/analysis.html", context)


def team(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (is_admin(user) or getattr(user, "is_manager", False)):
        raise PermissionDenied
    context = {
        **_common(request, "team"),
        "rows": selectors.team_overview(user=user, today=timezone.localdate()),
    }
    return render(request, "portfolio/team.html", context)


def analysis_settings(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    current = services.analysis_settings()
    if request.method == "POST":
        form = AnalysisSettingsForm(request.POST, settings=current)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name, _label in EDITABLE}
            services.analysis_settings_update(
                actor=request.user,
                values=values,  # type: ignore[arg-type]
                report_as_of=form.cleaned_data.get("report_as_of"),
            )
            cap = capacity()  # an empty capacity field keeps its value
            weekly_capacity_update(
                actor=request.user,  # type: ignore[arg-type]
                meetings_per_day=form.cleaned_data.get("meetings_per_day") or cap.meetings_per_day,
                calls_per_day=form.cleaned_data.get("calls_per_day") or cap.calls_per_day,
            )
            messages.success(request, _("Настройки сохранены. Пересчитайте анализ, чтобы применить их."))
            return redirect("portfolio:settings")
    else:
        form = AnalysisSettingsForm(
            settings=current,
            initial={"report_as_of": services.report_as_of_setting(), **capacity().__dict__},
        )
    context = {**_common(request, "settings"), "form": form, "history": list(services.recent_snapshots())}
    return render(request, "portfolio/settings.html", context)


@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    if not (is_admin(request.user) or getattr(request.user, "is_manager", False)):
        raise PermissionDenied
    snapshot = services.analysis_recompute(actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Анализ пересчитан за %(s).1f с.") % {"s": snapshot.seconds or 0})
    back = request.POST.get("back", "")
    return redirect(
        f"portfolio:{back}"
        if back in {"analysis", "settings", "myday", "portfolio"}
        else "portfolio:analysis"
    )
