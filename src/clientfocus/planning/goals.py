"""SMART goals (seed 003): each metric measured from the data, and a goal's progress.

A goal measures its *subject*: one seller (the companies they own now, the deals they own) or a
team (the companies and deals owned by its members). Figures are sums over the subject, so a
seller who may read a team goal sees the team's total, never another seller's companies.

Every metric is computed as of a date T (never a hidden now()) over the goal's period
[start, min(T, deadline)]; the definitions below are shown on the goal page word for word.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import team_companies
from clientfocus.activities.models import Activity, State
from clientfocus.companies.models import Company
from clientfocus.deals.models import Deal, Stage
from clientfocus.planning.models import Goal, Metric
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.portfolio.selectors import snapshot_current
from clientfocus.sales.models import DailySales, MonthlySales
from clientfocus.sales.selectors import window_revenue

METRIC_DEFINITIONS: dict[str, Any] = {
    Metric.REVENUE: _(
        "Сумма продаж (за вычетом возвратов) компаний, которые сейчас ведёт менеджер (команда), "
        "с даты начала цели по сегодняшний день или по срок, что раньше. Целые месяцы берутся из "
        "помесячного свода, неполные месяцы по краям — из строк продаж."
    ),
    Metric.NEW_CLIENTS: _(
        "Число компаний менеджера (команды), чья самая первая покупка за всю историю пришлась на "
        "период цели: с даты начала по сегодня (или по срок)."
    ),
    Metric.A_RED_SHARE: _(
        "Доля компаний категории A с красной температурой (выручка за 12 месяцев не меньше 80% "
        "потенциала) среди всех компаний A менеджера (команды), в процентах, по последнему расчёту "
        "анализа. История этой доли не хранится: график показывает исходное и текущее значения."
    ),
    Metric.CONTACTS_ON_TIME: _(
        "Каждое выполненное касание компании назначает следующий контакт через интервал её "
        "категории (A — 30 дней, B и C — 90, D — 180; по текущему анализу). Контакт, срок которого "
        "попал в период цели, выполнен в срок, если следующее выполненное касание было не позже "
        "срока. Считаются сроки, которые уже прошли, и сегодняшние, если касание уже было. "
        "Показатель — доля выполненных в срок, в процентах."
    ),
    Metric.WON_DEALS: _(
        "Число сделок менеджера (команды), переведённых в «Выиграна» с датой закрытия в периоде цели."
    ),
    Metric.WON_VALUE: _(
        "Сумма сделок менеджера (команды), переведённых в «Выиграна» с датой закрытия в периоде цели."
    ),
}
MONEY_METRICS = {Metric.REVENUE, Metric.WON_VALUE}
PERCENT_METRICS = {Metric.A_RED_SHARE, Metric.CONTACTS_ON_TIME}
# Sums over the period: they only grow as the period goes on, so their target is above baseline.
CUMULATIVE_METRICS = {Metric.REVENUE, Metric.NEW_CLIENTS, Metric.WON_DEALS, Metric.WON_VALUE}


def format_value(value: float | None, metric: str) -> str:
    """A metric's value in its unit: money from kopecks, percent points, or a count."""
    from django.utils.formats import number_format

    from clientfocus.core.templatetags.cf import money, percent

    if value is None:
        return "—"
    if metric in MONEY_METRICS:
        return money(round(value))
    if metric in PERCENT_METRICS:
        return percent(value / 100, 1 if round(value, 1) % 1 else 0)
    return number_format(round(value), decimal_pos=0, use_l10n=True)


def _company_filter(goal: Goal, *, path: str = "") -> Q:
    """The companies a goal measures: owned by its seller now, or by a member of its team."""
    if goal.seller_id is not None:
        return Q(**{f"{path}owner_id": goal.seller_id})
    return team_companies(goal.team_id, path=path)


def _deal_filter(goal: Goal) -> Q:
    if goal.seller_id is not None:
        return Q(owner_id=goal.seller_id)
    # The same "owned by a member of the team" rule, applied to the deals' owner.
    return team_companies(goal.team_id)


def _period_end(goal: Goal, as_of: dt.date) -> dt.date:
    return min(as_of, goal.deadline)


def revenue_in(goal: Goal, *, first: dt.date, last: dt.date) -> int:
    """Revenue (kopecks) of the goal's companies over [first, last]: one query.

    Built on sales.selectors.window_revenue (the monthly rollup for whole months, the daily
    rollup for the edge months). That helper assumes the window spans two calendar months or
    more; a window inside one month is summed from the daily rollup alone, which is the same rule.
    """
    if last < first:
        return 0
    if first.replace(day=1) == last.replace(day=1):
        total = (
            DailySales.objects.filter(_company_filter(goal, path="company__"), day__gte=first, day__lte=last)
            .order_by()
            .aggregate(s=Sum("revenue_minor"))["s"]
        )
        return int(total or 0)
    total = (
        Company.objects.filter(_company_filter(goal))
        .annotate(r=window_revenue(start_exclusive=first - dt.timedelta(days=1), end_inclusive=last))
        .order_by()
        .aggregate(s=Sum("r"))["s"]
    )
    return int(total or 0)


def new_clients_in(goal: Goal, *, first: dt.date, last: dt.date) -> int:
    """Companies whose first purchase ever falls in [first, last] (from the rollup's first_day)."""
    if last < first:
        return 0
    return (
        MonthlySales.objects.filter(_company_filter(goal, path="company__"), first_day__isnull=False)
        .values("company_id")
        .annotate(first_purchase=Min("first_day"))
        .filter(first_purchase__gte=first, first_purchase__lte=last)
        .order_by()
        .count()
    )


def a_red_share(goal: Goal) -> float | None:
    """Percent of A companies that are red in the current snapshot; None without A companies."""
    snapshot = snapshot_current()
    if snapshot is None:
        return None
    rows = CompanyAnalysis.objects.filter(
        _company_filter(goal, path="company__"), snapshot=snapshot, category="A"
    )
    counts = rows.order_by().aggregate(n=Count("id"), red=Count("id", filter=Q(temperature_colour="red")))
    if not counts["n"]:
        return None
    return round(100.0 * (counts["red"] or 0) / counts["n"], 1)


@dataclass(frozen=True)
class OnTime:
    due: int
    on_time: int

    @property
    def share(self) -> float | None:
        return None if self.due == 0 else round(100.0 * self.on_time / self.due, 1)


def _cadences() -> dict[str, int]:
    from clientfocus.portfolio.services import analysis_settings

    s = analysis_settings()
    return {"A": s.cadence_a_days, "B": s.cadence_b_days, "C": s.cadence_c_days, "D": s.cadence_d_days}


def contacts_on_time(goal: Goal, *, first: dt.date, last: dt.date, as_of: dt.date) -> OnTime:
    """Due contacts in [first, last] and how many were done by their due date (see the definition)."""
    if last < first:
        return OnTime(0, 0)
    cadence = _cadences()
    snapshot = snapshot_current()
    if snapshot is None:
        return OnTime(0, 0)
    category = dict(
        CompanyAnalysis.objects.filter(_company_filter(goal, path="company__"), snapshot=snapshot)
        .order_by()
        .values_list("company_id", "category")
    )
    if not category:
        return OnTime(0, 0)
    # A touch can set a due date in the period only if it is at most the longest cadence older.
    since = first - dt.timedelta(days=max(cadence.values()))
    touches: dict[int, list[dt.date]] = defaultdict(list)
    for company_id, day in (
        Activity.objects.filter(
            _company_filter(goal, path="company__"), state=State.DONE, date__gte=since, date__lte=as_of
        )
        .order_by("company_id", "date")
        .values_list("company_id", "date")
    ):
        if company_id in category:
            touches[company_id].append(day)
    due = on_time = 0
    for company_id, days in touches.items():
        step = dt.timedelta(days=cadence[category[company_id]])
        distinct = sorted(set(days))
        for day in distinct:
            due_on = day + step
            if not first <= due_on <= last:
                continue
            nxt = bisect_right(distinct, day)
            met = nxt < len(distinct) and distinct[nxt] <= due_on
            if met or due_on < as_of:
                due += 1
                on_time += int(met)
    return OnTime(due, on_time)


def won_deals(goal: Goal, *, first: dt.date, last: dt.date) -> tuple[int, int]:
    """(count, value in kopecks) of deals won with closed_on in [first, last]."""
    if last < first:
        return 0, 0
    agg = (
        Deal.objects.filter(_deal_filter(goal), stage=Stage.WON, closed_on__gte=first, closed_on__lte=last)
        .order_by()
        .aggregate(n=Count("id"), v=Sum("amount_minor"))
    )
    return int(agg["n"] or 0), int(agg["v"] or 0)


def metric_value(goal: Goal, *, as_of: dt.date) -> float | None:
    """The goal's metric as of `as_of` over [start, min(as_of, deadline)]."""
    first, last = goal.start, _period_end(goal, as_of)
    if goal.metric == Metric.REVENUE:
        return float(revenue_in(goal, first=first, last=last))
    if goal.metric == Metric.NEW_CLIENTS:
        return float(new_clients_in(goal, first=first, last=last))
    if goal.metric == Metric.A_RED_SHARE:
        return a_red_share(goal)
    if goal.metric == Metric.CONTACTS_ON_TIME:
        return contacts_on_time(goal, first=first, last=last, as_of=as_of).share
    count, value = won_deals(goal, first=first, last=last)
    return float(count if goal.metric == Metric.WON_DEALS else value)


# --- progress -----------------------------------------------------------------------------------

ON_TRACK, BEHIND, ACHIEVED, MISSED, NOT_STARTED = "on_track", "behind", "achieved", "missed", "not_started"
STATE_LABELS = {
    ON_TRACK: _("идёт по плану"),
    BEHIND: _("отстаёт"),
    ACHIEVED: _("достигнута"),
    MISSED: _("не достигнута"),
    NOT_STARTED: _("ещё не началась"),
}


@dataclass(frozen=True)
class Progress:
    value: float | None
    share: float | None  # of the way from baseline to target, 0..1 (may exceed 1)
    expected: float  # linear pace: the share of the period elapsed, 0..1
    state: str

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(100 * self.share)

    @property
    def bar_percent(self) -> int:
        return 0 if self.share is None else max(0, min(100, round(100 * self.share)))

    @property
    def expected_percent(self) -> int:
        return round(100 * self.expected)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def pace_start(goal: Goal) -> dt.date:
    """Where the straight pace line begins: the day the baseline was measured (the goal was set)
    or the goal's start if later — a goal set mid-period is not behind on the day it is set."""
    begin = max(goal.start, goal.created_on)
    return begin if begin < goal.deadline else goal.start


def progress_of(
    *,
    baseline: float,
    target: float,
    value: float | None,
    start: dt.date,
    deadline: dt.date,
    today: dt.date,
    pace_from: dt.date | None = None,
) -> Progress:
    """Pure: share = (value − baseline) / (target − baseline); a goal whose target is below its
    baseline (fewer of something) works the same way. Achieved once the value reaches the
    target; after the deadline a goal not achieved is missed; before it, on track when the share
    of the way is at least the share of the time elapsed on a straight line from `pace_from`
    (default: start) to the deadline, else behind."""
    begin = pace_from or start
    span = (deadline - begin).days
    expected = min(1.0, max(0.0, (today - begin).days / span))
    share = None if value is None else (value - baseline) / (target - baseline)
    if share is not None and share >= 1:
        state = ACHIEVED
    elif today > deadline:
        state = MISSED
    elif today < start:
        state = NOT_STARTED
    elif share is not None and share >= expected:
        state = ON_TRACK
    else:
        state = BEHIND
    return Progress(value=value, share=share, expected=expected, state=state)


def goal_progress(goal: Goal, *, today: dt.date) -> Progress:
    """Live progress; a closed goal shows what it was when closed."""
    if goal.closed_on is not None:
        p = progress_of(
            baseline=goal.baseline,
            target=goal.target,
            value=goal.final_value,
            start=goal.start,
            deadline=goal.deadline,
            today=goal.closed_on,
            pace_from=pace_start(goal),
        )
        return Progress(value=p.value, share=p.share, expected=p.expected, state=goal.final_state or p.state)
    return progress_of(
        baseline=goal.baseline,
        target=goal.target,
        value=metric_value(goal, as_of=today),
        start=goal.start,
        deadline=goal.deadline,
        today=today,
        pace_from=pace_start(goal),
    )


def chart_dates(goal: Goal, *, today: dt.date, points: int = 12) -> list[dt.date]:
    """Dates for the progress chart: evenly spaced from start to min(today, deadline)."""
    end = min(today, goal.deadline)
    if end <= goal.start:
        return [goal.start]
    days = (end - goal.start).days
    n = min(points, days)
    return sorted({goal.start + dt.timedelta(days=round(days * i / n)) for i in range(n + 1)})


def goal_series(goal: Goal, *, today: dt.date) -> list[tuple[dt.date, float | None]]:
    """The metric at each chart date. The A-red share has no history (only the current
    snapshot), so its series is the baseline at creation and the current value."""
    if goal.metric == Metric.A_RED_SHARE:
        return [(goal.created_on, goal.baseline), (today, metric_value(goal, as_of=today))]
    return [(d, metric_value(goal, as_of=d)) for d in chart_dates(goal, today=today)]
