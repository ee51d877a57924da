"""The ideal customer profile (seed 000; PRODUCT.md, "The selling method"): reads and writes.

A profile belongs to a team: its members and admins read and build it, nobody else (another
team's profile answers like a missing one). Scores belong to companies and follow
accounts/access.py like every other company record.

Fit (PRODUCT.md): fit = Σ w·s / (5·Σ w) over the profile's chosen traits, shown as a
percentage from −100% to +100%. Traits not scored yet are left out of both sums, so a company
scored on three traits of five is judged on those three (the grid shows "3/5" beside it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import is_admin, team_companies
from clientfocus.accounts.models import Role, Team, User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Activity, Kind, State
from clientfocus.activities.services import activity_log
from clientfocus.companies.models import Company, IdealProfile, ProfileScore, ProfileTrait, TraitSource

PROFILE_TRAITS = 5  # seed 000, step 5: "выбрать 5 самых важных"
SCORE_MIN, SCORE_MAX = -5, 5
WEIGHT_MAX = 10
MISMATCH_ACTION_DAYS = 7  # a mismatch's planned action is due a week after it is found

PROFILE_NEEDS_TEAM = _("Профиль идеального клиента принадлежит команде: выберите команду")
PROFILE_NOT_DRAFT = _("Действующий и прежние профили не меняются: начните новую версию")
PROFILE_NEEDS_FIVE = _("Выберите ровно 5 самых важных черт, выбрано: {n}")
PROFILE_NEEDS_OPPOSITE = _("У черты худших клиентов «{trait}» нет противоположной")
PROFILE_BAD_WEIGHT = _("Вес черты — целое число от 1 до 10, получено «{value}»")
PROFILE_UNKNOWN_TRAIT = _("Такой черты нет в этом профиле")
PROFILE_NOT_ACTIVE = _("Оценивать можно только по действующему профилю")
SCORE_OUT_OF_RANGE = _("Оценка — целое число от −5 до +5, получено «{value}»")
COMPANY_OF_ANOTHER_TEAM = _("Компания не из команды этого профиля")
MISMATCH_SUBJECT = _("Профиль клиента: «{trait}» — оценка {score:+d}, наметить шаги")


# --- reads ---------------------------------------------------------------------------------------


def _member_team_id(user: Any) -> int | None:
    """The team whose profile a seller or manager shares; None for anybody else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "role", None) in (Role.SELLER, Role.MANAGER):
        return user.team_id
    return None


def profiles_visible(*, user: Any) -> QuerySet[IdealProfile]:
    """The profiles of the user's team; every team's for an admin; none for anybody else."""
    if is_admin(user):
        return IdealProfile.objects.all()
    team_id = _member_team_id(user)
    return IdealProfile.objects.none() if team_id is None else IdealProfile.objects.filter(team_id=team_id)


def teams_for(*, user: Any) -> QuerySet[Team]:
    """The teams whose profiles `user` may build: their own; every team for an admin."""
    if is_admin(user):
        return Team.objects.all()
    team_id = _member_team_id(user)
    return Team.objects.none() if team_id is None else Team.objects.filter(pk=team_id)


def profile_list(*, user: Any) -> QuerySet[IdealProfile]:
    return profiles_visible(user=user).select_related("team", "created_by").order_by("team__name", "-version")


def profile_get(*, user: Any, pk: int) -> IdealProfile:
    """The profile, or the same 404 whether it does not exist or belongs to another team."""
    return get_object_or_404(profiles_visible(user=user).select_related("team"), pk=pk)


def profile_active(*, user: Any, team_id: int | None = None) -> IdealProfile | None:
    team_id = team_id if team_id is not None else getattr(user, "team_id", None)
    if team_id is None:
        return None
    return profiles_visible(user=user).filter(team_id=team_id, is_active=True).first()


def profile_traits(*, profile: IdealProfile) -> list[ProfileTrait]:
    """The chosen traits, in the order of importance."""
    return list(profile.traits.filter(rank__isnull=False).order_by("rank"))


def profile_candidates(*, profile: IdealProfile) -> list[ProfileTrait]:
    """Seed 000, step 5: one column — best clients' traits and the opposites of the worst's."""
    return list(profile.traits.order_by(F("rank").asc(nulls_last=True), "source", "position", "pk"))


def grid_companies(*, user: Any, profile: IdealProfile, query: str = "") -> QuerySet[Company]:
    """Companies to score against `profile`: the user's, of the profile's team — prospects too."""
    qs = Company.objects.visible_to(user).filter(team_companies(profile.team_id)).select_related("owner")
    if query.strip():
        qs = qs.filter(search_text__contains=query.strip().casefold())
    return qs.order_by("name", "pk")


def grid_scores(
    *, user: Any, profile: IdealProfile, companies: Iterable[Company]
) -> dict[tuple[int, int], int]:
    """{(company_id, trait_id): score} for the companies on one page of the grid."""
    ids = [c.pk for c in companies]
    rows = (
        ProfileScore.objects.visible_to(user)
        .filter(trait__profile=profile, company_id__in=ids)
        .values_list("company_id", "trait_id", "score")
    )
    return {(c, t): s for c, t, s in rows}


@dataclass(frozen=True)
class Fit:
    """How a company matches its team's ideal profile."""

    percent: float  # −100 … +100
    scored: int
    traits: int
    mismatches: int  # traits scored ≤ 0


def fit_compute(pairs: Sequence[tuple[int, int]], *, traits: int = PROFILE_TRAITS) -> Fit | None:
    """fit = Σ w·s / (5·Σ w) over (weight, score) pairs, as a percentage; None when nothing is scored."""
    if not pairs:
        return None
    numerator = sum(w * s for w, s in pairs)
    denominator = SCORE_MAX * sum(w for w, _s in pairs)
    return Fit(
        percent=round(100 * numerator / denominator, 1),
        scored=len(pairs),
        traits=traits,
        mismatches=sum(1 for _w, s in pairs if s <= 0),
    )


def fit_for_companies(*, user: Any, company_ids: Iterable[int]) -> dict[int, Fit]:
    """{company_id: Fit} against the active profile of each company owner's team (two queries)."""
    ids = list(company_ids)
    if not ids:
        return {}
    active = {
        pk: (team_id, n)
        for pk, team_id, n in IdealProfile.objects.filter(is_active=True)
        .annotate(n=Count("traits", filter=Q(traits__rank__isnull=False)))
        .values_list("pk", "team_id", "n")
    }
    if not active:
        return {}
    # Each company is judged by its own team's profile (one active profile per team).
    own_profile = Q(pk__in=[])
    for pk, (team_id, _n) in active.items():
        own_profile |= Q(trait__profile_id=pk) & team_companies(team_id, path="company__")
    rows = (
        ProfileScore.objects.visible_to(user)
        .filter(own_profile, company_id__in=ids, trait__rank__isnull=False)
        .values_list("company_id", "trait__profile_id", "trait__weight", "score")
    )
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    profile_of: dict[int, int] = {}
    for company_id, profile_id, weight, score in rows:
        pairs[company_id].append((weight, score))
        profile_of[company_id] = profile_id
    out = {}
    for company_id, company_pairs in pairs.items():
        fit = fit_compute(company_pairs, traits=active[profile_of[company_id]][1])
        if fit is not None:
            out[company_id] = fit
    return out


def with_fit(rows: list[Any], *, user: Any) -> list[Any]:
    """Set `.fit` (a Fit or None) on rows that have a `company_id` (the portfolio's rows)."""
    fits = fit_for_companies(user=user, company_ids=[r.company_id for r in rows])
    for row in rows:
        row.fit = fits.get(row.company_id)
    return rows


@dataclass(frozen=True)
class CompanyFit:
    profile: IdealProfile | None
    fit: Fit | None
    rows: list[dict[str, Any]]  # per chosen trait: trait, score (or None), action date and state


def company_fit(*, user: Any, company: Company) -> CompanyFit:
    """The company card's panel: its team's active profile, each trait's score, mismatches' actions.

    One query: the chosen traits of the active profile, each with this company's score and its
    planned action attached as subqueries.
    """
    team_id = company.owner.team_id if company.owner_id and company.owner else None
    if team_id is None:
        return CompanyFit(profile=None, fit=None, rows=[])
    score = ProfileScore.objects.visible_to(user).filter(company=company, trait=OuterRef("pk"))
    traits = list(
        ProfileTrait.objects.filter(profile__team_id=team_id, profile__is_active=True, rank__isnull=False)
        .select_related("profile", "profile__team")
        .annotate(
            score=Subquery(score.values("score")[:1]),
            action_date=Subquery(score.values("action__date")[:1]),
            action_state=Subquery(score.values("action__state")[:1]),
        )
        .order_by("rank")
    )
    if not traits:
        return CompanyFit(profile=None, fit=None, rows=[])
    rows = [
        {
            "trait": t,
            "score": t.score,  # type: ignore[attr-defined]
            "action_date": t.action_date,  # type: ignore[attr-defined]
            "action_state": State(t.action_state).label if t.action_state else "",  # type: ignore[attr-defined]
        }
        for t in traits
    ]
    fit = fit_compute(
        [(r["trait"].weight, r["score"]) for r in rows if r["score"] is not None], traits=len(rows)
    )
    return CompanyFit(profile=traits[0].profile, fit=fit, rows=rows)


# --- writes --------------------------------------------------------------------------------------


def _check_can_edit(actor: User, profile: IdealProfile) -> None:
    if not profiles_visible(user=actor).filter(pk=profile.pk).exists():
        raise PermissionDenied
    if not profile.is_draft:
        raise ValidationError(PROFILE_NOT_DRAFT)


def profile_start(*, actor: User, team: Team | None = None) -> IdealProfile:
    """A new draft version for the team (the actor's own unless an admin names one).

    It starts as a copy of the active version, so a team refines its profile instead of
    retyping it. An unfinished draft is returned as it is: one draft per team at a time.
    """
    if team is None:
        team = actor.team if actor.team_id else None
    if team is None:
        raise ValidationError(PROFILE_NEEDS_TEAM)
    if not teams_for(user=actor).filter(pk=team.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        # Lock the team's row so two members starting a version at once get the same draft.
        Team.objects.select_for_update().get(pk=team.pk)
        draft = IdealProfile.objects.filter(team=team, activated_at__isnull=True).first()
        if draft is not None:
            return draft
        last = IdealProfile.objects.filter(team=team).aggregate(v=Max("version"))["v"] or 0
        active = IdealProfile.objects.filter(team=team, is_active=True).first()
        profile = IdealProfile.objects.create(
            team=team,
            version=last + 1,
            created_by=actor,
            best_clients=active.best_clients if active else "",
            worst_clients=active.worst_clients if active else "",
        )
        if active is not None:
            ProfileTrait.objects.bulk_create(
                ProfileTrait(
                    profile=profile,
                    source=t.source,
                    text=t.text,
                    opposite=t.opposite,
                    rank=t.rank,
                    weight=t.weight,
                    position=t.position,
                )
                for t in active.traits.all()
            )
        audit_record(
            actor=actor,
            action="profile_start",
            obj=profile,
            details={"team": team.pk, "version": profile.version, "from": active.pk if active else None},
        )
    return profile


def _lines(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.splitlines():
        line = line.strip(" \t-•*").strip()[:200]
        if line and line not in seen:
            seen.append(line)
    return seen


def profile_traits_save(
    *, actor: User, profile: IdealProfile, source: str, clients: str, traits: str
) -> list[ProfileTrait]:
    """Steps 1–2 (best) and 3–4 (worst) of seed 000: the clients and their traits, one per line.

    A trait that stays keeps its opposite, rank and weight; a removed one leaves the profile.
    """
    if source not in TraitSource.values:
        raise ValidationError(PROFILE_UNKNOWN_TRAIT)
    _check_can_edit(actor, profile)
    wanted = _lines(traits)
    with transaction.atomic():
        existing = {t.text: t for t in profile.traits.filter(source=source)}
        removed = [t.pk for text, t in existing.items() if text not in wanted]
        ProfileTrait.objects.filter(pk__in=removed).delete()
        for position, text in enumerate(wanted):
            trait = existing.get(text)
            if trait is None:
                ProfileTrait.objects.create(profile=profile, source=source, text=text, position=position)
            elif trait.position != position:
                trait.position = position
                trait.save(update_fields=["position"])
        if source == TraitSource.BEST:
            profile.best_clients = clients.strip()
            profile.save(update_fields=["best_clients"])
        else:
            profile.worst_clients = clients.strip()
            profile.save(update_fields=["worst_clients"])
        audit_record(
            actor=actor,
            action="profile_traits_save",
            obj=profile,
            details={"source": source, "traits": wanted, "removed": len(removed)},
        )
    return list(profile.traits.filter(source=source).order_by("position"))


def profile_opposites_save(*, actor: User, profile: IdealProfile, opposites: dict[int, str]) -> None:
    """Step 5 of seed 000: each bad trait turned into its opposite («секретничает» → «открыт»)."""
    _check_can_edit(actor, profile)
    traits = {t.pk: t for t in profile.traits.filter(source=TraitSource.WORST)}
    if set(opposites) - set(traits):
        raise ValidationError(PROFILE_UNKNOWN_TRAIT)
    with transaction.atomic():
        for pk, text in opposites.items():
            trait = traits[pk]
            trait.opposite = text.strip()[:200]
            trait.save(update_fields=["opposite"])
        audit_record(
            actor=actor, action="profile_opposites_save", obj=profile, details={"traits": len(opposites)}
        )


def profile_choose(
    *, actor: User, profile: IdealProfile, chosen: Sequence[tuple[int, int]]
) -> list[ProfileTrait]:
    """Step 5 of seed 000: the 5 traits that matter most, in order, each with a weight (1 = equal)."""
    _check_can_edit(actor, profile)
    if len(chosen) != PROFILE_TRAITS or len({pk for pk, _w in chosen}) != len(chosen):
        raise ValidationError(PROFILE_NEEDS_FIVE.format(n=len({pk for pk, _w in chosen})))
    traits = {t.pk: t for t in profile.traits.all()}
    for pk, weight in chosen:
        if pk not in traits:
            raise ValidationError(PROFILE_UNKNOWN_TRAIT)
        if not 1 <= weight <= WEIGHT_MAX:
            raise ValidationError(PROFILE_BAD_WEIGHT.format(value=weight))
        trait = traits[pk]
        if trait.source == TraitSource.WORST and not trait.opposite:
            raise ValidationError(PROFILE_NEEDS_OPPOSITE.format(trait=trait.text))
    with transaction.atomic():
        profile.traits.update(rank=None)
        for rank, (pk, weight) in enumerate(chosen, start=1):
            trait = traits[pk]
            trait.rank, trait.weight = rank, weight
            trait.save(update_fields=["rank", "weight"])
        audit_record(
            actor=actor,
            action="profile_choose",
            obj=profile,
            details={"traits": [pk for pk, _w in chosen], "weights": [w for _pk, w in chosen]},
        )
    return profile_traits(profile=profile)


def profile_activate(*, actor: User, profile: IdealProfile) -> IdealProfile:
    """The draft becomes the team's profile; the one before stays, inactive, as a past version."""
    _check_can_edit(actor, profile)
    chosen = profile_traits(profile=profile)
    if len(chosen) != PROFILE_TRAITS:
        raise ValidationError(PROFILE_NEEDS_FIVE.format(n=len(chosen)))
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=profile.team_id)
        previous = list(IdealProfile.objects.filter(team_id=profile.team_id, is_active=True))
        IdealProfile.objects.filter(pk__in=[p.pk for p in previous]).update(is_active=False)
        profile.is_active = True
        profile.activated_at = timezone.now()
        profile.save(update_fields=["is_active", "activated_at"])
        audit_record(
            actor=actor,
            action="profile_activate",
            obj=profile,
            details={"version": profile.version, "replaces": [p.pk for p in previous]},
        )
    return profile


def score_set(
    *,
    actor: User,
    profile: IdealProfile,
    trait: ProfileTrait,
    company: Company,
    score: int | None,
    today: dt.date,
) -> ProfileScore | None:
    """Score a company on one trait of the active profile (None clears the score).

    Seed 000, step 6: a trait where the company does not match (score ≤ 0) needs a plan of
    action, so a mismatch gets a planned touch due in a week unless it has one open already;
    when the score rises above 0 again, that planned touch is cancelled.
    """
    if not profiles_visible(user=actor).filter(pk=profile.pk).exists():
        raise PermissionDenied
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if not profile.is_active:
        raise ValidationError(PROFILE_NOT_ACTIVE)
    if trait.profile_id != profile.pk or trait.rank is None:
        raise ValidationError(PROFILE_UNKNOWN_TRAIT)
    if not Company.objects.filter(team_companies(profile.team_id), pk=company.pk).exists():
        raise ValidationError(COMPANY_OF_ANOTHER_TEAM)
    if score is not None and not (isinstance(score, int) and SCORE_MIN <= score <= SCORE_MAX):
        raise ValidationError(SCORE_OUT_OF_RANGE.format(value=score))
    with transaction.atomic():
        current = (
            ProfileScore.objects.select_for_update(of=("self",))
            .filter(trait=trait, company=company)
            .order_by("pk")
            .first()
        )
        old = current.score if current else None
        if score is None:
            if current is not None:
                _cancel_action(actor, current)
                current.delete()
            audit_record(
                actor=actor,
                action="profile_score_clear",
                object_type="companies.profilescore",
                details={"company": company.pk, "trait": trait.pk, "old": old},
            )
            return None
        if current is None:
            current = ProfileScore(trait=trait, company=company)
        current.score = score
        current.scored_by = actor
        if score <= 0:
            action = current.action
            if action is None or action.state != State.PLANNED:
                current.action = activity_log(
                    actor=actor,
                    company=company,
                    kind=Kind.CALL,
                    state=State.PLANNED,
                    date=today + dt.timedelta(days=MISMATCH_ACTION_DAYS),
                    today=today,
                    subject=MISMATCH_SUBJECT.format(trait=trait.label, score=score),
                )
        else:
            _cancel_action(actor, current)
        current.save()
        audit_record(
            actor=actor,
            action="profile_score_set",
            obj=current,
            details={"company": company.pk, "trait": trait.pk, "old": old, "new": score},
        )
    return current


def _cancel_action(actor: User, score: ProfileScore) -> None:
    """The mismatch is gone: its planned touch, if still only planned, is cancelled (kept, not deleted)."""
    if score.action_id is None:
        return
    cancelled = Activity.objects.filter(pk=score.action_id, state=State.PLANNED).update(state=State.CANCELLED)
    if cancelled:
        audit_record(
            actor=actor,
            action="activity_cancel",
            object_type="activities.activity",
            object_id=str(score.action_id),
            details={"reason": "profile_score_above_zero"},
        )
    score.action = None


def mismatches(*, user: Any, company: Company) -> QuerySet[ProfileScore]:
    """A company's traits scored ≤ 0 in its team's active profile, with their planned actions."""
    return (
        ProfileScore.objects.visible_to(user)
        .filter(company=company, score__lte=0, trait__profile__is_active=True)
        .filter(Q(trait__rank__isnull=False))
        .select_related("trait", "action")
        .order_by("trait__rank")
    )
