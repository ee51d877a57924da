"""Feedback requests on falling-revenue alerts (definition 7, seed 004): lifecycle, refusals,
closing on recovery, pages and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clientfocus.accounts.models import AuditEntry
from clientfocus.activities.feedback import (
    FEEDBACK_RECOVERED,
    feedback_answer,
    feedback_close_recovered,
    feedback_request,
)
from clientfocus.activities.models import Activity, FeedbackRequest, Kind, State
from clientfocus.portfolio.models import CompanyAnalysis, Snapshot

pytestmark = pytest.mark.django_db
QUESTIONS = "Что мы как поставщик могли бы делать лучше? Какие у вас появились новые потребности?"


def snapshot_with(alerts: dict, *, as_of=dt.date(2026, 11, 25)) -> Snapshot:
    """A ready snapshot where each company in `alerts` (company -> alerted?) has a row."""
    snap = Snapshot.objects.create(as_of=as_of, state=Snapshot.State.READY, finished_at=timezone.now())
    CompanyAnalysis.objects.exclude(snapshot=snap).delete()
    for company, alerted in alerts.items():
        CompanyAnalysis.objects.create(
            snapshot=snap,
            company=company,
            category="A",
            alert=alerted,
            trend_3m_yoy=-0.4 if alerted else 0.05,
            revenue_3m=300_000_00,
            revenue_3m_prev_year=500_000_00,
        )
    return snap


@pytest.fixture
def romashka(cast):
    return cast["portfolios"]["alice"].company


@pytest.fixture
def falling(cast, romashka):
    snapshot_with({romashka: True, cast["portfolios"]["erin"].company: False})
    return romashka


def test_request_stores_the_alert_figures_and_logs_the_email(falling, seller_alice):
    before = Activity.objects.filter(company=falling).count()
    fr = feedback_request(actor=seller_alice, company=falling)
    assert fr.state == FeedbackRequest.State.REQUESTED
    assert (fr.alert_trend_3m_yoy, fr.alert_revenue_3m, fr.alert_revenue_3m_prev_year) == (
        -0.4,
        300_000_00,
        500_000_00,
    )
    assert fr.alert_as_of == dt.date(2026, 11, 25)
    assert fr.questions == QUESTIONS and fr.channel == Kind.EMAIL and fr.seller == seller_alice
    assert Activity.objects.filter(company=falling).count() == before + 1
    logged = fr.request_activity
    assert (logged.kind, logged.state, logged.outcome) == (Kind.EMAIL, State.DONE, QUESTIONS)
    assert AuditEntry.objects.filter(action="feedback_request", object_id=str(fr.pk)).count() == 1


def test_answer_plans_the_follow_up_with_what_was_promised(falling, seller_alice):
    fr = feedback_request(actor=seller_alice, company=falling)
    feedback_answer(
        actor=seller_alice,
        request=fr,
        answer="Срываете сроки поставки; нужен кабель для солнечных станций",
        follow_up_kind=Kind.VISIT,
        follow_up_date=dt.date(2026, 12, 10),
        follow_up_subject="Привезти график поставок и образцы солнечного кабеля",
        today=dt.date(2026, 12, 3),
    )
    fr.refresh_from_db()
    assert fr.state == FeedbackRequest.State.ANSWERED and fr.answered_at is not None
    fu = fr.follow_up
    assert (fu.kind, fu.state, fu.date) == (Kind.VISIT, State.PLANNED, dt.date(2026, 12, 10))
    assert fu.subject == "Привезти график поставок и образцы солнечного кабеля"
    with pytest.raises(ValidationError) as exc:  # answered once only
        feedback_answer(
            actor=seller_alice,
            request=fr,
            answer="ещё",
            follow_up_kind="call",
            follow_up_date=dt.date(2026, 12, 11),
            follow_up_subject="x",
            today=dt.date(2026, 12, 3),
        )
    assert exc.value.code == "state"


def test_answer_refuses_a_follow_up_in_the_past_and_writes_nothing(falling, seller_alice):
    fr = feedback_request(actor=seller_alice, company=falling)
    count = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        feedback_answer(
            actor=seller_alice,
            request=fr,
            answer="Ок",
            follow_up_kind="call",
            follow_up_date=dt.date(2026, 12, 1),
            follow_up_subject="Звонок",
            today=dt.date(2026, 12, 3),
        )
    assert exc.value.code == "past"
    assert Activity.objects.count() == count
    assert FeedbackRequest.objects.get(pk=fr.pk).state == FeedbackRequest.State.REQUESTED


def test_refuses_without_an_alert(cast, seller_erin):
    erin_co = cast["portfolios"]["erin"].company
    snapshot_with({erin_co: False})
    with pytest.raises(ValidationError) as exc:
        feedback_request(actor=seller_erin, company=erin_co)
    assert exc.value.code == "no_alert"
    assert not FeedbackRequest.objects.exists()


def test_refuses_a_second_open_request(falling, seller_alice):
    feedback_request(actor=seller_alice, company=falling)
    with pytest.raises(ValidationError) as exc:
        feedback_request(actor=seller_alice, company=falling)
    assert exc.value.code == "duplicate"
    assert FeedbackRequest.objects.count() == 1


def test_closes_answered_requests_on_recovery_only(cast, falling, seller_alice, seller_erin):
    answered = feedback_request(actor=seller_alice, company=falling)
    feedback_answer(
        actor=seller_alice,
        request=answered,
        answer="Цены",
        follow_up_kind="call",
        follow_up_date=dt.date(2026, 12, 10),
        follow_up_subject="Новый прайс",
        today=dt.date(2026, 12, 3),
    )
    # Still alerted: answered, waiting for recovery.
    assert feedback_close_recovered() == 0
    assert FeedbackRequest.objects.get(pk=answered.pk).state == FeedbackRequest.State.ANSWERED
    # Erin's request was never answered: recovery alone does not close it.
    erin_co = cast["portfolios"]["erin"].company
    snapshot_with({falling: True, erin_co: True})
    waiting = feedback_request(actor=seller_erin, company=erin_co)
    snapshot_with({falling: False, erin_co: False}, as_of=dt.date(2027, 1, 10))
    assert feedback_close_recovered() == 1
    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert answered.state == FeedbackRequest.State.CLOSED and answered.close_reason == FEEDBACK_RECOVERED
    assert answered.closed_at is not None
    assert waiting.state == FeedbackRequest.State.REQUESTED
    # A closed request makes room for a new one when the revenue falls again.
    snapshot_with({falling: True})
    assert feedback_request(actor=seller_alice, company=falling).state == FeedbackRequest.State.REQUESTED


def test_the_analysis_recompute_closes_recovered_requests(cast, falling, seller_alice):
    from clientfocus.portfolio.services import analysis_recompute

    fr = feedback_request(actor=seller_alice, company=falling)
    feedback_answer(
        actor=seller_alice,
        request=fr,
        answer="Всё хорошо",
        follow_up_kind="call",
        follow_up_date=dt.date(2026, 12, 10),
        follow_up_subject="Позвонить",
        today=dt.date(2026, 12, 3),
    )
    # The cast's real sales (one sale in September 2026) raise no alert.
    analysis_recompute(actor=None, as_of=dt.date(2026, 11, 25))
    assert FeedbackRequest.objects.get(pk=fr.pk).state == FeedbackRequest.State.CLOSED


def test_another_sellers_company_is_refused(falling, seller_charlie, seller_erin):
    with pytest.raises(PermissionDenied):
        feedback_request(actor=seller_charlie, company=falling)
    assert not FeedbackRequest.objects.exists()


def test_my_day_button_creates_the_request_then_offers_the_mailto(client, falling, seller_alice):
    client.force_login(seller_alice)
    page = client.get(reverse("portfolio:myday")).content.decode()
    assert reverse("activities:feedback_request", args=[falling.pk]) in page
    response = client.post(reverse("activities:feedback_request", args=[falling.pk]))
    assert response.status_code == 302 and response.url == reverse("portfolio:myday")
    fr = FeedbackRequest.objects.get(company=falling)
    page = client.get(reverse("portfolio:myday")).content.decode()
    assert "Запрошена" in page and "mailto:?subject=" in page
    assert reverse("activities:feedback_request", args=[falling.pk]) not in page
    # The company card lists it.
    card = client.get(reverse("companies:detail", args=[falling.pk])).content.decode()
    assert 'data-testid="company-feedback"' in card and "Запрошена" in card
    assert fr.state == FeedbackRequest.State.REQUESTED


def test_list_filters_and_scopes(client, cast, falling, seller_alice, seller_charlie, manager_bob):
    fr = feedback_request(actor=seller_alice, company=falling)
    client.force_login(seller_alice)
    assert falling.name in client.get(reverse("activities:feedback_list")).content.decode()
    assert (
        falling.name in client.get(reverse("activities:feedback_list") + "?state=requested").content.decode()
    )
    assert (
        falling.name not in client.get(reverse("activities:feedback_list") + "?state=closed").content.decode()
    )
    client.force_login(manager_bob)
    assert falling.name in client.get(reverse("activities:feedback_list")).content.decode()
    client.force_login(seller_charlie)
    assert falling.name not in client.get(reverse("activities:feedback_list")).content.decode()
    url = reverse("activities:feedback_answer", args=[fr.pk])
    assert client.get(url).status_code == 404
    data = {
        "answer": "чужой",
        "follow_up_kind": "call",
        "follow_up_date": "2027-01-10",
        "follow_up_subject": "x",
    }
    assert client.post(url, data).status_code == 404
    assert FeedbackRequest.objects.get(pk=fr.pk).state == FeedbackRequest.State.REQUESTED
    assert client.post(reverse("activities:feedback_request", args=[falling.pk])).status_code == 404


def test_answer_form_is_an_htmx_partial(client, falling, seller_alice):
    fr = feedback_request(actor=seller_alice, company=falling)
    client.force_login(seller_alice)
    url = reverse("activities:feedback_answer", args=[fr.pk])
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="feedback-answer-form"' in form and "<html" not in form
    follow = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    row = client.post(
        url,
        {
            "answer": "Нужна отсрочка платежа",
            "follow_up_kind": "call",
            "follow_up_date": follow,
            "follow_up_subject": "Согласовать отсрочку",
        },
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Нужна отсрочка платежа" in row and "Согласовать отсрочку" in row
    assert FeedbackRequest.objects.get(pk=fr.pk).state == FeedbackRequest.State.ANSWERED
