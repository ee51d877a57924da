"""The pipeline board, the deal page and the funnel controls, through HTTP with the named cast."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientfocus.accounts.models import AuditEntry
from clientfocus.companies.models import Status
from clientfocus.core.testing.factories import CompanyFactory, DealFactory
from clientfocus.deals.models import Deal, DealStageChange, Stage
from clientfocus.deals.services import DEAL_BACKWARDS, DealFields, deal_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_deals(seller_alice):
    company = CompanyFactory(name="ООО «Ромашка»", owner=seller_alice, status=Status.PROSPECT)
    today = timezone.localdate()
    made = {}
    for stage, title in [
        (Stage.PROSPECTING, "Кабель"),
        (Stage.PRESENTATION, "Щиты"),
        (Stage.CLOSING, "Монтаж"),
    ]:
        made[stage] = deal_create(
            actor=seller_alice,
            company=company,
            fields=DealFields(title=title, amount_minor=100_000_00),
            today=today - dt.timedelta(days=10),
            stage=stage,
        )
    return company, made


def test_it_hides_other_sellers_deals(client, cast):
    client.force_login(cast["users"]["alice"])
    html = client.get(reverse("deals:board")).content.decode()
    assert "ООО «Ромашка»" in html
    assert "ООО «Южный ветер»" not in html and "АО «Северный кабель»" not in html
    charlie_deal = cast["portfolios"]["charlie"].deal
    assert client.get(reverse("deals:detail", args=[charlie_deal.pk])).status_code == 404
    charlie_company = cast["portfolios"]["charlie"].company
    assert client.get(reverse("deals:create", args=[charlie_company.pk])).status_code == 404


def test_the_board_has_a_column_per_stage_and_pins_its_queries(
    client, seller_alice, alice_deals, django_assert_num_queries
):
    client.force_login(seller_alice)
    _company, deals = alice_deals
    with django_assert_num_queries(20):
        response = client.get(reverse("deals:board"))
    html = response.content.decode()
    for stage in Stage:
        assert f'data-testid="column-{stage.value}"' in html
    assert 'data-testid="count-PRESENTATION">1<' in html
    # Open deals are draggable, with the plain button fallback to the next stage.
    assert f'data-testid="advance-{deals[Stage.CLOSING].pk}"' in html and "→ Выиграна" in html
    # Twenty more deals do not add queries (one query per column, not per card).
    for i in range(20):
        DealFactory(company=_company, owner=seller_alice, title=f"Ещё {i}", stage=Stage.PROOF)
    with django_assert_num_queries(20):
        client.get(reverse("deals:board"))


def test_dragging_a_card_forward_is_an_htmx_post_that_returns_the_board(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    deal = alice_deals[1][Stage.PROSPECTING]
    response = client.post(
        reverse("deals:advance", args=[deal.pk]), {"stage": "NEEDS_ANALYSIS"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board"' in html and "<html" not in html
    deal.refresh_from_db()
    assert deal.stage == Stage.NEEDS_ANALYSIS
    assert DealStageChange.objects.filter(deal=deal).last().to_stage == "NEEDS_ANALYSIS"


def test_a_backward_drop_shows_the_error_and_changes_nothing(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    deal = alice_deals[1][Stage.CLOSING]
    before = (list(Deal.objects.values()), DealStageChange.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("deals:advance", args=[deal.pk]), {"stage": "QUALIFYING"}, headers={"HX-Request": "true"}
    )
    expected = str(DEAL_BACKWARDS) % {"current": "Закрытие", "target": "Квалификация"}
    assert expected in response.content.decode()
    assert (
        list(Deal.objects.values()),
        DealStageChange.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_the_button_fallback_redirects_back_to_the_board(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    deal = alice_deals[1][Stage.PRESENTATION]
    response = client.post(reverse("deals:advance", args=[deal.pk]), {"stage": "LOST", "next": "/deals/"})
    assert response.status_code == 302 and response["Location"] == "/deals/"
    # Never an open redirect.
    other = alice_deals[1][Stage.PROSPECTING]
    response = client.post(
        reverse("deals:advance", args=[other.pk]), {"stage": "LOST", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("deals:detail", args=[other.pk])
    assert Deal.objects.filter(stage=Stage.LOST).count() == 2


def test_the_deal_page_shows_history_and_the_win_win_flag(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    deal = alice_deals[1][Stage.PRESENTATION]
    response = client.post(
        reverse("deals:update", args=[deal.pk]),
        {
            "title": "Щиты",
            "amount": "2500000.50",
            "need_type": "image",
            "client_gain": "Имидж",
            "client_wins": "yes",
            "our_gain": "Ничего: работа в убыток",
            "we_win": "no",
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.amount_minor, deal.need_type, deal.client_wins, deal.we_win) == (
        250_000_050,
        "image",
        True,
        False,
    )
    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert 'data-testid="consider-declining"' in html
    assert "Презентация" in html and 'data-testid="deal-history"' in html


def test_a_new_deal_from_the_company_card(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    company = alice_deals[0]
    assert client.get(reverse("deals:create", args=[company.pk])).status_code == 200
    response = client.post(reverse("deals:create", args=[company.pk]), {"title": "Новая", "amount": "10"})
    deal = Deal.objects.get(title="Новая")
    assert response["Location"] == reverse("deals:detail", args=[deal.pk])
    assert (deal.stage, deal.amount_minor, deal.company) == (Stage.PROSPECTING, 1000, company)
    card = client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    assert reverse("deals:detail", args=[deal.pk]) in card and 'data-testid="company-funnel"' in card


def test_status_and_liquidation_from_the_company_card(client, seller_alice, alice_deals):
    client.force_login(seller_alice)
    company = alice_deals[0]
    response = client.post(
        reverse("deals:company_status", args=[company.pk]), {"status": "SUSPECT"}, follow=True
    )
    assert "Статус меняется только вперёд: из «Потенциальный клиент» нельзя перейти в «Подозреваемый»" in (
        response.content.decode()
    )
    client.post(reverse("deals:company_status", args=[company.pk]), {"status": "CLIENT"})
    company.refresh_from_db()
    assert company.status == Status.CLIENT
    today = timezone.localdate()
    client.post(reverse("deals:company_liquidate", args=[company.pk]), {"on": today.isoformat()})
    company.refresh_from_db()
    assert company.liquidated and company.liquidated_on == today
    assert not Deal.objects.filter(company=company).exclude(stage=Stage.LOST).exists()
