"""Market plans (seed 001): the quarterly review date, the review log, who changes a plan.
Best-practice groups (seed 004): clustering a hand-made set of sellers, and the group page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clientfocus.accounts.models import AuditEntry, Role
from clientfocus.core.testing.factories import CompanyFactory, DealFactory, UserFactory
from clientfocus.deals.models import Stage
from clientfocus.planning.groups import (
    SellerFigures,
    best_practice_groups,
    cluster_mixes,
    mark_best,
    shared_industries,
)
from clientfocus.planning.models import MarketPlan, MarketPlanReview
from clientfocus.planning.selectors import market_plan_status
from clientfocus.planning.services import (
    MARKET_PLAN_PERIOD,
    MarketPlanFields,
    market_plan_save,
    next_quarter_start,
)
from clientfocus.portfolio.models import CompanyAnalysis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 10, 5), dt.date(2027, 1, 1)),
        (dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 1)),
        (dt.date(2026, 4, 1), dt.date(2026, 7, 1)),
        (dt.date(2026, 9, 30), dt.date(2026, 10, 1)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
    ],
)
def test_next_quarter_start(day, expected):
    assert next_quarter_start(day) == expected


def _fields(**kw):
    base = {
        "period_start": dt.date(2026, 10, 1),
        "period_end": dt.date(2027, 9, 30),
        "where": "Новосибирск и Томск",
        "whom": "Строительные компании 50–500 человек",
        "target_industries": "Строительство",
    }
    return MarketPlanFields(**{**base, **kw})


def test_review_log_and_overdue(manager_bob, seller_alice, seller_erin, team_north):
    plan = market_plan_save(
        actor=manager_bob,
        team=team_north,
        fields=_fields(seller_ids=(seller_alice.pk,)),
        today=dt.date(2026, 10, 5),
    )
    first = MarketPlanReview.objects.get(plan=plan)
    assert (first.date, first.by, "where" in first.changed, "sellers" in first.changed) == (
        dt.date(2026, 10, 5),
        manager_bob,
        True,
        True,
    )
    # Reviewed 5 Oct: due 1 Jan; on 1 Jan not yet overdue, on 2 Jan overdue.
    assert market_plan_status(plan, today=dt.date(2027, 1, 1)) == (dt.date(2027, 1, 1), False)
    assert market_plan_status(plan, today=dt.date(2027, 1, 2)) == (dt.date(2027, 1, 1), True)
    plan = market_plan_save(
        actor=manager_bob,
        team=team_north,
        fields=_fields(where="Новосибирск, Томск и Омск", seller_ids=(seller_alice.pk, seller_erin.pk)),
        today=dt.date(2027, 1, 10),
        note="Омск: открываем представительство",
    )
    latest = MarketPlanReview.objects.filter(plan=plan).first()
    assert (latest.changed, latest.note) == (["where", "sellers"], "Омск: открываем представительство")
    assert latest.changed_labels == ["Где ищем: территории", "менеджеры"]
    assert market_plan_status(plan, today=dt.date(2027, 3, 31)) == (dt.date(2027, 4, 1), False)
    assert AuditEntry.objects.filter(action__startswith="market_plan_").count() == 2


def test_who_changes_a_market_plan(manager_bob, seller_alice, seller_charlie, team_north, team_south):
    for actor, team in [(seller_alice, team_north), (manager_bob, team_south)]:
        with pytest.raises(PermissionDenied):
            market_plan_save(actor=actor, team=team, fields=_fields(), today=dt.date(2026, 10, 5))
    with pytest.raises(ValidationError) as exc:
        market_plan_save(
            actor=manager_bob,
            team=team_north,
            fields=_fields(period_end=dt.date(2026, 9, 1)),
            today=dt.date(2026, 10, 5),
        )
    assert exc.value.messages == [str(MARKET_PLAN_PERIOD)]
    with pytest.raises(ValidationError) as exc:
        market_plan_save(
            actor=manager_bob,
            team=team_north,
            fields=_fields(seller_ids=(seller_charlie.pk,)),
            today=dt.date(2026, 10, 5),
        )
    assert exc.value.messages == ["Менеджер «Кирилл Чернов» не из этой команды"]
    assert MarketPlan.objects.count() == 0 and MarketPlanReview.objects.count() == 0


def test_market_plan_page_records_a_review(client, manager_bob, seller_alice, team_north):
    client.force_login(manager_bob)
    url = reverse("planning:market_plan", kwargs={"pk": team_north.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "period_start": "2026-10-01",
            "period_end": "2027-09-30",
            "where": "Новосибирск",
            "sellers": [str(seller_alice.pk)],
            "note": "Первый план",
        },
    )
    assert response.status_code == 302
    review = MarketPlanReview.objects.get()
    assert (review.note, review.by) == ("Первый план", manager_bob)
    client.force_login(seller_alice)
    html = client.get(url).content.decode()
    assert "Первый план" in html and 'data-testid="market-plan-form"' not in html


# --- best-practice groups ------------------------------------------------------------------------

MIXES = {
    # Shares of each seller's companies by industry.
    1: {"Оптовая торговля": 0.5, "Строительство": 0.5},
    2: {"Оптовая торговля": 0.6, "Строительство": 0.4},
    3: {"Оптовая торговля": 0.4, "Строительство": 0.5, "Медицина": 0.1},
    4: {"Медицина": 0.8, "Образование": 0.2},
    5: {"Медицина": 1.0},
    6: {},
}


def test_sellers_cluster_by_their_client_industry_mix():
    """Cosine similarities: 1–2 0.98, 1–3 0.98, 1–4 0, 4–5 0.97, 3–4 0.11. At similarity ≥ 0.6
    (average linkage) sellers 1, 2, 3 form a group and 4, 5 another; 6 has no industries."""
    assert cluster_mixes(MIXES) == [[1, 2, 3], [4, 5]]
    # Group {1,2,3}: Оптовая торговля 0.5, Строительство 0.467, Медицина 0.033 (the two largest).
    assert shared_industries(MIXES, [1, 2, 3]) == ["Оптовая торговля", "Строительство"]
    # Group {4,5}: Медицина 0.9, Образование 0.1 (just at the 0.1 floor).
    assert shared_industries(MIXES, [4, 5]) == ["Медицина", "Образование"]
    assert shared_industries({7: {"Медицина": 0.95, "Образование": 0.05}}, [7]) == ["Медицина"]


def test_the_best_of_each_column_is_marked():
    a = SellerFigures(
        user=None, revenue_12m=900, clients=3, a_clients=2, a_red=2, overdue=4, alerts=0, won_deals=1
    )
    b = SellerFigures(
        user=None, revenue_12m=500, clients=5, a_clients=2, a_red=1, overdue=1, alerts=0, won_deals=1
    )
    mark_best([a, b])
    # Revenue per client: a 300, b 100. Alerts and won deals tie: nobody is marked.
    assert a.best == {"revenue_12m", "a_red", "revenue_per_client"}
    assert b.best == {"clients", "overdue"}


def test_group_page_and_who_sees_which_group(
    client, seller_alice, seller_erin, manager_bob, seller_charlie, team_north, django_assert_num_queries
):
    """Alice and Erin serve builders and wholesalers; Vera (same team) serves clinics only."""
    from clientfocus.portfolio.services import analysis_recompute
    from clientfocus.sales.services import sale_create

    vera = UserFactory(
        username="vera", role=Role.SELLER, team=team_north, first_name="Вера", last_name="Морозова"
    )
    made = []
    for owner, industries in [
        (seller_alice, ["Строительство", "Оптовая торговля"]),
        (seller_erin, ["Строительство", "Оптовая торговля", "Строительство"]),
        (vera, ["Медицина", "Медицина"]),
        (seller_charlie, ["Строительство"]),
    ]:
        for i, industry in enumerate(industries):
            c = CompanyFactory(owner=owner, industry=industry)
            sale_create(
                actor=None,
                company=c,
                date=dt.date(2026, 10, 1),
                invoice=f"{owner.username}-{i}",
                line_no=1,
                amount_minor=(i + 1) * 10_000_00,
                margin_minor=None,
            )
            made.append(c)
    DealFactory(company=made[0], stage=Stage.WON, closed_on=dt.date(2026, 11, 1))
    analysis_recompute(actor=None, as_of=dt.date(2026, 11, 25))
    CompanyAnalysis.objects.filter(company__owner=seller_alice).update(overdue=True)
    groups = best_practice_groups(user=manager_bob, as_of=dt.date(2026, 11, 25))
    assert [[m.user.username for m in g.members] for g in groups] == [["erin", "alice"], ["vera"]]
    erin, alice = groups[0].members
    # Alice: 10 000 + 20 000 ₽ over 2 clients; Erin: 10 000 + 20 000 + 30 000 ₽ over 3.
    assert (alice.revenue_12m, alice.clients, alice.overdue, alice.won_deals) == (30_000_00, 2, 2, 1)
    assert (erin.revenue_12m, erin.clients, erin.overdue, erin.won_deals) == (60_000_00, 3, 0, 0)
    assert groups[0].shared == ["Строительство", "Оптовая торговля"]
    assert {"revenue_12m", "clients", "overdue"} <= erin.best and "won_deals" in alice.best
    # A seller sees only their own group; another team's seller not Alice's.
    assert [
        [m.user.username for m in g.members]
        for g in best_practice_groups(user=seller_alice, as_of=dt.date(2026, 11, 25))
    ] == [["erin", "alice"]]
    assert [
        [m.user.username for m in g.members]
        for g in best_practice_groups(user=seller_charlie, as_of=dt.date(2026, 11, 25))
    ] == [["charlie"]]
    client.force_login(seller_charlie)
    html = client.get(reverse("planning:groups")).content.decode()
    assert "Смирнова" not in html and "Чернов" in html
    client.force_login(manager_bob)
    html = client.get(reverse("planning:groups")).content.decode()
    assert "Строительство, Оптовая торговля" in html and html.count('data-testid="group"') == 2
    # More companies, the same number of queries (the selector makes five whatever the team's size).
    CompanyFactory(owner=seller_erin, industry="Строительство")
    with django_assert_num_queries(7):
        client.get(reverse("planning:groups"))


def test_the_team_page_flags_an_overdue_review(client, manager_bob, team_north):
    """Reviewed 5 Oct 2026: due 1 Jan 2027; on 2 Jan the team page says it is overdue."""
    import time_machine

    market_plan_save(actor=manager_bob, team=team_north, fields=_fields(), today=dt.date(2026, 10, 5))
    with time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)):
        client.force_login(manager_bob)  # a session made at the pinned time
        html = client.get(reverse("portfolio:team")).content.decode()
        assert "пересмотр до 01.01.2027" in html and "market-plan-overdue" not in html
    with time_machine.travel(dt.datetime(2027, 1, 2, 12, tzinfo=dt.UTC)):
        client.force_login(manager_bob)
        html = client.get(reverse("portfolio:team")).content.decode()
        assert "пересмотр просрочен (был нужен 01.01.2027)" in html
        page = client.get(reverse("planning:market_plan", kwargs={"pk": team_north.pk})).content.decode()
        assert 'data-testid="market-plan-overdue"' in page
