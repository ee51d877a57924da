"""Feedback requests: ask from My day, the list with filters, the answer + follow-up form (HTMX)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clientfocus.activities import feedback
from clientfocus.activities.models import FeedbackRequest, Kind
from clientfocus.companies import selectors as company_selectors


class FeedbackAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Ответ клиента"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_kind = forms.ChoiceField(label=_("Следующий шаг"), choices=Kind.choices, initial=Kind.CALL)
    follow_up_date = forms.DateField(label=_("Когда"), widget=forms.DateInput(attrs={"type": "date"}))
    follow_up_subject = forms.CharField(label=_("Что обещали"), max_length=200)


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
def feedback_request_create(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_selectors.company_get(user=request.user, pk=company_id)  # 404 when not visible
    try:
        feedback.feedback_request(actor=request.user, company=company)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            gettext(
                "Запрос обратной связи записан, письмо учтено как касание. Отправьте его кнопкой «Написать»."
            ),
        )
    return redirect("portfolio:myday")


def feedback_list(request: HttpRequest) -> HttpResponse:
    rows = feedback.feedback_visible(user=request.user)  # type: ignore[arg-type]
    state = request.GET.get("state", "")
    if state == "open":
        rows = rows.exclude(state=FeedbackRequest.State.CLOSED)
    elif state in FeedbackRequest.State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    context = {
        "nav": "feedback",
        "rows": rows[:200],
        "state": state,
        "states": [("", _("Все")), ("open", _("Открытые")), *FeedbackRequest.State.choices],
        "today": timezone.localdate(),
    }
    return render(request, "activities/feedback/list.html", context)


def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    fr = get_object_or_404(feedback.feedback_visible(user=request.user), pk=pk)  # type: ignore[arg-type]
    today = timezone.localdate()
    if request.method == "POST":
        form = FeedbackAnswerForm(request.POST)
        if form.is_valid():
            try:
                feedback.feedback_answer(
                    actor=request.user,  # type: ignore[arg-type]
                    request=fr,
                    today=today,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if not request.htmx:
                    return redirect("activities:feedback_list")
                fr.refresh_from_db()
                return render(request, "activities/feedback/_row.html", {"r": fr, "today": today})
    else:
        form = FeedbackAnswerForm(initial={"follow_up_date": today + dt.timedelta(days=7)})
    template = "activities/feedback/_answer_form.html" if request.htmx else "activities/feedback/answer.html"
    return render(request, template, {"r": fr, "form": form, "today": today, "nav": "feedback"})
