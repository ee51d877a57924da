"""The ideal customer profile: versions, the guided builder, and the scoring grid. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clientfocus.companies import profiles
from clientfocus.companies.models import Company, TraitSource

GRID_PAGE_SIZE = 50
STEPS = (1, 2, 3, 4, 5)


def profile_list(request: HttpRequest) -> HttpResponse:
    versions = list(profiles.profile_list(user=request.user))
    context = {
        "nav": "profile",
        "versions": versions,
        "teams": list(profiles.teams_for(user=request.user)),
        "active": [p for p in versions if p.is_active],
    }
    return render(request, "companies/profiles/profile_list.html", context)


@require_POST
def profile_new(request: HttpRequest) -> HttpResponse:
    team = None
    if request.POST.get("team"):
        team = get_object_or_404(profiles.teams_for(user=request.user), pk=_int(request.POST["team"]))
    try:
        draft = profiles.profile_start(actor=request.user, team=team)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(profiles.PROFILE_NEEDS_TEAM)])))
        return redirect("companies:profiles")
    return redirect("companies:profile", pk=draft.pk)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profiles.profile_get(user=request.user, pk=pk)
    step = _int(request.GET.get("step") or "1") if profile.is_draft else 5
    if step not in STEPS:
        step = 1
    traits = profiles.profile_candidates(profile=profile)
    context = {
        "nav": "profile",
        "profile": profile,
        "step": step,
        "steps": STEPS,
        "best": [t for t in traits if t.source == TraitSource.BEST],
        "worst": [t for t in traits if t.source == TraitSource.WORST],
        "candidates": traits,
        "chosen": profiles.profile_traits(profile=profile),
        "needed": profiles.PROFILE_TRAITS,
    }
    return render(request, "companies/profiles/profile_builder.html", context)


@require_POST
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the builder: 1 best clients, 2 worst clients, 3 opposites, 4 the five."""
    profile = profiles.profile_get(user=request.user, pk=pk)
    step = _int(request.POST.get("step"))
    actor = request.user
    try:
        if step in (1, 2):
            profiles.profile_traits_save(
                actor=actor,  # type: ignore[arg-type]
                profile=profile,
                source=TraitSource.BEST if step == 1 else TraitSource.WORST,
                clients=request.POST.get("clients", "")[:5000],
                traits=request.POST.get("traits", "")[:10000],
            )
        elif step == 3:
            opposites = {
                _int(key.removeprefix("opposite_")): value
                for key, value in request.POST.items()
                if key.startswith("opposite_")
            }
            profiles.profile_opposites_save(actor=actor, profile=profile, opposites=opposites)  # type: ignore[arg-type]
        elif step == 4:
            # The order of the chosen checkboxes is the order of importance (the form lists by rank).
            chosen = []
            for raw in request.POST.getlist("chosen"):
                weight_raw = request.POST.get(f"weight_{raw}", "1") or "1"
                try:
                    weight = int(weight_raw)
                except ValueError:
                    raise ValidationError(profiles.PROFILE_BAD_WEIGHT.format(value=weight_raw)) from None
                chosen.append((_int(raw), weight))
            profiles.profile_choose(actor=actor, profile=profile, chosen=chosen)  # type: ignore[arg-type]
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('companies:profile', kwargs={'pk': profile.pk})}?step={step}")
    return redirect(f"{reverse('companies:profile', kwargs={'pk': profile.pk})}?step={step + 1}")


@require_POST
def profile_activate(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profiles.profile_get(user=request.user, pk=pk)
    try:
        profiles.profile_activate(actor=request.user, profile=profile)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('companies:profile', kwargs={'pk': profile.pk})}?step=5")
    return redirect("companies:profile_grid", pk=profile.pk)


def profile_grid(request: HttpRequest, pk: int) -> HttpResponse:
    profile = profiles.profile_get(user=request.user, pk=pk)
    query = request.GET.get("q", "")[:100]
    companies = profiles.grid_companies(user=request.user, profile=profile, query=query)
    page = Paginator(companies, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    traits = profiles.profile_traits(profile=profile)
    scores = profiles.grid_scores(user=request.user, profile=profile, companies=rows)
    fits = (
        profiles.fit_for_companies(user=request.user, company_ids=[c.pk for c in rows])
        if profile.is_active
        else {}
    )
    context = {
        "nav": "profile",
        "profile": profile,
        "traits": traits,
        "page": page,
        "query": query,
        "rows": [
            {"company": c, "cells": [(t, scores.get((c.pk, t.pk))) for t in traits], "fit": fits.get(c.pk)}
            for c in rows
        ],
    }
    return render(request, "companies/profiles/profile_grid.html", context)


@require_POST
def profile_score(request: HttpRequest, pk: int) -> HttpResponse:
    """One cell of the grid (HTMX): answers with the company's refreshed fit cell."""
    profile = profiles.profile_get(user=request.user, pk=pk)
    company = get_object_or_404(
        Company.objects.visible_to(request.user), pk=_int(request.POST.get("company"))
    )
    trait = get_object_or_404(profile.traits.filter(rank__isnull=False), pk=_int(request.POST.get("trait")))
    raw = request.POST.get("score", "").strip().replace("−", "-")
    try:
        score = int(raw) if raw else None
    except ValueError:
        return HttpResponse(profiles.SCORE_OUT_OF_RANGE.format(value=raw[:10]), status=422)
    try:
        profiles.score_set(
            actor=request.user,  # type: ignore[arg-type]
            profile=profile,
            trait=trait,
            company=company,
            score=score,
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=422)
    fit = profiles.fit_for_companies(user=request.user, company_ids=[company.pk]).get(company.pk)
    return render(
        request, "companies/profiles/profile_grid.html#fit", {"row": {"company": company, "fit": fit}}
    )
