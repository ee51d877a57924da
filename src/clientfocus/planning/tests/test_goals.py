"""SMART goals (seed 003): each metric on a hand-made portfolio, progress states with the clock
pinned, the services' rules, and who reads and sets which goal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clientfocus.accounts.models import AuditEntry
from clientfocus.activities.models import Kind, State
from clientfocus.core.testing.factories import ActivityFactory, CompanyFactory, DealFactory
from clientfocus.deals.models import Stage
from clientfocus.planning import goals as g
from clientfocus.planning.models import Goal, Metric
from clientfocus.planning.services import (
    GOAL_CLOSED,
    GOAL_DEADLINE_BEFORE_START,
    GOAL_NEEDS_WORDING,
    GOAL_PERCENT_RANGE,
    GoalFields,
    goal_close,
    goal_create,
    goal_update,
)
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.sales.services import sale_create

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def _sale(company, day, rub, invoice):
    sale_create(
        actor=None,
        company=company,
        date=day,
        invoice=invoice,
        line_no=1,
        amount_minor=rub * 100,
        margin_minor=None,
    )


@pytest.fixture
def world(seller_alice, seller_erin, manager_bob, seller_charlie, admin_dana):
    """Alice's hand-made portfolio (all in RUB):

    - «Альфа»: 2026-03-10 +100 000 (first purchase ever), 2026-10-31 +50 000, 2026-11-02 −10 000
    - «Бета»: 2025-12-20 +30 000 (first purchase), 2026-10-01 +20 000
    - «Гамма»: 2026-10-15 +5 000 (first purchase)
    Erin: «Дельта» 2026-10-05 +7 000 (first purchase). Charlie (another team): «Юг» 2026-10-10 +9 000.
    """
    from clientfocus.portfolio.services import analysis_recompute

    alpha = CompanyFactory(name="ООО «Альфа»", owner=seller_alice)
    beta = CompanyFactory(name="ООО «Бета»", owner=seller_alice)
    gamma = CompanyFactory(name="ООО «Гамма»", owner=seller_alice)
    delta = CompanyFactory(name="ООО «Дельта»", owner=seller_erin)
    south = CompanyFactory(name="ООО «Юг»", owner=seller_charlie)
    _sale(alpha, dt.date(2026, 3, 10), 100_000, "А-1")
    _sale(alpha, dt.date(2026, 10, 31), 50_000, "А-2")
    _sale(alpha, dt.date(2026, 11, 2), -10_000, "А-3")
    _sale(beta, dt.date(2025, 12, 20), 30_000, "Б-1")
    _sale(beta, dt.date(2026, 10, 1), 20_000, "Б-2")
    _sale(gamma, dt.date(2026, 10, 15), 5_000, "Г-1")
    _sale(delta, dt.date(2026, 10, 5), 7_000, "Д-1")
    _sale(south, dt.date(2026, 10, 10), 9_000, "Ю-1")
    analysis_recompute(actor=None, as_of=TODAY)
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta, "south": south}


def _goal(metric, *, seller=None, team=None, start=dt.date(2026, 10, 1), deadline=dt.date(2026, 12, 31)):
    return Goal(
        seller=seller,
        team=team,
        metric=metric,
        specific="x",
        baseline=0,
        target=1,
        start=start,
        deadline=deadline,
        created_on=start,
    )


def test_revenue_in_the_period_uses_whole_months_and_edges(world, seller_alice, team_north):
    """Period 2026-10-01 .. as of 2026-11-25: Альфа 50 000 − 10 000, Бета 20 000, Гамма 5 000
    = 65 000 ₽ for Alice; the team «Север» adds Erin's Дельта 7 000 = 72 000 ₽. Charlie's Юг
    (another team) is never counted. Within one month (Oct 10..Oct 31): 50 000 + 5 000."""
    goal = _goal(Metric.REVENUE, seller=seller_alice)
    assert g.metric_value(goal, as_of=TODAY) == 65_000_00
    assert g.metric_value(_goal(Metric.REVENUE, team=team_north), as_of=TODAY) == 72_000_00
    assert g.revenue_in(goal, first=dt.date(2026, 10, 10), last=dt.date(2026, 10, 31)) == 55_000_00
    # Before November: the return is not in yet.
    assert g.metric_value(goal, as_of=dt.date(2026, 10, 31)) == 75_000_00


def test_new_clients_are_companies_whose_first_purchase_falls_in_the_period(world, seller_alice, team_north):
    """First purchases: Альфа 2026-03-10, Бета 2025-12-20, Гамма 2026-10-15, Дельта 2026-10-05.
    In 2026-10-01..: Alice 1 (Гамма); the team 2 (Гамма, Дельта). From 2026-01-01: Alice 2."""
    assert g.metric_value(_goal(Metric.NEW_CLIENTS, seller=seller_alice), as_of=TODAY) == 1
    assert g.metric_value(_goal(Metric.NEW_CLIENTS, team=team_north), as_of=TODAY) == 2
    assert (
        g.metric_value(_goal(Metric.NEW_CLIENTS, seller=seller_alice, start=dt.date(2026, 1, 1)), as_of=TODAY)
        == 2
    )


def test_a_red_share_reads_the_current_snapshot(world, seller_alice):
    """Alice's three companies set to A; Альфа and Бета red, Гамма blue: 2 of 3 = 66.7%."""
    rows = CompanyAnalysis.objects.filter(company__owner=seller_alice)
    rows.update(category="A", temperature_colour="blue")
    rows.filter(company__in=[world["alpha"], world["beta"]]).update(temperature_colour="red")
    assert g.metric_value(_goal(Metric.A_RED_SHARE, seller=seller_alice), as_of=TODAY) == 66.7
    rows.update(category="B")
    assert g.metric_value(_goal(Metric.A_RED_SHARE, seller=seller_alice), as_of=TODAY) is None


def test_contacts_on_time(world, seller_alice):
    """Альфа is A (cadence 30 days), Бета is B (90). Period 2026-10-01 .. as of 2026-11-25.

    Альфа touches: 09-05 → due 10-05, next touch 10-03 ≤ 10-05: on time;
                   10-03 → due 11-02, next touch 11-10 > 11-02: late;
                   11-10 → due 12-10: after as_of, not yet counted.
    Бета touches:  07-20 → due 10-18, next touch none and 10-18 < as_of: late.
    A planned (not done) touch counts for nothing. Due 3, on time 1 → 33.3%.
    """
    CompanyAnalysis.objects.filter(company=world["alpha"]).update(category="A")
    CompanyAnalysis.objects.filter(company=world["beta"]).update(category="B")
    CompanyAnalysis.objects.filter(company=world["gamma"]).update(category="C")
    for day in (dt.date(2026, 9, 5), dt.date(2026, 10, 3), dt.date(2026, 11, 10)):
        ActivityFactory(company=world["alpha"], date=day, state=State.DONE, kind=Kind.CALL)
    ActivityFactory(company=world["beta"], date=dt.date(2026, 7, 20), state=State.DONE)
    ActivityFactory(company=world["beta"], date=dt.date(2026, 10, 10), state=State.PLANNED)
    goal = _goal(Metric.CONTACTS_ON_TIME, seller=seller_alice)
    counted = g.contacts_on_time(goal, first=goal.start, last=TODAY, as_of=TODAY)
    assert (counted.due, counted.on_time) == (3, 1)
    assert g.metric_value(goal, as_of=TODAY) == 33.3


def test_won_deals_count_and_value(world, seller_alice, seller_erin, team_north):
    """Won in the period: Alice 2 deals (100 000 + 40 000 ₽); one won 2026-09-30 is before the
    period, one lost does not count. Erin 1 won (10 000 ₽): the team has 3 and 150 000 ₽."""
    a = world["alpha"]
    DealFactory(company=a, stage=Stage.WON, amount_minor=100_000_00, closed_on=dt.date(2026, 10, 20))
    DealFactory(company=a, stage=Stage.WON, amount_minor=40_000_00, closed_on=dt.date(2026, 11, 24))
    DealFactory(company=a, stage=Stage.WON, amount_minor=999_00, closed_on=dt.date(2026, 9, 30))
    DealFactory(company=a, stage=Stage.LOST, amount_minor=999_00, closed_on=dt.date(2026, 10, 21))
    DealFactory(
        company=world["delta"], stage=Stage.WON, amount_minor=10_000_00, closed_on=dt.date(2026, 11, 1)
    )
    assert g.metric_value(_goal(Metric.WON_DEALS, seller=seller_alice), as_of=TODAY) == 2
    assert g.metric_value(_goal(Metric.WON_VALUE, seller=seller_alice), as_of=TODAY) == 140_000_00
    assert g.metric_value(_goal(Metric.WON_DEALS, team=team_north), as_of=TODAY) == 3
    assert g.metric_value(_goal(Metric.WON_VALUE, team=team_north), as_of=TODAY) == 150_000_00


@pytest.mark.parametrize(
    ("value", "today", "state", "expected"),
    [
        # Start 01-01, deadline 04-11 (100 days), baseline 0, target 100.
        (30.0, dt.date(2026, 1, 21), g.ON_TRACK, 0.2),  # 30% of the way, 20% of the time
        (10.0, dt.date(2026, 1, 21), g.BEHIND, 0.2),
        (100.0, dt.date(2026, 2, 1), g.ACHIEVED, 0.31),
        (99.0, dt.date(2026, 4, 12), g.MISSED, 1.0),
        (0.0, dt.date(2025, 12, 1), g.NOT_STARTED, 0.0),
    ],
)
def test_progress_states(value, today, state, expected):
    p = g.progress_of(
        baseline=0,
        target=100,
        value=value,
        start=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 4, 11),
        today=today,
    )
    assert (p.state, round(p.expected, 2), p.share) == (state, expected, value / 100)


def test_progress_works_for_a_target_below_the_baseline():
    """Baseline 10, target 4 (fewer of something), value 7: (7−10)/(4−10) = 50% of the way."""
    p = g.progress_of(
        baseline=10,
        target=4,
        value=7,
        start=dt.date(2026, 1, 1),
        deadline=dt.date(2026, 1, 11),
        today=dt.date(2026, 1, 6),
    )
    assert (p.share, p.expected, p.state) == (0.5, 0.5, g.ON_TRACK)


def _fields(**kw):
    base = {
        "specific": "Выручка Алисы за IV квартал — 100 000 ₽",
        "target": 100_000_00,
        "start": dt.date(2026, 10, 1),
        "deadline": dt.date(2026, 12, 31),
        "relevance": "План отдела",
        "achievability": "Прошлый квартал — 80 000 ₽",
    }
    return GoalFields(**{**base, **kw})


def test_goal_create_measures_the_baseline_and_leaves_an_audit_row(world, manager_bob, seller_alice):
    goal = goal_create(
        actor=manager_bob, metric=Metric.REVENUE, fields=_fields(), today=TODAY, seller=seller_alice
    )
    assert (goal.baseline, goal.target, goal.created_by) == (65_000_00, 100_000_00, manager_bob)
    assert AuditEntry.objects.filter(action="goal_create", object_id=str(goal.pk)).count() == 1
    # Set on 25 Nov with 65 000 already in: the pace runs from 25 Nov (not 1 Oct) to 31 Dec,
    # so on the day it is set it is on track (0% of the way, 0% of the time).
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        p = g.goal_progress(goal, today=TODAY)
    assert (p.value, p.share, p.expected, p.state) == (65_000_00, 0.0, 0.0, g.ON_TRACK)
    # 12 Dec: 17 of 36 days gone (47%); a sale of 10 000 makes 75 000 = 29% of the way → behind.
    _sale(world["gamma"], dt.date(2026, 12, 5), 10_000, "Г-2")
    p = g.goal_progress(goal, today=dt.date(2026, 12, 12))
    assert (p.value, round(p.share, 4), round(p.expected, 4), p.state) == (
        75_000_00,
        0.2857,
        0.4722,
        g.BEHIND,
    )
    # 30 000 more by 20 Dec: 105 000 ≥ 100 000 → achieved before the deadline.
    _sale(world["gamma"], dt.date(2026, 12, 20), 30_000, "Г-3")
    assert g.goal_progress(goal, today=dt.date(2026, 12, 20)).state == g.ACHIEVED


@pytest.mark.parametrize(
    ("fields", "metric", "message"),
    [
        (_fields(deadline=dt.date(2026, 10, 1)), Metric.REVENUE, GOAL_DEADLINE_BEFORE_START),
        (_fields(specific="  "), Metric.REVENUE, GOAL_NEEDS_WORDING),
        (_fields(target=120), Metric.CONTACTS_ON_TIME, GOAL_PERCENT_RANGE),
        (
            _fields(target=50_000_00),
            Metric.REVENUE,
            "Выручка, новые клиенты и выигранные сделки за период только растут: цель должна быть больше "
            "исходного значения (65\u00a0000\u00a0₽)",
        ),
        (
            _fields(target=65_000_00),
            Metric.REVENUE,
            "Цель должна отличаться от исходного значения (65\u00a0000\u00a0₽)",
        ),
    ],
)
def test_goal_create_validation(world, seller_alice, fields, metric, message):
    with pytest.raises(ValidationError) as exc:
        goal_create(actor=seller_alice, metric=metric, fields=fields, today=TODAY, seller=seller_alice)
    assert exc.value.messages == [str(message)]
    assert Goal.objects.count() == 0


def test_who_may_set_goals(
    world, seller_alice, seller_erin, manager_bob, seller_charlie, admin_dana, team_north
):
    ok = {"actor": seller_alice, "metric": Metric.REVENUE, "fields": _fields(), "today": TODAY}
    goal_create(**ok, seller=seller_alice)  # a seller: their own
    for actor, kwargs in [
        (seller_alice, {"seller": seller_erin}),  # not a colleague's
        (seller_alice, {"team": team_north}),  # nor the team's
        (manager_bob, {"seller": seller_charlie}),  # a manager: not another team's seller
    ]:
        with pytest.raises(PermissionDenied):
            goal_create(**{**ok, "actor": actor}, **kwargs)
    goal_create(**{**ok, "actor": manager_bob}, team=team_north)
    goal_create(**{**ok, "actor": manager_bob}, seller=seller_erin)
    goal_create(**{**ok, "actor": admin_dana}, seller=seller_charlie)
    assert Goal.objects.count() == 4


def test_update_and_close(world, seller_alice, seller_erin):
    goal = goal_create(
        actor=seller_alice,
        metric=Metric.NEW_CLIENTS,
        fields=_fields(target=3),
        today=TODAY,
        seller=seller_alice,
    )
    assert goal.baseline == 1
    with pytest.raises(PermissionDenied):
        goal_update(actor=seller_erin, goal=goal, fields=_fields(target=5))
    goal = goal_update(actor=seller_alice, goal=goal, fields=_fields(target=2))
    assert goal.target == 2
    CompanyFactory(owner=seller_alice)  # a company that never bought is no new client
    c = CompanyFactory(owner=seller_alice)
    _sale(c, dt.date(2026, 11, 20), 1_000, "Н-1")
    goal = goal_close(actor=seller_alice, goal=goal, today=TODAY)
    assert (goal.final_value, goal.final_state, goal.closed_on) == (2, g.ACHIEVED, TODAY)
    with pytest.raises(ValidationError) as exc:
        goal_update(actor=seller_alice, goal=goal, fields=_fields(target=4))
    assert exc.value.messages == [str(GOAL_CLOSED)]
    assert list(
        AuditEntry.objects.filter(object_id=str(goal.pk), object_type="planning.goal")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["goal_create", "goal_update", "goal_close"]


def test_goal_scope(
    world, seller_alice, seller_erin, manager_bob, seller_charlie, admin_dana, team_north, team_south
):
    mk = {"metric": Metric.REVENUE, "fields": _fields(), "today": TODAY}
    alice = goal_create(actor=seller_alice, seller=seller_alice, **mk)
    erin = goal_create(actor=seller_erin, seller=seller_erin, **mk)
    north = goal_create(actor=manager_bob, team=team_north, **mk)
    charlie = goal_create(actor=seller_charlie, seller=seller_charlie, **mk)
    south = goal_create(actor=admin_dana, team=team_south, **mk)
    seen = {
        who: set(Goal.objects.visible_to(u).values_list("pk", flat=True))
        for who, u in [
            ("alice", seller_alice),
            ("bob", manager_bob),
            ("charlie", seller_charlie),
            ("dana", admin_dana),
        ]
    }
    assert seen == {
        "alice": {alice.pk, north.pk},
        "bob": {alice.pk, erin.pk, north.pk},
        "charlie": {charlie.pk, south.pk},
        "dana": {alice.pk, erin.pk, north.pk, charlie.pk, south.pk},
    }


def test_goal_pages(client, world, seller_alice, manager_bob, seller_charlie):
    client.force_login(manager_bob)
    response = client.post(
        reverse("planning:goal_new"),
        {
            "subject": f"u{seller_alice.pk}",
            "metric": "revenue",
            "specific": "Выручка за IV квартал",
            "target": "10000000",
            "start": "2026-10-01",
            "deadline": "2026-12-31",
        },
    )
    goal = Goal.objects.get()
    assert goal.target == 10_000_000_00  # typed in roubles, kept in kopecks
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:goal", kwargs={"pk": goal.pk}
    )
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        html = client.get(reverse("planning:goal", kwargs={"pk": goal.pk})).content.decode()
        assert "goal-chart" in html and str(g.METRIC_DEFINITIONS[Metric.REVENUE])[:40] in html
        listing = client.get(reverse("planning:goals")).content.decode()
        assert "Выручка за IV квартал" in listing
    # Charlie (another team): the goal answers 404 and a change writes nothing.
    client.force_login(seller_charlie)
    before = list(Goal.objects.values())
    assert client.get(reverse("planning:goal", kwargs={"pk": goal.pk})).status_code == 404
    assert (
        client.post(reverse("planning:goal", kwargs={"pk": goal.pk}), {"specific": "Взлом"}).status_code
        == 404
    )
    assert client.post(reverse("planning:goal_close", kwargs={"pk": goal.pk})).status_code == 404
    assert list(Goal.objects.values()) == before
    # Charlie cannot pick Alice as the subject: she is not among his choices.
    response = client.post(
        reverse("planning:goal_new"), {"subject": f"u{seller_alice.pk}", "metric": "revenue"}
    )
    assert response.status_code == 400 and Goal.objects.count() == 1


def test_goal_pages_speak_english_and_pin_their_queries(
    client, world, seller_alice, manager_bob, django_assert_num_queries
):
    """Two goals on the list: the page's queries do not depend on the number of companies."""
    for metric, target in ((Metric.REVENUE, 100_000_00), (Metric.NEW_CLIENTS, 3)):
        goal_create(
            actor=manager_bob, metric=metric, fields=_fields(target=target), today=TODAY, seller=seller_alice
        )
    client.force_login(manager_bob)
    client.cookies["django_language"] = "en"
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        html = client.get(reverse("planning:goals"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "SMART goals" in html and "Revenue in the period" in html and "New clients" in html
        goal = Goal.objects.get(metric=Metric.REVENUE)
        html = client.get(
            reverse("planning:goal", kwargs={"pk": goal.pk}), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert "How it is computed" in html and "Sales (net of returns)" in html
        for _ in range(3):
            CompanyFactory(owner=seller_alice)
        with django_assert_num_queries(QUERIES_GOAL_LIST):
            client.get(reverse("planning:goals"))


# Session, user, the layout's analysis-staleness check (2), the goals, and one query for each
# goal's metric (revenue: one aggregate; new clients: one count).
QUERIES_GOAL_LIST = 7
