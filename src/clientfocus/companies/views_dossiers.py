"""Dossiers of a company and of its representatives: read, answer a section, see the history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clientfocus.companies import dossiers, selectors
from clientfocus.companies.models import AnswerType, Company, Contact, DossierQuestion

DOSSIER_SAVED = _("Раздел сохранён")


def _field(question: DossierQuestion) -> forms.Field:
    label, required = question.text, False
    choices = [(c, c) for c in question.choices]
    match question.answer_type:
        case AnswerType.TEXT:
            return forms.CharField(label=label, required=required, max_length=300)
        case AnswerType.CHOICE:
            return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])
        case AnswerType.MULTI:
            return forms.MultipleChoiceField(label=label, required=required, choices=choices)
        case AnswerType.NUMBER:
            return forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=2)
        case AnswerType.DATE:
            return forms.DateField(label=label, required=required)
        case AnswerType.YES_NO:
            return forms.NullBooleanField(label=label, required=required)
        case _:
            return forms.CharField(label=label, required=required, max_length=10_000, widget=forms.Textarea)


def section_form(questions: list[DossierQuestion], data: Any = None) -> forms.Form:
    form = forms.Form(data)
    for q in questions:
        form.fields[f"q_{q.code}"] = _field(q)
    return form


def _page(request: HttpRequest, company: Company, contact: Contact | None) -> HttpResponse:
    view = dossiers.dossier_view(user=request.user, company=company, contact=contact)
    context = {
        "nav": "companies",
        "company": company,
        "contact": contact,
        "view": view,
        "save_url": (
            reverse("companies:contact_dossier_save", kwargs={"pk": contact.pk})
            if contact
            else reverse("companies:dossier_save", kwargs={"pk": company.pk})
        ),
    }
    return render(request, "companies/dossiers/dossier.html", context)


def _save(request: HttpRequest, company: Company, contact: Contact | None, back: str) -> HttpResponse:
    code = request.POST.get("section", "")
    view = dossiers.dossier_view(user=request.user, company=company, contact=contact, history=0)
    section = next((s for s in view.sections if s["section"].code == code), None)
    if section is None:
        raise Http404
    questions = [q["question"] for q in section["questions"]]
    form = section_form(questions, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{f.label}: {' '.join(f.errors)}" for f in form if f.errors))
        return redirect(f"{back}#s-{code}")
    answers = {}
    for q in questions:
        value = form.cleaned_data[f"q_{q.code}"]
        if q.answer_type == AnswerType.NUMBER and value is not None:
            value = float(value)
        elif q.answer_type == AnswerType.DATE and value is not None:
            value = value.isoformat()
        answers[q.code] = value
    try:
        dossiers.dossier_save(actor=request.user, company=company, contact=contact, answers=answers)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DOSSIER_SAVED)
    return redirect(f"{back}#s-{code}")


def company_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.company_get(user=request.user, pk=pk), None)


@require_POST
def company_dossier_save(request: HttpRequest, pk: int) -> HttpResponse:
    company = selectors.company_get(user=request.user, pk=pk)
    return _save(request, company, None, reverse("companies:dossier", kwargs={"pk": company.pk}))


def _contact(request: HttpRequest, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user).select_related("company"), pk=pk)


def contact_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    return _page(request, contact.company, contact)


@require_POST
def contact_dossier_save(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    return _save(
        request, contact.company, contact, reverse("companies:contact_dossier", kwargs={"pk": contact.pk})
    )
