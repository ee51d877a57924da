"""Writes of key-account plans and their visits (seed 002)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Kind, State
from clientfocus.activities.services import activity_complete, activity_log
from clientfocus.companies.models import Company, Contact
from clientfocus.planning.models import AccountPlan, PlannedVisit, VisitStage
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
