"""The rules of deals and of the status funnel, through their services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientfocus.accounts.models import AuditEntry
from clientfocus.companies.models import Company, Contact, Status
from clientfocus.companies.services import (
    ALREADY_LIQUIDATED,
    COMPANY_IS_LIQUIDATED,
    LIQUIDATED_IN_FUTURE,
    STATUS_BACKWARDS,
    STATUS_BELOW_CLIENT,
    company_liquidate,
    company_set_status,
)
from clientfocus.core.testing.factories import CompanyFactory, ContactFactory
from clientfocus.deals.models import OPEN_STAGES, Deal, DealStageChange, Stage
from clientfocus.deals.selectors import deal_history, stage_figures
from clientfocus.deals.services import (
    DEAL_BACKWARDS,
    DEAL_CHANGE_BEFORE_LAST,
    DEAL_COMPANY_LIQUIDATED,
    DEAL_IS_CLOSED,
    DEAL_SAME_STAGE,
    DEAL_START_CLOSED,
    DealFields,
    deal_advance,
    deal_create,
    deal_update,
)
from clientfocus.sales.services import sale_create

pytestmark = pytest.mark.django_db
D1 = dt.date(2026, 10, 1)


@pytest.fixture
def company(seller_alice):
    return CompanyFactory(name="ООО «Ромашка»", owner=seller_alice, status=Status.PROSPECT)


@pytest.fixture
def deal(seller_alice, company):
    return deal_create(
        actor=seller_alice, company=company, fields=DealFields(title="Кабель на 2027"), today=D1
    )


def _msg(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.messages[0]


def test_a_new_deal_starts_prospecting_with_its_first_history_row(deal, seller_alice):
    assert deal.stage == Stage.PROSPECTING and deal.created_on == D1 and deal.owner == seller_alice
    assert list(
        DealStageChange.objects.filter(deal=deal).values_list("from_stage", "to_stage", "changed_on")
    ) == [("", "PROSPECTING", D1)]
    assert AuditEntry.objects.filter(action="deal_create", object_id=str(deal.pk)).count() == 1


def test_a_deal_moves_forward_and_may_skip_a_stage(deal, seller_alice):
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.QUALIFYING, on=dt.date(2026, 10, 5))
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.PRESENTATION, on=dt.date(2026, 10, 12))
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.WON, on=dt.date(2026, 11, 2))
    deal.refresh_from_db()
    assert deal.stage == Stage.WON and deal.closed_on == dt.date(2026, 11, 2)
    rows = deal_history(user=seller_alice, deal=deal, as_of=dt.date(2026, 11, 20))
    assert [(r.stay.stage, r.stay.entered_on, r.stay.left_on, r.days) for r in rows] == [
        ("PROSPECTING", D1, dt.date(2026, 10, 5), 4),
        ("QUALIFYING", dt.date(2026, 10, 5), dt.date(2026, 10, 12), 7),
        ("PRESENTATION", dt.date(2026, 10, 12), dt.date(2026, 11, 2), 21),
        ("WON", dt.date(2026, 11, 2), None, None),
    ]
    assert rows[1].label == "Квалификация"


def test_a_deal_never_moves_back_and_the_error_says_why(deal, seller_alice):
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.PROOF, on=D1)
    with pytest.raises(ValidationError) as exc:
        deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.QUALIFYING, on=D1)
    assert _msg(exc) == "Этапы идут только вперёд: из «Доказательство» нельзя вернуться в «Квалификация»"
    assert _msg(exc) == str(DEAL_BACKWARDS) % {"current": "Доказательство", "target": "Квалификация"}
    with pytest.raises(ValidationError) as exc:
        deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.PROOF, on=D1)
    assert _msg(exc) == str(DEAL_SAME_STAGE) % {"stage": "Доказательство"}
    deal.refresh_from_db()
    assert deal.stage == Stage.PROOF
    assert DealStageChange.objects.filter(deal=deal).count() == 2


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_lost_follows_any_open_stage(seller_alice, company, stage):
    deal = deal_create(
        actor=seller_alice, company=company, fields=DealFields(title="Сделка"), today=D1, stage=stage
    )
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.LOST, on=D1, note="Выбрали конкурента")
    deal.refresh_from_db()
    assert deal.stage == Stage.LOST and deal.closed_on == D1
    last = DealStageChange.objects.filter(deal=deal).last()
    assert (last.from_stage, last.to_stage, last.note) == (stage, "LOST", "Выбрали конкурента")


@pytest.mark.parametrize(
    ("final", "target"), [(Stage.WON, Stage.LOST), (Stage.LOST, Stage.WON), (Stage.LOST, Stage.CLOSING)]
)
def test_won_and_lost_are_final(deal, seller_alice, final, target):
    deal_advance(actor=seller_alice, deal=deal, to_stage=final, on=D1)
    with pytest.raises(ValidationError) as exc:
        deal_advance(actor=seller_alice, deal=deal, to_stage=target, on=D1)
    assert _msg(exc) == str(DEAL_IS_CLOSED) % {"stage": final.label}


def test_a_change_cannot_be_dated_before_the_previous_one(deal, seller_alice):
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.QUALIFYING, on=dt.date(2026, 10, 10))
    with pytest.raises(ValidationError) as exc:
        deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.PROOF, on=dt.date(2026, 10, 9))
    assert _msg(exc) == str(DEAL_CHANGE_BEFORE_LAST) % {"date": "09.10.2026", "last": "10.10.2026"}


def test_a_deal_cannot_start_closed(seller_alice, company):
    with pytest.raises(ValidationError) as exc:
        deal_create(
            actor=seller_alice, company=company, fields=DealFields(title="x"), today=D1, stage=Stage.WON
        )
    assert _msg(exc) == str(DEAL_START_CLOSED)


def test_nobody_moves_or_opens_deals_on_companies_they_cannot_see(deal, seller_charlie, company):
    before = (list(Deal.objects.values()), DealStageChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        deal_advance(actor=seller_charlie, deal=deal, to_stage=Stage.QUALIFYING, on=D1)
    with pytest.raises(PermissionDenied):
        deal_update(actor=seller_charlie, deal=deal, fields=DealFields(title="Взлом"))
    with pytest.raises(PermissionDenied):
        deal_create(actor=seller_charlie, company=company, fields=DealFields(title="Взлом"), today=D1)
    assert (
        list(Deal.objects.values()),
        DealStageChange.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_manager_moves_a_deal_of_his_team(deal, manager_bob):
    deal_advance(actor=manager_bob, deal=deal, to_stage=Stage.QUALIFYING, on=D1)
    assert DealStageChange.objects.filter(deal=deal).last().actor == manager_bob


@pytest.mark.parametrize(
    ("client_wins", "we_win", "win_win", "checked", "decline"),
    [
        (True, True, True, True, False),
        (True, False, False, True, True),
        (False, True, False, True, True),
        (False, False, False, True, True),
        (None, True, False, False, False),
        (None, None, False, False, False),
        (None, False, False, False, True),
    ],
)
def test_the_win_win_check_flags_deals_to_consider_declining(
    deal, seller_alice, client_wins, we_win, win_win, checked, decline
):
    """Seed 000: close deals in the win-win quadrant; where a side loses, consider declining."""
    fields = DealFields(
        title="Кабель на 2027",
        amount_minor=1_500_000_00,
        need_type="costs_down",
        client_gain="Снижение затрат на монтаж на 12%",
        our_gain="Маржа 22%, выход на их филиалы",
        client_wins=client_wins,
        we_win=we_win,
    )
    deal = deal_update(actor=seller_alice, deal=deal, fields=fields)
    deal.refresh_from_db()
    assert (deal.win_win, deal.win_win_checked, deal.consider_declining) == (win_win, checked, decline)
    assert deal.amount_minor == 1_500_000_00 and deal.need_type == "costs_down"


def test_stage_figures_worked_by_hand():
    """Four deals, all opened 1 Oct (changes by date):

    1: PROSPECTING 1.10 → QUALIFYING 11.10 → NEEDS_ANALYSIS 21.10 → WON 31.10
    2: PROSPECTING 1.10 → QUALIFYING 5.10 → LOST 6.10
    3: PROSPECTING 1.10 → LOST 3.10
    4: PROSPECTING 1.10 → QUALIFYING 21.10 (still there)

    PROSPECTING: passed 1, 2, 4 (3), lost 3 (1) → conversion 3/4; stays 10, 4, 2, 20 → mean 9.
    QUALIFYING: passed 1 (1), lost 2 (1), 4 still there → 1/2; finished stays 10, 1 → mean 5.5.
    NEEDS_ANALYSIS: passed 1 → 1/1 (the jump to WON passes PRESENTATION..CLOSING too); 10 days.
    PRESENTATION: passed 1, nobody stayed → conversion 1/1, no mean.
    """

    class Ch:
        def __init__(self, stage: str, day: int) -> None:
            self.to_stage, self.changed_on, self.note, self.actor = stage, dt.date(2026, 10, day), "", None

    deals = [
        (1, "WON", D1, dt.date(2026, 10, 31)),
        (2, "LOST", D1, dt.date(2026, 10, 6)),
        (3, "LOST", D1, dt.date(2026, 10, 3)),
        (4, "QUALIFYING", D1, None),
    ]
    changes = {
        1: [Ch("PROSPECTING", 1), Ch("QUALIFYING", 11), Ch("NEEDS_ANALYSIS", 21), Ch("WON", 31)],
        2: [Ch("PROSPECTING", 1), Ch("QUALIFYING", 5), Ch("LOST", 6)],
        3: [Ch("PROSPECTING", 1), Ch("LOST", 3)],
        4: [Ch("PROSPECTING", 1), Ch("QUALIFYING", 21)],
    }
    f = stage_figures(deals, changes)
    assert (f["PROSPECTING"].passed, f["PROSPECTING"].lost_here, f["PROSPECTING"].conversion) == (3, 1, 0.75)
    assert f["PROSPECTING"].avg_days == 9
    assert (f["QUALIFYING"].passed, f["QUALIFYING"].lost_here, f["QUALIFYING"].conversion) == (1, 1, 0.5)
    assert f["QUALIFYING"].avg_days == 5.5
    assert (f["NEEDS_ANALYSIS"].conversion, f["NEEDS_ANALYSIS"].avg_days) == (1.0, 10)
    assert (f["PRESENTATION"].conversion, f["PRESENTATION"].avg_days) == (1.0, None)
    assert f["WON"].conversion is None


# --- the status funnel ------------------------------------------------------------------------


def test_status_moves_forward_and_may_skip(seller_alice):
    company = CompanyFactory(owner=seller_alice, status=Status.SUSPECT)
    company_set_status(actor=seller_alice, company=company, status=Status.PROSPECT)
    company_set_status(actor=seller_alice, company=company, status=Status.LOYAL)
    company.refresh_from_db()
    assert company.status == Status.LOYAL
    assert AuditEntry.objects.filter(action="company_set_status", object_id=str(company.pk)).count() == 2


def test_status_never_moves_back(seller_alice):
    company = CompanyFactory(owner=seller_alice, status=Status.CLIENT)
    with pytest.raises(ValidationError) as exc:
        company_set_status(actor=seller_alice, company=company, status=Status.PROSPECT)
    assert _msg(exc) == "Статус меняется только вперёд: из «Клиент» нельзя перейти в «Потенциальный клиент»"
    assert _msg(exc) == str(STATUS_BACKWARDS) % {"current": "Клиент", "target": "Потенциальный клиент"}
    company.refresh_from_db()
    assert company.status == Status.CLIENT


def test_the_same_status_changes_nothing(seller_alice):
    company = CompanyFactory(owner=seller_alice, status=Status.CLIENT)
    company_set_status(actor=seller_alice, company=company, status=Status.CLIENT)
    assert not AuditEntry.objects.filter(action="company_set_status").exists()


def test_the_first_sale_promotes_to_client_and_a_buyer_stays_at_least_client(seller_alice):
    company = CompanyFactory(owner=seller_alice, status=Status.SUSPECT)
    sale_create(actor=seller_alice, company=company, date=D1, invoice="1", line_no=1, amount_minor=100_00)
    company.refresh_from_db()
    assert company.status == Status.CLIENT
    # A company whose status was left behind its purchases (an old import) cannot be set below CLIENT.
    Company.objects.filter(pk=company.pk).update(status=Status.SUSPECT)
    company.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        company_set_status(actor=seller_alice, company=company, status=Status.PROSPECT)
    assert _msg(exc) == str(STATUS_BELOW_CLIENT)


def test_status_of_anothers_company_is_denied(seller_charlie, seller_alice):
    company = CompanyFactory(owner=seller_alice, status=Status.SUSPECT)
    with pytest.raises(PermissionDenied):
        company_set_status(actor=seller_charlie, company=company, status=Status.PROSPECT)
    with pytest.raises(PermissionDenied):
        company_liquidate(actor=seller_charlie, company=company, on=D1, today=D1)
    company.refresh_from_db()
    assert (company.status, company.liquidated) == (Status.SUSPECT, False)


def test_liquidation_keeps_the_people_and_loses_the_open_deals(seller_alice, company, deal):
    contact = ContactFactory(company=company, full_name="Иванов Пётр Сергеевич")
    won = deal_create(actor=seller_alice, company=company, fields=DealFields(title="Прошлая"), today=D1)
    deal_advance(actor=seller_alice, deal=won, to_stage=Stage.WON, on=D1)
    today = dt.date(2026, 11, 20)
    company_liquidate(actor=seller_alice, company=company, on=dt.date(2026, 11, 1), today=today)
    company.refresh_from_db()
    assert (company.liquidated, company.liquidated_on) == (True, dt.date(2026, 11, 1))
    assert Contact.objects.filter(pk=contact.pk, company=company, full_name="Иванов Пётр Сергеевич").exists()
    deal.refresh_from_db()
    won.refresh_from_db()
    assert (deal.stage, deal.closed_on) == (Stage.LOST, today)
    assert DealStageChange.objects.filter(deal=deal).last().note == "Компания ликвидирована"
    assert won.stage == Stage.WON
    # A liquidated company takes no new deals and no more status changes.
    with pytest.raises(ValidationError) as exc:
        deal_create(actor=seller_alice, company=company, fields=DealFields(title="x"), today=today)
    assert _msg(exc) == str(DEAL_COMPANY_LIQUIDATED)
    with pytest.raises(ValidationError) as exc:
        company_set_status(actor=seller_alice, company=company, status=Status.LOYAL)
    assert _msg(exc) == str(COMPANY_IS_LIQUIDATED)
    with pytest.raises(ValidationError) as exc:
        company_liquidate(actor=seller_alice, company=company, on=today, today=today)
    assert _msg(exc) == str(ALREADY_LIQUIDATED)


def test_liquidation_cannot_be_in_the_future(seller_alice, company):
    with pytest.raises(ValidationError) as exc:
        company_liquidate(
            actor=seller_alice, company=company, on=dt.date(2026, 12, 1), today=dt.date(2026, 11, 20)
        )
    assert _msg(exc) == str(LIQUIDATED_IN_FUTURE) % {"date": "01.12.2026"}


def test_liquidated_companies_leave_the_growth_list(seller_alice):
    """PRODUCT.md: after liquidation no contact is due with the company (it leaves the growth list)."""
    from clientfocus.portfolio.models import CompanyAnalysis
    from clientfocus.portfolio.services import analysis_recompute

    prospect = CompanyFactory(owner=seller_alice, name="АО «Перспектива»", status=Status.PROSPECT)
    as_of = dt.date(2026, 11, 20)

    def row():
        analysis_recompute(actor=None, as_of=as_of)
        return CompanyAnalysis.objects.filter(company=prospect).order_by("-snapshot_id").get()

    assert row().next_due == as_of  # never contacted: due today
    company_liquidate(actor=seller_alice, company=prospect, on=D1, today=as_of)
    analysis = row()
    assert (analysis.next_due, analysis.overdue) == (None, False)
    assert analysis.cadence_code == "LIQUIDATED"


def test_deals_recorded_before_the_history_count_where_they_are_known():
    """A WON deal without history passed every stage; a LOST one without it is left out (the stage
    it was lost from is unknown); an open one passed the stages before its own."""
    deals = [(1, "WON", D1, D1), (2, "LOST", D1, D1), (3, "PROOF", D1, None)]
    f = stage_figures(deals, {})
    assert (f["PROSPECTING"].passed, f["PROSPECTING"].lost_here) == (2, 0)
    assert (f["PROOF"].passed, f["CLOSING"].passed, f["WON"].passed) == (1, 1, 0)
    assert f["PROOF"].avg_days is None


def test_the_history_of_a_deal_opened_before_the_history_was_kept(seller_alice, company):
    from clientfocus.core.testing.factories import DealFactory

    deal = DealFactory(company=company, stage=Stage.QUALIFYING, created_on=D1)
    deal_advance(actor=seller_alice, deal=deal, to_stage=Stage.PROOF, on=dt.date(2026, 10, 21))
    rows = deal_history(user=seller_alice, deal=deal, as_of=dt.date(2026, 10, 31))
    assert [(r.stay.stage, r.stay.entered_on, r.days) for r in rows] == [
        ("QUALIFYING", D1, 20),
        ("PROOF", dt.date(2026, 10, 21), 10),
    ]
