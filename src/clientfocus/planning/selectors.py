"""Reads of key-account plans. Every function takes the user (accounts/access.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from clientfocus.companies.models import Company, Contact
from clientfocus.companies.selectors import company_get
from clientfocus.planning.models import VISIT_STAGE_ORDER, AccountPlan, PlannedVisit, VisitStage
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.portfolio.selectors import analysis_rows, company_analysis


def key_accounts(
    *, user: Any, today: dt.date, without_current_plan: bool = False
) -> QuerySet[CompanyAnalysis]:
    """A companies and key accounts of the latest analysis (liquidated ones left out), with their
    plan's review date and next planned visit; optionally only those without a current plan (no plan,
    or its review date has passed)."""
    next_visit = (
        PlannedVisit.objects.filter(plan__company=OuterRef("company_id"), done=False)
        .order_by("date", "id")
        .values("date")[:1]
    )
    qs = (
        analysis_rows(user=user)
        .filter(Q(category="A") | Q(key_account=True), company__liquidated=False)
        .select_related("company", "company__owner")
        .annotate(
            plan_id=F("company__account_plan__id"),
            plan_review_on=F("company__account_plan__review_on"),
            next_visit_on=Subquery(next_visit),
        )
    )
    if without_current_plan:
        qs = qs.filter(Q(company__account_plan__isnull=True) | Q(company__account_plan__review_on__lt=today))
    return qs.order_by("-key_account", "-revenue_12m", "pk")


@dataclass(frozen=True)
class PlanPage:
    company: Company
    plan: AccountPlan | None
    analysis: CompanyAnalysis | None
    visits: list[PlannedVisit]
    contacts: list[Contact]
    suggested_stage: str


def plan_page(*, user: Any, company_id: int) -> PlanPage:
    """The company (404 when not the user's), its plan if any, the plan's visits and contacts."""
    company = company_get(user=user, pk=company_id)
    plan = AccountPlan.objects.visible_to(user).filter(company=company).select_related("reviewed_by").first()
    visits: list[PlannedVisit] = []
    if plan is not None:
        visits = list(
            PlannedVisit.objects.visible_to(user)
            .filter(plan=plan)
            .select_related("contact")
            .order_by("date", "id")
        )
    done = [VISIT_STAGE_ORDER.index(VisitStage(v.stage)) for v in visits if v.done]
    # Seed 002: each visit moves the sale on, so the next one is suggested one stage further.
    suggested = (
        VISIT_STAGE_ORDER[min(max(done) + 1, len(VISIT_STAGE_ORDER) - 1)] if done else VisitStage.PROBE
    )
    return PlanPage(
        company=company,
        plan=plan,
        analysis=company_analysis(user=user, company_id=company.pk),
        visits=visits,
        contacts=list(
            Contact.objects.visible_to(user).filter(company=company, is_active=True).order_by("full_name")
        ),
        suggested_stage=suggested,
    )


def visit_get(*, user: Any, pk: int) -> PlannedVisit:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(PlannedVisit.objects.visible_to(user).select_related("plan", "activity"), pk=pk)
