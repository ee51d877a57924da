"""The ideal customer profile (seed 000): builder, versions, fit, mismatches and their actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from clientfocus.activities.models import Activity, State
from clientfocus.companies import profiles
from clientfocus.companies.models import IdealProfile, ProfileScore, TraitSource
from clientfocus.companies.profiles import Fit, fit_compute

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
BEST = "Доверяет моей компании\nИнновационный, прогрессивный менеджмент\nЛояльный к поставщикам"
WORST = "Негибок при обсуждении цен\nСекретничает и не желает сотрудничать"
OPPOSITES = {
    "Негибок при обсуждении цен": "Гибок при обсуждении цен",
    "Секретничает и не желает сотрудничать": "Открыт к сотрудничеству, делится информацией",
}


def build_profile(actor, *, weights=(1, 1, 1, 1, 1), activate=True) -> IdealProfile:
    """Seed 000's own example, through the services: 3 best traits, 2 worst turned around."""
    profile = profiles.profile_start(actor=actor)
    profiles.profile_traits_save(
        actor=actor, profile=profile, source=TraitSource.BEST, clients="ООО «Ромашка»", traits=BEST
    )
    worst = profiles.profile_traits_save(
        actor=actor, profile=profile, source=TraitSource.WORST, clients="ООО «Тугодум»", traits=WORST
    )
    profiles.profile_opposites_save(
        actor=actor, profile=profile, opposites={t.pk: OPPOSITES[t.text] for t in worst}
    )
    order = [t.pk for t in profile.traits.filter(source=TraitSource.BEST).order_by("position")] + [
        t.pk for t in worst
    ]
    profiles.profile_choose(actor=actor, profile=profile, chosen=list(zip(order, weights, strict=True)))
    if activate:
        profiles.profile_activate(actor=actor, profile=profile)
    return profile


# --- the formula -------------------------------------------------------------------------------


def test_fit_without_weights_worked_by_hand():
    """Scores +5, +3, 0, −2, +4, all weights 1: Σ w·s = 10; 5·Σ w = 25; fit = 10/25 = 40%."""
    assert fit_compute([(1, 5), (1, 3), (1, 0), (1, -2), (1, 4)]) == Fit(
        percent=40.0, scored=5, traits=5, mismatches=2
    )


def test_fit_with_weights_worked_by_hand():
    """Weights 3, 2, 1, 1, 1; scores +5, −5, +2, 0, +1: Σ w·s = 15 − 10 + 2 + 0 + 1 = 8;
    5·Σ w = 5·8 = 40; fit = 8/40 = 20%."""
    assert fit_compute([(3, 5), (2, -5), (1, 2), (1, 0), (1, 1)]) == Fit(
        percent=20.0, scored=5, traits=5, mismatches=2
    )


def test_fit_at_the_ends_of_the_scale():
    assert fit_compute([(1, 5)] * 5).percent == 100.0
    assert fit_compute([(2, -5)] * 5).percent == -100.0
    assert fit_compute([]) is None


def test_fit_over_the_traits_scored_so_far():
    """Two of five scored: (2·5 + 1·(−5)) / (5·3) = 5/15 = 33.3%."""
    assert fit_compute([(2, 5), (1, -5)]) == Fit(percent=33.3, scored=2, traits=5, mismatches=1)


# --- the builder and its versions ----------------------------------------------------------------


def test_the_builder_makes_the_five_traits_with_opposites(seller_alice):
    profile = build_profile(seller_alice, weights=(3, 2, 1, 1, 1))
    chosen = profiles.profile_traits(profile=profile)
    assert [(t.rank, t.label, t.weight) for t in chosen] == [
        (1, "Доверяет моей компании", 3),
        (2, "Инновационный, прогрессивный менеджмент", 2),
        (3, "Лояльный к поставщикам", 1),
        (4, "Гибок при обсуждении цен", 1),
        (5, "Открыт к сотрудничеству, делится информацией", 1),
    ]
    assert (profile.team.name, profile.version, profile.is_active) == ("Север", 1, True)


def test_the_builder_checks_each_step(seller_alice):
    profile = profiles.profile_start(actor=seller_alice)
    profiles.profile_traits_save(
        actor=seller_alice, profile=profile, source=TraitSource.BEST, clients="", traits=BEST
    )
    worst = profiles.profile_traits_save(
        actor=seller_alice, profile=profile, source=TraitSource.WORST, clients="", traits=WORST
    )
    all_five = [(t.pk, 1) for t in profile.traits.order_by("source", "position")]
    with pytest.raises(ValidationError) as exc:
        profiles.profile_choose(actor=seller_alice, profile=profile, chosen=all_five)
    assert exc.value.messages == [profiles.PROFILE_NEEDS_OPPOSITE.format(trait=worst[0].text)]
    with pytest.raises(ValidationError) as exc:
        profiles.profile_choose(actor=seller_alice, profile=profile, chosen=all_five[:4])
    assert exc.value.messages == ["Выберите ровно 5 самых важных черт, выбрано: 4"]
    with pytest.raises(ValidationError) as exc:
        profiles.profile_activate(actor=seller_alice, profile=profile)
    assert exc.value.messages == ["Выберите ровно 5 самых важных черт, выбрано: 0"]
    profiles.profile_opposites_save(
        actor=seller_alice, profile=profile, opposites={t.pk: OPPOSITES[t.text] for t in worst}
    )
    with pytest.raises(ValidationError) as exc:
        profiles.profile_choose(
            actor=seller_alice, profile=profile, chosen=[(all_five[0][0], 11), *all_five[1:]]
        )
    assert exc.value.messages == ["Вес черты — целое число от 1 до 10, получено «11»"]


def test_one_active_profile_per_team_and_earlier_versions_kept(seller_alice, seller_erin, seller_charlie):
    first = build_profile(seller_alice)
    # erin shares alice's team: she starts version 2 from version 1's traits.
    second = profiles.profile_start(actor=seller_erin)
    assert (second.version, second.is_active, second.team_id) == (2, False, first.team_id)
    assert sorted(t.label for t in profiles.profile_traits(profile=second)) == sorted(
        t.label for t in profiles.profile_traits(profile=first)
    )
    assert profiles.profile_start(actor=seller_alice) == second  # one draft at a time
    profiles.profile_traits_save(
        actor=seller_erin,
        profile=second,
        source=TraitSource.BEST,
        clients="",
        traits=BEST + "\nПлатит вовремя",
    )
    first.refresh_from_db()
    assert first.is_active and first.traits.count() == 5  # the draft never touches the active version
    profiles.profile_activate(actor=seller_erin, profile=second)
    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert IdealProfile.objects.filter(team=seller_alice.team).count() == 2
    with pytest.raises(ValidationError) as exc:
        profiles.profile_traits_save(
            actor=seller_alice, profile=first, source=TraitSource.BEST, clients="", traits=""
        )
    assert exc.value.messages == [profiles.PROFILE_NOT_DRAFT]
    # Another team's profile is its own, version 1, active alongside.
    south = build_profile(seller_charlie)
    assert (south.version, south.is_active) == (1, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdealProfile.objects.filter(pk=first.pk).update(is_active=True)


def test_a_seller_of_another_team_cannot_change_the_profile(seller_alice, seller_charlie):
    from django.core.exceptions import PermissionDenied

    draft = profiles.profile_start(actor=seller_alice)
    with pytest.raises(PermissionDenied):
        profiles.profile_traits_save(
            actor=seller_charlie, profile=draft, source=TraitSource.BEST, clients="", traits="X"
        )
    assert draft.traits.count() == 0


# --- scores, mismatches and their planned actions ------------------------------------------------


def test_a_mismatch_gets_a_planned_action_and_a_match_cancels_it(cast):
    alice = cast["users"]["alice"]
    company = cast["portfolios"]["alice"].company
    profile = build_profile(alice)
    trust, *_ = profiles.profile_traits(profile=profile)
    before = Activity.objects.filter(company=company).count()
    score = profiles.score_set(
        actor=alice, profile=profile, trait=trust, company=company, score=-3, today=TODAY
    )
    action = score.action
    assert (action.state, action.date, action.seller, action.subject) == (
        State.PLANNED,
        dt.date(2026, 12, 2),
        alice,
        "Профиль клиента: «Доверяет моей компании» — оценка -3, наметить шаги",
    )
    # Still a mismatch: the same action, not a second one.
    profiles.score_set(actor=alice, profile=profile, trait=trust, company=company, score=0, today=TODAY)
    assert Activity.objects.filter(company=company).count() == before + 1
    assert ProfileScore.objects.get(pk=score.pk).action_id == action.pk
    # It matches now: the planned action is cancelled (kept in the history).
    profiles.score_set(actor=alice, profile=profile, trait=trust, company=company, score=2, today=TODAY)
    action.refresh_from_db()
    assert action.state == State.CANCELLED
    assert ProfileScore.objects.get(pk=score.pk).action_id is None
    # Cleared: no score at all.
    assert (
        profiles.score_set(
            actor=alice, profile=profile, trait=trust, company=company, score=None, today=TODAY
        )
        is None
    )
    assert not ProfileScore.objects.filter(pk=score.pk).exists()


def test_scores_are_checked(cast):
    alice, erin = cast["users"]["alice"], cast["users"]["erin"]
    profile = build_profile(alice)
    trait = profiles.profile_traits(profile=profile)[0]
    company = cast["portfolios"]["alice"].company
    with pytest.raises(ValidationError) as exc:
        profiles.score_set(actor=alice, profile=profile, trait=trait, company=company, score=6, today=TODAY)
    assert exc.value.messages == ["Оценка — целое число от −5 до +5, получено «6»"]
    # A manager of another team's company: the admin sees it, but it is not this team's profile.
    charlies = cast["portfolios"]["charlie"].company
    with pytest.raises(ValidationError) as exc:
        profiles.score_set(
            actor=cast["users"]["dana"], profile=profile, trait=trait, company=charlies, score=1, today=TODAY
        )
    assert exc.value.messages == [profiles.COMPANY_OF_ANOTHER_TEAM]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # erin is in the team but the company is alice's
        profiles.score_set(actor=erin, profile=profile, trait=trait, company=company, score=1, today=TODAY)
    assert not ProfileScore.objects.exists()


def test_fit_on_the_card_in_the_portfolio_and_the_grid(client, cast):
    """Weights 3, 2, 1, 1, 1 and scores +5, −5, +2, 0, +1: fit 20% (worked above)."""
    alice = cast["users"]["alice"]
    company = cast["portfolios"]["alice"].company
    profile = build_profile(alice, weights=(3, 2, 1, 1, 1))
    for trait, score in zip(profiles.profile_traits(profile=profile), (5, -5, 2, 0, 1), strict=True):
        profiles.score_set(
            actor=alice, profile=profile, trait=trait, company=company, score=score, today=TODAY
        )
    assert profiles.fit_for_companies(user=alice, company_ids=[company.pk]) == {
        company.pk: Fit(percent=20.0, scored=5, traits=5, mismatches=2)
    }
    # The manager sees it too; charlie (another team) does not even get a row.
    assert (
        profiles.fit_for_companies(user=cast["users"]["bob"], company_ids=[company.pk])[company.pk].percent
        == 20.0
    )
    assert profiles.fit_for_companies(user=cast["users"]["charlie"], company_ids=[company.pk]) == {}
    client.force_login(alice)
    card = client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    assert 'data-testid="company-fit-value">20%' in card
    assert card.count("действие: 02.12.2026") == 2  # the two mismatches and their planned touches
    portfolio = client.get(reverse("portfolio:portfolio")).content.decode()
    assert '<td class="cf-num" data-testid="fit">20%</td>' in portfolio
    grid = client.get(reverse("companies:profile_grid", args=[profile.pk])).content.decode()
    assert f'data-testid="fit-{company.pk}"><strong>20%</strong>' in grid


def test_prospects_are_scored_too(cast):
    from clientfocus.core.testing.factories import CompanyFactory

    alice = cast["users"]["alice"]
    prospect = CompanyFactory(name="ООО «Будущий клиент»", owner=alice, status="PROSPECT")
    profile = build_profile(alice)
    assert prospect in profiles.grid_companies(user=alice, profile=profile)
    trait = profiles.profile_traits(profile=profile)[0]
    profiles.score_set(actor=alice, profile=profile, trait=trait, company=prospect, score=4, today=TODAY)
    assert profiles.fit_for_companies(user=alice, company_ids=[prospect.pk])[prospect.pk].percent == 80.0


# --- the pages -----------------------------------------------------------------------------------


def test_building_a_profile_and_scoring_through_the_pages(client, cast):
    alice = cast["users"]["alice"]
    company = cast["portfolios"]["alice"].company
    client.force_login(alice)
    assert client.get(reverse("companies:profiles")).status_code == 200
    response = client.post(reverse("companies:profile_new"))
    profile = IdealProfile.objects.get()
    assert response["Location"] == reverse("companies:profile", args=[profile.pk])
    edit = reverse("companies:profile_edit", args=[profile.pk])
    assert client.post(edit, {"step": "1", "clients": "ООО «Ромашка»", "traits": BEST}).status_code == 302
    assert client.post(edit, {"step": "2", "clients": "ООО «Тугодум»", "traits": WORST}).status_code == 302
    page = client.get(reverse("companies:profile", args=[profile.pk]), {"step": "3"}).content.decode()
    worst = list(profile.traits.filter(source=TraitSource.WORST))
    assert all(f'name="opposite_{t.pk}"' in page for t in worst)
    client.post(edit, {"step": "3", **{f"opposite_{t.pk}": OPPOSITES[t.text] for t in worst}})
    ids = [str(t.pk) for t in profile.traits.order_by("source", "position")]
    response = client.post(edit, {"step": "4", "chosen": ids[:4]}, follow=True)
    assert "Выберите ровно 5 самых важных черт, выбрано: 4" in response.content.decode()
    client.post(edit, {"step": "4", "chosen": ids, f"weight_{ids[0]}": "2"})
    response = client.post(reverse("companies:profile_activate", args=[profile.pk]))
    assert response["Location"] == reverse("companies:profile_grid", args=[profile.pk])
    profile.refresh_from_db()
    assert profile.is_active
    trait = profiles.profile_traits(profile=profile)[0]
    score_url = reverse("companies:profile_score", args=[profile.pk])
    response = client.post(
        score_url, {"company": company.pk, "trait": trait.pk, "score": "−4"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "-80%" in response.content.decode()  # 2·(−4) / (5·2)
    assert ProfileScore.objects.get().score == -4
    response = client.post(score_url, {"company": company.pk, "trait": trait.pk, "score": "9"})
    assert (response.status_code, response.content.decode()) == (
        422,
        "Оценка — целое число от −5 до +5, получено «9»",
    )
    assert ProfileScore.objects.get().score == -4


def test_an_admin_builds_a_profile_for_a_team_they_name(client, cast):
    dana = cast["users"]["dana"]
    client.force_login(dana)
    response = client.post(reverse("companies:profile_new"), follow=True)
    assert str(profiles.PROFILE_NEEDS_TEAM) in response.content.decode()
    client.post(reverse("companies:profile_new"), {"team": cast["users"]["charlie"].team_id})
    assert IdealProfile.objects.get().team.name == "Юг"


def test_the_grid_has_a_query_budget(client, cast, django_assert_max_num_queries):
    alice = cast["users"]["alice"]
    profile = build_profile(alice)
    from clientfocus.core.testing.factories import CompanyFactory

    CompanyFactory.create_batch(30, owner=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("companies:profile_grid", args=[profile.pk]))
    assert len(response.context["rows"]) == 31
