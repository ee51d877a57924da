"""Logging a touch from the company card (an HTMX form that returns the refreshed timeline)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clientfocus.activities import services
from clientfocus.activities.forms import ActivityForm
from clientfocus.activities.models import Activity
from clientfocus.companies import selectors as company_selectors


def _timeline(request: HttpRequest, company_id: int, form: ActivityForm | None = None) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=company_id)
    contacts = company_selectors.company_contacts(user=request.user, company=company)
    context = {
        "company": company,
        "activities": company_selectors.company_activities(user=request.user, company=company),
        "activity_form": form or ActivityForm(contacts=contacts, initial={"date": timezone.localdate()}),
        "as_of": timezone.localdate(),
    }
    return render(request, "activities/timeline.html", context)


@require_POST
def activity_create(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=company_id)
    contacts = list(company_selectors.company_contacts(user=request.user, company=company))
    form = ActivityForm(request.POST, contacts=contacts)
    if form.is_valid():
        contact = next((c for c in contacts if c.pk == form.cleaned_data["contact"]), None)
        try:
            services.activity_log(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                kind=form.cleaned_data["kind"],
                state=form.cleaned_data["state"],
                date=form.cleaned_data["date"],
                today=timezone.localdate(),
                contact=contact,
                subject=form.cleaned_data["subject"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not request.htmx:
                return redirect("companies:detail", pk=company.pk)
            return _timeline(request, company.pk)
    return _timeline(request, company.pk, form)


@require_POST
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.visible_to(request.user), pk=pk)
    services.activity_complete(actor=request.user, activity=activity, today=timezone.localdate())  # type: ignore[arg-type]
    if request.htmx:
        return _timeline(request, activity.company_id)
    target = request.POST.get("next", "")
    # Only a path on this site: never an open redirect.
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("companies:detail", pk=activity.company_id)
