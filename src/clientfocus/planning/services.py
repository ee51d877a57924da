"""Writes of key-account plans and their visits (seed 002)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import may_edit_team_records, may_set_goal
from clientfocus.accounts.models import Team, User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Kind, State
from clientfocus.activities.services import activity_complete, activity_log
from clientfocus.companies.models import Company, Contact
from clientfocus.planning.models import (
    AccountPlan,
    Goal,
    MarketPlan,
    MarketPlanReview,
    Metric,
    PlannedVisit,
    VisitStage,
)
from clientfocus.portfolio.selectors import company_analysis

PLAN_NOT_KEY_ACCOUNT = _(
    "План составляют для компаний категории A и ключевых клиентов (по последнему анализу)"
)
PLAN_REVIEW_IN_PAST = _("Дата пересмотра плана должна быть не раньше сегодняшней")
PLAN_WIN_PROBABILITY = _("Вероятность — от 0 до 100%")
PLAN_COMPANY_LIQUIDATED = _("Компания ликвидирована: план для неё не составляют")
VISIT_IN_PAST = _("Визит планируют на сегодня или позже")
VISIT_UNKNOWN_STAGE = _("Неизвестный этап визита «%(stage)s»")
VISIT_ALREADY_DONE = _("Визит уже отмечен как состоявшийся")
CONTACT_OF_ANOTHER_COMPANY = _("Представитель не из этой компании")


@dataclass(frozen=True)
class PlanFields:
    review_on: dt.date
    scale_opportunity: str = ""
    classification: str = ""
    offer_fit: str = ""
    win_probability: int | None = None
    competitors: str = ""
    decision_makers: str = ""
    decider: str = ""
    decision_criteria: str = ""
    key_intervention_points: str = ""
    within_competitors_reach: bool | None = None
    high_hopes: bool | None = None
    strategy: str = ""


def plan_eligible(*, user: User, company: Company) -> bool:
    """Seed 002 / PRODUCT.md: plans are for A companies and key accounts (the latest analysis)."""
    row = company_analysis(user=user, company_id=company.pk)
    return row is not None and (row.category == "A" or row.key_account)


def account_plan_save(*, actor: User, company: Company, fields: PlanFields, today: dt.date) -> AccountPlan:
    """Create the company's plan or update it; either way it counts as reviewed today."""
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if fields.review_on < today:
        raise ValidationError(PLAN_REVIEW_IN_PAST, code="review_past")
    if fields.win_probability is not None and not 0 <= fields.win_probability <= 100:
        raise ValidationError(PLAN_WIN_PROBABILITY, code="probability")
    with transaction.atomic():
        plan = AccountPlan.objects.select_for_update().filter(company=company).first()
        created = plan is None
        if plan is None:
            # A plan that exists stays when the company leaves category A; a new one needs it.
            if company.liquidated:
                raise ValidationError(PLAN_COMPANY_LIQUIDATED, code="liquidated")
            if not plan_eligible(user=actor, company=company):
                raise ValidationError(PLAN_NOT_KEY_ACCOUNT, code="not_key")
            plan = AccountPlan(company=company)
        for name, value in asdict(fields).items():
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
        plan.reviewed_on = today
        plan.reviewed_by = actor
        plan.save()
        audit_record(
            actor=actor,
            action="account_plan_create" if created else "account_plan_review",
            obj=plan,
            details={"review_on": fields.review_on.isoformat()},
        )
    return plan


def planned_visit_create(
    *,
    actor: User,
    plan: AccountPlan,
    date: dt.date,
    stage: str,
    today: dt.date,
    goal: str = "",
    contact: Contact | None = None,
) -> PlannedVisit:
    """Plan a visit of the plan; it becomes a planned visit activity of the company too."""
    if not AccountPlan.objects.visible_to(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied
    if stage not in VisitStage.values:
        raise ValidationError(VISIT_UNKNOWN_STAGE, code="stage", params={"stage": stage})
    if date < today:
        raise ValidationError(VISIT_IN_PAST, code="past")
    if contact is not None and contact.company_id != plan.company_id:
        raise ValidationError(CONTACT_OF_ANOTHER_COMPANY, code="contact")
    with transaction.atomic():
        activity = activity_log(
            actor=actor,
            company=plan.company,
            kind=Kind.VISIT,
            state=State.PLANNED,
            date=date,
            today=today,
            contact=contact,
            subject=(str(VisitStage(stage).label) + (f": {goal.strip()}" if goal.strip() else ""))[:200],
        )
        visit = PlannedVisit.objects.create(
            plan=plan, date=date, stage=stage, goal=goal.strip()[:300], contact=contact, activity=activity
        )
        audit_record(actor=actor, action="planned_visit_create", obj=visit, details={"stage": stage})
    return visit


def planned_visit_complete(
    *, actor: User, visit: PlannedVisit, today: dt.date, outcome: str = ""
) -> PlannedVisit:
    """The visit took place today: record its outcome (and complete its activity)."""
    if not PlannedVisit.objects.visible_to(actor).filter(pk=visit.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        visit = PlannedVisit.objects.select_for_update().get(pk=visit.pk)
        if visit.done:
            raise ValidationError(VISIT_ALREADY_DONE, code="done")
        visit.done = True
        visit.date = today
        visit.outcome = outcome.strip()
        visit.save(update_fields=["done", "date", "outcome"])
        if visit.activity is not None and visit.activity.state == State.PLANNED:
            activity_complete(actor=actor, activity=visit.activity, today=today, outcome=visit.outcome)
        audit_record(actor=actor, action="planned_visit_complete", obj=visit)
    return visit


# --- SMART goals (seed 003) -------------------------------------------------------------------

GOAL_NOT_YOURS = _(
    "Цель ставят: менеджер — себе, руководитель — своим менеджерам и команде, администратор — любому"
)
GOAL_DEADLINE_BEFORE_START = _("Срок цели должен быть позже её начала")
GOAL_TARGET_IS_BASELINE = _("Цель должна отличаться от исходного значения ({baseline})")
GOAL_TARGET_NOT_ABOVE = _(
    "Выручка, новые клиенты и выигранные сделки за период только растут: цель должна быть больше "
    "исходного значения ({baseline})"
)
GOAL_UNKNOWN_METRIC = _("Неизвестный показатель «%(metric)s»")
GOAL_PERCENT_RANGE = _("Для доли цель — от 0 до 100%")
GOAL_NEEDS_WORDING = _("Сформулируйте цель конкретно: чего добиваемся")
GOAL_NEEDS_SUBJECT = _("Выберите менеджера или команду")
GOAL_CLOSED = _("Цель закрыта: её уже не меняют")
GOAL_NO_DATA = _("Для этого показателя пока нет данных (нужен расчёт анализа)")


@dataclass(frozen=True)
class GoalFields:
    """What a manager fills (the SMART parts, the target and the dates)."""

    specific: str
    target: float
    start: dt.date
    deadline: dt.date
    relevance: str = ""
    achievability: str = ""


def _validate_goal(fields: GoalFields, *, metric: str, baseline: float) -> None:
    from clientfocus.planning.goals import CUMULATIVE_METRICS, PERCENT_METRICS, format_value

    if not fields.specific.strip():
        raise ValidationError(GOAL_NEEDS_WORDING, code="specific")
    if fields.deadline <= fields.start:
        raise ValidationError(GOAL_DEADLINE_BEFORE_START, code="deadline")
    if metric in PERCENT_METRICS and not 0 <= fields.target <= 100:
        raise ValidationError(GOAL_PERCENT_RANGE, code="percent")
    if metric in CUMULATIVE_METRICS and fields.target < baseline:
        raise ValidationError(
            str(GOAL_TARGET_NOT_ABOVE).format(baseline=format_value(baseline, metric)), code="target_below"
        )
    if fields.target == baseline:
        raise ValidationError(
            str(GOAL_TARGET_IS_BASELINE).format(baseline=format_value(baseline, metric)),
            code="target_is_baseline",
        )


def goal_create(
    *,
    actor: User,
    metric: str,
    fields: GoalFields,
    today: dt.date,
    seller: User | None = None,
    team: Team | None = None,
) -> Goal:
    """Set a goal for `seller` or for `team`; its baseline is the metric measured today."""
    from clientfocus.planning.goals import metric_value

    if metric not in Metric.values:
        raise ValidationError(GOAL_UNKNOWN_METRIC, code="metric", params={"metric": metric})
    if (seller is None) == (team is None):
        raise ValidationError(GOAL_NEEDS_SUBJECT, code="subject")
    if not may_set_goal(actor, seller=seller, team_id=team.pk if team else None):
        raise PermissionDenied(GOAL_NOT_YOURS)
    goal = Goal(
        seller=seller,
        team=team,
        metric=metric,
        specific=fields.specific.strip()[:300],
        relevance=fields.relevance.strip(),
        achievability=fields.achievability.strip(),
        target=fields.target,
        start=fields.start,
        deadline=fields.deadline,
        created_on=today,
        created_by=actor,
        baseline=0.0,
    )
    if fields.deadline > fields.start:
        # Measured as of today over [start, today] (0 for a period that has not begun); the
        # A-red share is a state, not a sum over the period, so it is always today's.
        measured = today >= fields.start or metric == Metric.A_RED_SHARE
        baseline = metric_value(goal, as_of=today) if measured else None
        if baseline is None and metric == Metric.A_RED_SHARE:
            raise ValidationError(GOAL_NO_DATA, code="no_data")
        goal.baseline = float(baseline or 0.0)
    _validate_goal(fields, metric=metric, baseline=goal.baseline)
    with transaction.atomic():
        goal.save()
        audit_record(
            actor=actor,
            action="goal_create",
            obj=goal,
            details={"metric": metric, "baseline": goal.baseline, "target": goal.target},
        )
    return goal


def _check_goal_editable(actor: User, goal: Goal) -> None:
    if not Goal.objects.visible_to(actor).filter(pk=goal.pk).exists():
        raise PermissionDenied
    seller = goal.seller
    if not may_set_goal(actor, seller=seller, team_id=goal.team_id):
        raise PermissionDenied(GOAL_NOT_YOURS)


def goal_update(*, actor: User, goal: Goal, fields: GoalFields) -> Goal:
    """Change the wording, target or dates; the metric, subject and baseline stay."""
    _check_goal_editable(actor, goal)
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if goal.closed_on is not None:
            raise ValidationError(GOAL_CLOSED, code="closed")
        _validate_goal(fields, metric=goal.metric, baseline=goal.baseline)
        before = {"target": goal.target, "start": str(goal.start), "deadline": str(goal.deadline)}
        goal.specific = fields.specific.strip()[:300]
        goal.relevance = fields.relevance.strip()
        goal.achievability = fields.achievability.strip()
        goal.target = fields.target
        goal.start = fields.start
        goal.deadline = fields.deadline
        goal.save()
        audit_record(
            actor=actor,
            action="goal_update",
            obj=goal,
            details={"before": before, "target": goal.target, "deadline": str(goal.deadline)},
        )
    return goal


def goal_close(*, actor: User, goal: Goal, today: dt.date) -> Goal:
    """Close the goal: its value today and its state (achieved or missed) are kept as final."""
    from clientfocus.planning.goals import ACHIEVED, MISSED, goal_progress

    _check_goal_editable(actor, goal)
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if goal.closed_on is not None:
            raise ValidationError(GOAL_CLOSED, code="closed")
        progress = goal_progress(goal, today=today)
        goal.closed_on = today
        goal.final_value = progress.value
        goal.final_state = ACHIEVED if progress.state == ACHIEVED else MISSED
        goal.save(update_fields=["closed_on", "final_value", "final_state"])
        audit_record(
            actor=actor,
            action="goal_close",
            obj=goal,
            details={"value": goal.final_value, "state": goal.final_state},
        )
    return goal


# --- the market plan (seed 001) ---------------------------------------------------------------

MARKET_PLAN_NOT_YOURS = _("План освоения рынка меняет руководитель команды или администратор")
MARKET_PLAN_PERIOD = _("Конец периода плана должен быть позже его начала")
MARKET_PLAN_SELLER_OF_ANOTHER_TEAM = _("Менеджер «{name}» не из этой команды")
MARKET_PLAN_PARTS = (
    "period_start",
    "period_end",
    "where",
    "whom",
    "target_industries",
    "target_regions",
    "use_ideal_profile",
    "who",
    "from_where",
    "when",
    "with_what",
)


@dataclass(frozen=True)
class MarketPlanFields:
    period_start: dt.date
    period_end: dt.date
    where: str = ""
    whom: str = ""
    target_industries: str = ""
    target_regions: str = ""
    use_ideal_profile: bool = True
    who: str = ""
    from_where: str = ""
    when: str = ""
    with_what: str = ""
    seller_ids: tuple[int, ...] = ()


def next_quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter after the one `day` is in (seed 001: the plan is
    coordinated every quarter). 5 Oct → 1 Jan; 1 Jan → 1 Apr; 31 Mar → 1 Apr."""
    month = (day.month - 1) // 3 * 3 + 4
    return dt.date(day.year + 1, 1, 1) if month > 12 else dt.date(day.year, month, 1)


def market_plan_save(
    *, actor: User, team: Team, fields: MarketPlanFields, today: dt.date, note: str = ""
) -> MarketPlan:
    """Create the team's market plan or review it: either way a review row records today, the
    actor, which of the six parts (and period, sellers) changed, and the note."""
    if not may_edit_team_records(actor, team.pk):
        raise PermissionDenied(MARKET_PLAN_NOT_YOURS)
    if fields.period_end <= fields.period_start:
        raise ValidationError(MARKET_PLAN_PERIOD, code="period")
    members = {u.pk: u for u in User.objects.filter(pk__in=fields.seller_ids)}
    for pk in fields.seller_ids:
        person = members.get(pk)
        if person is None or person.team_id != team.pk:
            name = str(person) if person else str(pk)
            raise ValidationError(str(MARKET_PLAN_SELLER_OF_ANOTHER_TEAM).format(name=name), code="seller")
    with transaction.atomic():
        plan = MarketPlan.objects.select_for_update().filter(team=team).first()
        created = plan is None
        if plan is None:
            plan = MarketPlan(team=team)
        changed: list[str] = []
        for name in MARKET_PLAN_PARTS:
            value = getattr(fields, name)
            value = value.strip() if isinstance(value, str) else value
            if created or getattr(plan, name) != value:
                changed.append(name)
            setattr(plan, name, value)
        plan.last_reviewed_on = today
        plan.save()
        before = set() if created else set(plan.sellers.values_list("pk", flat=True))
        if created or before != set(fields.seller_ids):
            changed.append("sellers")
            plan.sellers.set(fields.seller_ids)
        MarketPlanReview.objects.create(plan=plan, date=today, by=actor, changed=changed, note=note.strip())
        audit_record(
            actor=actor,
            action="market_plan_create" if created else "market_plan_review",
            obj=plan,
            details={"changed": changed},
        )
    return plan
