"""Feedback requests on falling-revenue alerts (PRODUCT.md definition 7, seed 004).

A company with an alert in the current snapshot gets one question to the client: "what could we
do better as a supplier, what new needs do you have?". The answer is recorded with a planned
follow-up touch (what was promised); the request closes by itself when a later recompute no
longer alerts the company — "the alert closes when answered and revenue recovers".
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import FEEDBACK_QUESTIONS, Activity, FeedbackRequest, Kind, State
from clientfocus.companies.models import Company
from clientfocus.portfolio.models import CompanyAnalysis, Snapshot

FEEDBACK_NO_ALERT = _("У компании нет сигнала о падении выручки в текущем анализе: спрашивать не о чем")
FEEDBACK_ALREADY_OPEN = _("По этой компании уже есть открытый запрос обратной связи (от %(date)s)")
FEEDBACK_NOT_REQUESTED = _("Ответ записывают только на запрошенную обратную связь")
FEEDBACK_EMPTY_ANSWER = _("Запишите ответ клиента")
FEEDBACK_FOLLOW_UP_PAST = _("Следующий шаг не может быть в прошлом: %(date)s")
FEEDBACK_FOLLOW_UP_SUBJECT = _("Напишите, что обещали клиенту")
FEEDBACK_RECOVERED = "recovered"

Channel = Kind


def _current_snapshot() -> Snapshot | None:
    return (
        Snapshot.objects.filter(state=Snapshot.State.READY)
        .only("pk", "as_of")
        .order_by("-finished_at", "-id")
        .first()
    )


def feedback_visible(*, user: User) -> QuerySet[FeedbackRequest]:
    """Seller: own companies; manager: the team's; admin: all (accounts/access.py)."""
    return FeedbackRequest.objects.visible_to(user).select_related("company", "seller", "follow_up")


def feedback_open_by_company(*, user: User, company_ids: list[int]) -> dict[int, FeedbackRequest]:
    rows = (
        feedback_visible(user=user)
        .filter(company_id__in=company_ids)
        .exclude(state=FeedbackRequest.State.CLOSED)
    )
    return {r.company_id: r for r in rows}


def feedback_request(*, actor: User, company: Company, channel: str = Kind.EMAIL) -> FeedbackRequest:
    """Ask a falling client for feedback; logs the e-mail (or call) as a done touch."""
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if channel not in Kind.values:
        raise ValidationError("unknown channel")
    snapshot = _current_snapshot()
    row = (
        CompanyAnalysis.objects.filter(snapshot=snapshot, company=company, alert=True).first()
        if snapshot
        else None
    )
    if row is None or snapshot is None:
        raise ValidationError(FEEDBACK_NO_ALERT, code="no_alert")
    with transaction.atomic():
        # Lock the company row so two clicks cannot both pass the "no open request" check.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        existing = (
            FeedbackRequest.objects.filter(company=company)
            .exclude(state=FeedbackRequest.State.CLOSED)
            .first()
        )
        if existing is not None:
            raise ValidationError(
                FEEDBACK_ALREADY_OPEN,
                code="duplicate",
                params={"date": timezone.localtime(existing.requested_at).strftime("%d.%m.%Y")},
            )
        now = timezone.now()
        # The questions go to the client in the seller's language at the time of asking.
        questions = str(FEEDBACK_QUESTIONS)
        activity = Activity.objects.create(
            company=company,
            seller=actor,
            kind=channel,
            state=State.DONE,
            date=timezone.localdate(),
            subject=gettext("Запрос обратной связи")[:200],
            outcome=questions,
        )
        request = FeedbackRequest.objects.create(
            company=company,
            seller=actor,
            alert_as_of=snapshot.as_of,
            alert_trend_3m_yoy=row.trend_3m_yoy,
            alert_revenue_3m=int(row.revenue_3m or 0),
            alert_revenue_3m_prev_year=int(row.revenue_3m_prev_year or 0),
            questions=questions,
            channel=channel,
            requested_at=now,
            request_activity=activity,
        )
        from clientfocus.portfolio.staleness import data_changed

        data_changed()  # a done touch restarts the cadence
        audit_record(actor=actor, action="feedback_request", obj=request, details={"channel": channel})
    return request


def feedback_answer(
    *,
    actor: User,
    request: FeedbackRequest,
    answer: str,
    follow_up_kind: str,
    follow_up_date: dt.date,
    follow_up_subject: str,
    today: dt.date | None = None,
) -> FeedbackRequest:
    """Record the client's answer and plan the follow-up touch with what was promised."""
    if not FeedbackRequest.objects.visible_to(actor).filter(pk=request.pk).exists():
        raise PermissionDenied
    today = today or timezone.localdate()
    if request.state != FeedbackRequest.State.REQUESTED:
        raise ValidationError(FEEDBACK_NOT_REQUESTED, code="state")
    if not answer.strip():
        raise ValidationError(FEEDBACK_EMPTY_ANSWER, code="answer")
    if follow_up_kind not in Kind.values:
        raise ValidationError("unknown kind")
    if follow_up_date < today:
        raise ValidationError(
            FEEDBACK_FOLLOW_UP_PAST, code="past", params={"date": follow_up_date.strftime("%d.%m.%Y")}
        )
    if not follow_up_subject.strip():
        raise ValidationError(FEEDBACK_FOLLOW_UP_SUBJECT, code="subject")
    with transaction.atomic():
        follow_up = Activity.objects.create(
            company_id=request.company_id,
            seller=actor,
            kind=follow_up_kind,
            state=State.PLANNED,
            date=follow_up_date,
            subject=follow_up_subject.strip()[:200],
        )
        request.answer = answer.strip()
        request.answered_at = timezone.now()
        request.follow_up = follow_up
        request.state = FeedbackRequest.State.ANSWERED
        request.save(update_fields=["answer", "answered_at", "follow_up", "state"])
        audit_record(
            actor=actor,
            action="feedback_answer",
            obj=request,
            details={"follow_up": follow_up.pk, "date": follow_up_date.isoformat()},
        )
    return request


def feedback_close_recovered(*, as_of: dt.date | None = None) -> int:
    """Close answered requests whose company is not alerted in the current snapshot.

    Called at the end of the analysis recompute (system action, no actor). Requests still
    waiting for an answer stay open: recovery without an answer does not close the question.
    Returns how many were closed.
    """
    snapshot = _current_snapshot()
    if snapshot is None:
        return 0
    still_alerted = CompanyAnalysis.objects.filter(snapshot=snapshot, alert=True).values("company_id")
    closing = list(
        FeedbackRequest.objects.filter(state=FeedbackRequest.State.ANSWERED)
        .exclude(company_id__in=still_alerted)
        .values_list("pk", flat=True)
    )
    if not closing:
        return 0
    day = as_of or snapshot.as_of
    with transaction.atomic():
        FeedbackRequest.objects.filter(pk__in=closing).update(
            state=FeedbackRequest.State.CLOSED, closed_at=timezone.now(), close_reason=FEEDBACK_RECOVERED
        )
        audit_record(
            actor=None,
            action="feedback_close_recovered",
            object_type="activities.feedbackrequest",
            details={"as_of": day.isoformat(), "closed": closing},
        )
    return len(closing)
