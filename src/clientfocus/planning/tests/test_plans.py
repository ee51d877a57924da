"""Key-account plans (seed 002): the rules of the services, the pages, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clientfocus.accounts.models import AuditEntry
from clientfocus.activities.models import Activity, Kind, State
from clientfocus.core.testing.factories import CompanyFactory, ContactFactory
from clientfocus.planning.models import AccountPlan, PlannedVisit, VisitStage
from clientfocus.planning.selectors import key_accounts
from clientfocus.planning.services import (
    CONTACT_OF_ANOTHER_COMPANY,
    PLAN_NOT_KEY_ACCOUNT,
    PLAN_REVIEW_IN_PAST,
    VISIT_ALREADY_DONE,
    VISIT_IN_PAST,
    PlanFields,
    account_plan_save,
    planned_visit_complete,
    planned_visit_create,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def _fields(**kw):
    base = {
        "review_on": dt.date(2027, 2, 25),
        "scale_opportunity": "Три завода, закупки кабеля 40 млн ₽ в год",
        "win_probability": 60,
        "decision_makers": "Главный инженер решает, снабжение влияет",
        "key_intervention_points": "Тендер в марте: звонок нашего директора их директору",
        "within_competitors_reach": True,
        "high_hopes": True,
        "strategy": "Стать единственным поставщиком кабеля к 2028 году",
    }
    return PlanFields(**(base | kw))


@pytest.fixture
def romashka(cast):
    """Alice's company: a key account and category A in the cast's analysis."""
    return cast["portfolios"]["alice"].company


def test_the_cast_companies_are_key_accounts(cast, seller_alice):
    rows = list(key_accounts(user=seller_alice, today=TODAY))
    assert [r.company.name for r in rows] == ["ООО «Ромашка»"]
    assert rows[0].key_account and rows[0].category == "A" and rows[0].plan_id is None


def test_a_plan_keeps_the_nine_points_and_three_questions_and_counts_as_reviewed(
    cast, romashka, seller_alice
):
    plan = account_plan_save(actor=seller_alice, company=romashka, fields=_fields(), today=TODAY)
    plan.refresh_from_db()
    assert (plan.win_probability, plan.within_competitors_reach, plan.high_hopes) == (60, True, True)
    assert plan.strategy == "Стать единственным поставщиком кабеля к 2028 году"
    assert (plan.reviewed_on, plan.reviewed_by, plan.review_on) == (TODAY, seller_alice, dt.date(2027, 2, 25))
    later = TODAY + dt.timedelta(days=30)
    account_plan_save(
        actor=seller_alice, company=romashka, fields=_fields(win_probability=75, review_on=later), today=later
    )
    plan.refresh_from_db()
    assert (plan.win_probability, plan.reviewed_on) == (75, later)
    assert AccountPlan.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(object_type="planning.accountplan").values_list("action", flat=True)
    )
    assert sorted(actions) == ["account_plan_create", "account_plan_review"]


def test_plans_are_for_a_companies_and_key_accounts_only(cast, seller_alice):
    from clientfocus.portfolio.services import analysis_recompute

    # Never bought, and no firmographics to look like anyone: its potential is 0, category D.
    prospect = CompanyFactory(
        owner=seller_alice, name="ООО «Новичок»", industry="", region="", employees=None
    )
    analysis_recompute(actor=None, as_of=TODAY)
    with pytest.raises(ValidationError) as exc:
        account_plan_save(actor=seller_alice, company=prospect, fields=_fields(), today=TODAY)
    assert exc.value.messages == [str(PLAN_NOT_KEY_ACCOUNT)]
    assert not AccountPlan.objects.exists()


def test_the_review_date_is_not_in_the_past(cast, romashka, seller_alice):
    with pytest.raises(ValidationError) as exc:
        account_plan_save(
            actor=seller_alice,
            company=romashka,
            fields=_fields(review_on=TODAY - dt.timedelta(days=1)),
            today=TODAY,
        )
    assert exc.value.messages == [str(PLAN_REVIEW_IN_PAST)]


def test_nobody_plans_for_companies_they_cannot_see(cast, romashka, seller_charlie, seller_erin):
    for intruder in (seller_charlie, seller_erin):
        with pytest.raises(PermissionDenied):
            account_plan_save(actor=intruder, company=romashka, fields=_fields(), today=TODAY)
    assert not AccountPlan.objects.exists()


def test_a_planned_visit_is_a_planned_activity_and_done_completes_it(cast, romashka, seller_alice):
    plan = account_plan_save(actor=seller_alice, company=romashka, fields=_fields(), today=TODAY)
    contact = cast["portfolios"]["alice"].contact
    visit = planned_visit_create(
        actor=seller_alice,
        plan=plan,
        date=dt.date(2026, 12, 2),
        stage=VisitStage.PROBLEM_OWNER,
        goal="Понять, что мешает главному инженеру",
        contact=contact,
        today=TODAY,
    )
    activity = visit.activity
    assert (activity.kind, activity.state, activity.date, activity.contact) == (
        Kind.VISIT,
        State.PLANNED,
        dt.date(2026, 12, 2),
        contact,
    )
    assert activity.subject == "Беседа с владельцем проблемы: Понять, что мешает главному инженеру"
    done_on = dt.date(2026, 12, 3)
    planned_visit_complete(
        actor=seller_alice, visit=visit, today=done_on, outcome="Проблема — простои монтажа"
    )
    visit.refresh_from_db()
    activity.refresh_from_db()
    assert (visit.done, visit.date, visit.outcome) == (True, done_on, "Проблема — простои монтажа")
    assert (activity.state, activity.date, activity.outcome) == (
        State.DONE,
        done_on,
        "Проблема — простои монтажа",
    )
    with pytest.raises(ValidationError) as exc:
        planned_visit_complete(actor=seller_alice, visit=visit, today=done_on)
    assert exc.value.messages == [str(VISIT_ALREADY_DONE)]


def test_visit_rules(cast, romashka, seller_alice, seller_charlie):
    plan = account_plan_save(actor=seller_alice, company=romashka, fields=_fields(), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        planned_visit_create(
            actor=seller_alice, plan=plan, date=TODAY - dt.timedelta(days=1), stage="probe", today=TODAY
        )
    assert exc.value.messages == [str(VISIT_IN_PAST)]
    stranger = ContactFactory(company=cast["portfolios"]["erin"].company)
    with pytest.raises(ValidationError) as exc:
        planned_visit_create(
            actor=seller_alice, plan=plan, date=TODAY, stage="probe", contact=stranger, today=TODAY
        )
    assert exc.value.messages == [str(CONTACT_OF_ANOTHER_COMPANY)]
    with pytest.raises(PermissionDenied):
        planned_visit_create(actor=seller_charlie, plan=plan, date=TODAY, stage="probe", today=TODAY)
    assert not PlannedVisit.objects.exists() and not Activity.objects.filter(kind=Kind.VISIT).exists()


def test_key_accounts_without_a_current_plan(cast, romashka, seller_alice, manager_bob):
    assert {
        r.company.name for r in key_accounts(user=manager_bob, today=TODAY, without_current_plan=True)
    } == {
        "ООО «Ромашка»",
        "АО «Северный кабель»",
    }
    account_plan_save(actor=seller_alice, company=romashka, fields=_fields(review_on=TODAY), today=TODAY)
    assert {
        r.company.name for r in key_accounts(user=manager_bob, today=TODAY, without_current_plan=True)
    } == {"АО «Северный кабель»"}
    # The day after its review date the plan is no longer current.
    tomorrow = TODAY + dt.timedelta(days=1)
    assert {
        r.company.name for r in key_accounts(user=manager_bob, today=tomorrow, without_current_plan=True)
    } == {
        "ООО «Ромашка»",
        "АО «Северный кабель»",
    }


# --- pages ------------------------------------------------------------------------------------


def test_it_hides_other_sellers_plans(client, cast):
    client.force_login(cast["users"]["charlie"])
    html = client.get(reverse("planning:key_accounts")).content.decode()
    assert "ООО «Южный ветер»" in html and "ООО «Ромашка»" not in html
    alice_company = cast["portfolios"]["alice"].company
    assert client.get(reverse("planning:plan", args=[alice_company.pk])).status_code == 404


def test_a_seller_fills_the_plan_and_plans_a_visit_in_the_workspace(client, cast, romashka, seller_alice):
    client.force_login(seller_alice)
    url = reverse("planning:plan", args=[romashka.pk])
    page = client.get(url).content.decode()
    assert "Девять пунктов стратегии" in page and "Три вопроса" in page
    review_on = timezone.localdate() + dt.timedelta(days=90)
    response = client.post(
        url,
        {
            "review_on": review_on.isoformat(),
            "strategy": "Единственный поставщик",
            "within_competitors_reach": "yes",
            "high_hopes": "no",
            "win_probability": "40",
        },
    )
    assert response.status_code == 302
    plan = AccountPlan.objects.get(company=romashka)
    assert (plan.strategy, plan.within_competitors_reach, plan.high_hopes, plan.win_probability) == (
        "Единственный поставщик",
        True,
        False,
        40,
    )
    response = client.post(
        reverse("planning:visit_create", args=[romashka.pk]),
        {"date": timezone.localdate().isoformat(), "stage": "probe", "goal": "Узнать, кто решает"},
    )
    assert response.status_code == 302
    visit = PlannedVisit.objects.get(plan=plan)
    client.post(reverse("planning:visit_done", args=[visit.pk]), {"outcome": "Решает главный инженер"})
    visit.refresh_from_db()
    assert visit.done and visit.outcome == "Решает главный инженер"
    listing = client.get(reverse("planning:key_accounts") + "?without=1").content.decode()
    assert "ООО «Ромашка»" not in listing
    card = client.get(reverse("companies:detail", args=[romashka.pk])).content.decode()
    assert 'data-testid="plan-link"' in card


def test_the_key_accounts_page_pins_its_queries(client, cast, manager_bob, django_assert_num_queries):
    """Session, user, snapshot, count, rows: the plans and their visits come in the same row query."""
    client.force_login(manager_bob)
    with django_assert_num_queries(5):
        client.get(reverse("planning:key_accounts"))
    for who in ("alice", "erin"):
        company = cast["portfolios"][who].company
        account_plan_save(
            actor=manager_bob, company=company, fields=_fields(review_on=dt.date(2099, 1, 1)), today=TODAY
        )
    with django_assert_num_queries(5):
        html = client.get(reverse("planning:key_accounts")).content.decode()
    assert html.count("актуален до 01.01.2099") == 2
