"""Reads of key-account plans. Every function takes the user (accounts/access.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from clientfocus.accounts.access import may_edit_team_records, may_set_goal, team_scope, users_visible_to
from clientfocus.accounts.models import Role, Team
from clientfocus.companies.models import Company, Contact
from clientfocus.companies.selectors import company_get
from clientfocus.planning.goals import Progress, goal_progress
from clientfocus.planning.models import (
    VISIT_STAGE_ORDER,
    AccountPlan,
    Goal,
    MarketPlan,
    MarketPlanReview,
    PlannedVisit,
    VisitStage,
)
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


# --- SMART goals and market plans -----------------------------------------------------------


def goals_visible(*, user: Any) -> QuerySet[Goal]:
    return Goal.objects.visible_to(user).select_related("seller", "team", "created_by")


def goal_list(*, user: Any, today: dt.date, include_closed: bool = False) -> list[tuple[Goal, Progress]]:
    """The goals `user` reads (accounts.access.goal_scope) with their live progress."""
    qs = goals_visible(user=user)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return [(g, goal_progress(g, today=today)) for g in qs.order_by("deadline", "id")]


def goal_get(*, user: Any, pk: int) -> Goal:
    """The goal, or the same 404 whether it does not exist or is not the user's to read."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(goals_visible(user=user), pk=pk)


def goal_subjects(*, user: Any) -> tuple[list[Any], list[Team]]:
    """Whom `user` may set goals for: (people, teams), by accounts.access.may_set_goal."""
    people = [
        u
        for u in users_visible_to(user).filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER])
        if may_set_goal(user, seller=u, team_id=None)
    ]
    teams = [
        t for t in Team.objects.filter(team_scope(user, field="pk")) if may_edit_team_records(user, t.pk)
    ]
    return people, teams


def teams_visible(*, user: Any) -> QuerySet[Team]:
    return Team.objects.filter(team_scope(user, field="pk")).order_by("name")


def team_get(*, user: Any, pk: int) -> Team:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(teams_visible(user=user), pk=pk)


@dataclass(frozen=True)
class MarketPlanPage:
    team: Team
    plan: MarketPlan | None
    reviews: list[MarketPlanReview]
    members: list[Any]
    sellers: list[Any]
    next_review_on: dt.date | None
    review_overdue: bool
    ideal_profile: Any


def market_plan_status(plan: MarketPlan | None, *, today: dt.date) -> tuple[dt.date | None, bool]:
    """(next review date, overdue?): the next quarter start after the last review; overdue once
    that day has passed without a review."""
    from clientfocus.planning.services import next_quarter_start

    if plan is None:
        return None, False
    due = next_quarter_start(plan.last_reviewed_on)
    return due, today > due


def market_plan_page(*, user: Any, team_id: int, today: dt.date) -> MarketPlanPage:
    from clientfocus.companies.models import IdealProfile

    team = team_get(user=user, pk=team_id)
    plan = MarketPlan.objects.visible_to(user).filter(team=team).first()
    reviews = (
        list(MarketPlanReview.objects.visible_to(user).filter(plan=plan).select_related("by")) if plan else []
    )
    due, overdue = market_plan_status(plan, today=today)
    return MarketPlanPage(
        team=team,
        plan=plan,
        reviews=reviews,
        members=list(team.members.filter(is_active=True).order_by("last_name", "first_name")),
        sellers=list(plan.sellers.order_by("last_name", "first_name")) if plan else [],
        next_review_on=due,
        review_overdue=overdue,
        ideal_profile=IdealProfile.objects.filter(team=team, is_active=True).first(),
    )


def market_plans_overview(*, user: Any, today: dt.date) -> list[dict[str, Any]]:
    plans = {p.team_id: p for p in MarketPlan.objects.visible_to(user)}
    out = []
    for team in teams_visible(user=user):
        plan = plans.get(team.pk)
        due, overdue = market_plan_status(plan, today=today)
        out.append({"team": team, "plan": plan, "next_review_on": due, "overdue": overdue})
    return out
