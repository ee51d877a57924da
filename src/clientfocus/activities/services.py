"""Writes of touches: log one that happened, plan one, mark a planned one done."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Activity, Kind, State
from clientfocus.companies.models import Company, Contact
from clientfocus.portfolio.staleness import data_changed

ACTIVITY_IN_FUTURE = "Выполненное касание не может быть в будущем: {date}"
CONTACT_OF_ANOTHER_COMPANY = "Представитель не из этой компании"


def activity_log(
    *,
    actor: User,
    company: Company,
    kind: str,
    date: dt.date,
    today: dt.date,
    state: str = State.DONE,
    contact: Contact | None = None,
    subject: str = "",
    outcome: str = "",
) -> Activity:
    """Record a call, visit, e-mail or meeting — done (the cadence restarts from it) or planned.

    The caller passes a company it read through a selector (so it is visible to `actor`);
    this function checks it again, because a service must not trust its caller.
    """
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if kind not in Kind.values or state not in (State.DONE, State.PLANNED):
        raise ValidationError("unknown kind or state")
    if state == State.DONE and date > today:
        raise ValidationError(ACTIVITY_IN_FUTURE.format(date=date.strftime("%d.%m.%Y")))
    if contact is not None and contact.company_id != company.pk:
        raise ValidationError(CONTACT_OF_ANOTHER_COMPANY)
    with transaction.atomic():
        activity = Activity.objects.create(
            company=company,
            contact=contact,
            seller=actor,
            kind=kind,
            state=state,
            date=date,
            subject=subject[:200],
            outcome=outcome,
        )
        if state == State.DONE:
            data_changed()
        audit_record(actor=actor, action="activity_log", obj=activity, details={"kind": kind, "state": state})
    return activity


def activity_complete(*, actor: User, activity: Activity, today: dt.date, outcome: str = "") -> Activity:
    """A planned touch happened today."""
    if not Activity.objects.visible_to(actor).filter(pk=activity.pk, state=State.PLANNED).exists():
        raise PermissionDenied
    with transaction.atomic():
        activity.state = State.DONE
        activity.date = today  # when it really happened: the cadence restarts from today
        activity.outcome = outcome or activity.outcome
        activity.save(update_fields=["state", "date", "outcome"])
        data_changed()
        audit_record(actor=actor, action="activity_complete", obj=activity)
    return activity
