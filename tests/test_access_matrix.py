"""Over every URL that exists: nobody reads or changes what is not theirs.

Another's object answers exactly like a missing one (404 in the workspace; the admin's
"does not exist" redirect in the admin), and nothing is written.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientfocus.activities.models import Activity, FeedbackRequest, WeeklyPlan, WeeklyPlanItem
from clientfocus.companies.models import Company, Contact
from clientfocus.deals.models import Deal, DealStageChange
from clientfocus.planning.models import AccountPlan, Goal, MarketPlan, MarketPlanReview, PlannedVisit
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.sales.models import DailySales, MonthlySales, Sale

# Who sees whose portfolio (accounts/access.py).
VISIBLE = {
    "alice": {"alice"},
    "erin": {"erin"},
    "bob": {"alice", "erin"},
    "charlie": {"charlie"},
    "dana": {"alice", "erin", "charlie"},
}
OWNERS = ("alice", "erin", "charlie")

# Every named workspace URL must be listed in exactly one of these.
PUBLIC_URLS = {"login", "logout", "set_language"}
LIST_URLS = {
    "portfolio:myday",
    "portfolio:portfolio",
    "portfolio:analysis",
    "companies:list",
    "deals:board",
    "planning:key_accounts",
    "imports:export",
    "activities:feedback_list",
}
OBJECT_URLS = {
    "companies:detail": lambda p: {"pk": p.company.pk},
    "deals:detail": lambda p: {"pk": p.deal.pk},
    "planning:plan": lambda p: {"pk": p.company.pk},
    "activities:feedback_answer": lambda p: {"pk": _feedback_of(p).pk},
    "activities:week_ics": lambda p: {"pk": _week_plan_of(p).pk},
}
# Pages for some roles only: who gets 200 (everybody else 403, and nothing is written).
ROLE_URLS = {
    "imports:start": {"alice", "erin", "bob", "charlie", "dana"},
    "portfolio:team": {"bob", "dana"},
    "portfolio:settings": {"dana"},
}
ROLE_POST_URLS = {"portfolio:recompute": {"bob", "dana"}}
# Writes on one object: (url name, kwargs for a portfolio, POST data, "nothing changed" check).
OBJECT_POST_URLS = {
    "activities:create": (
        lambda p: {"company_id": p.company.pk},
        {"kind": "call", "state": "done", "date": "2026-11-20", "subject": "Звонок"},
    ),
    "activities:done": (lambda p: {"pk": p.activity.pk}, {}),
    "deals:advance": (lambda p: {"pk": p.deal.pk}, {"stage": "NEEDS_ANALYSIS"}),
    "deals:update": (lambda p: {"pk": p.deal.pk}, {"title": "Взлом", "amount": "1"}),
    "deals:create": (lambda p: {"company_id": p.company.pk}, {"title": "Чужая", "amount": "1"}),
    "deals:company_status": (lambda p: {"pk": p.company.pk}, {"status": "LOYAL"}),
    "deals:company_liquidate": (lambda p: {"pk": p.company.pk}, {"on": "2026-11-01"}),
    "planning:plan": (lambda p: {"pk": p.company.pk}, {"review_on": "2030-01-01", "strategy": "Взлом"}),
    "planning:visit_create": (lambda p: {"pk": p.company.pk}, {"date": "2030-01-10", "stage": "probe"}),
    "planning:visit_done": (lambda p: {"pk": _visit_of(p).pk}, {"outcome": "Взлом"}),
    "activities:feedback_request": (lambda p: {"company_id": p.company.pk}, {}),
    "activities:feedback_answer": (
        lambda p: {"pk": _feedback_of(p).pk},
        {
            "answer": "Взлом",
            "follow_up_kind": "call",
            "follow_up_date": "2030-01-10",
            "follow_up_subject": "x",
        },
    ),
    "activities:week_build": (lambda p: {"seller_id": p.company.owner_id}, {"week": "2026-12-07"}),
    "activities:week_accept": (lambda p: {"pk": _week_plan_of(p).pk}, {}),
    "activities:week_add": (
        lambda p: {"pk": _week_plan_of(p).pk},
        {"company": "1", "date": "2026-12-08", "kind": "call"},
    ),
    "activities:week_item_edit": (
        lambda p: {"pk": _week_item_of(p).pk},
        {"date": "2026-12-08", "kind": "visit"},
    ),
    "activities:week_item_remove": (lambda p: {"pk": _week_item_of(p).pk}, {}),
}

# Import jobs: visible to the user who made them and to admins. (url name, POST data or None for GET).
JOB_URLS = {
    "imports:job": {"kind": "sales", "col_amount": "Сумма"},
    "imports:progress": None,
    "imports:run": {},
    "imports:save_mapping": {"name": "Чужое"},
    "imports:report": None,
    "imports:rejects": None,
}
JOB_VISIBLE = {who: {who} for who in VISIBLE} | {"dana": set(VISIBLE)}


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_url_is_in_the_matrix():
    covered = (
        PUBLIC_URLS
        | LIST_URLS
        | set(OBJECT_URLS)
        | set(ROLE_URLS)
        | set(ROLE_POST_URLS)
        | set(OBJECT_POST_URLS)
        | set(JOB_URLS)
        | set(TEAM_URLS)
        | set(MARKET_PLAN_URLS)
    )
    assert _names(get_resolver()) == covered


def _state():
    """Everything a denied request must leave untouched."""
    from clientfocus.accounts.models import AuditEntry
    from clientfocus.portfolio.models import AnalysisSettings, Snapshot

    return (
        list(Activity.objects.order_by("pk").values()),
        Snapshot.objects.count(),
        list(AnalysisSettings.objects.values()),
        AuditEntry.objects.count(),
        _selling_method_state(),
    )


@pytest.mark.parametrize("who", list(VISIBLE))
def test_role_pages_are_for_their_roles_only(client, cast, who):
    client.force_login(cast["users"][who])
    for name, allowed in ROLE_URLS.items():
        assert client.get(reverse(name)).status_code == (200 if who in allowed else 403), (who, name)
    for name, allowed in ROLE_POST_URLS.items():
        before = _state()
        response = client.post(reverse(name), {"back": "analysis"})
        if who in allowed:
            assert response.status_code == 302
        else:
            assert response.status_code == 403
            assert _state() == before


@pytest.mark.parametrize("who", list(VISIBLE))
def test_writes_on_others_objects_answer_404_and_change_nothing(client, cast, who):
    client.force_login(cast["users"][who])
    for name, (kwargs_for, data) in OBJECT_POST_URLS.items():
        for owner in OWNERS:
            if owner in VISIBLE[who]:
                continue
            before = _state()
            response = client.post(reverse(name, kwargs=kwargs_for(cast["portfolios"][owner])), data)
            assert response.status_code == 404, (who, name, owner)
            assert _state() == before


def test_writes_on_your_own_objects_work(client, cast):
    client.force_login(cast["users"]["alice"])
    mine = cast["portfolios"]["alice"]
    before = Activity.objects.filter(company=mine.company).count()
    response = client.post(
        reverse("activities:create", kwargs={"company_id": mine.company.pk}),
        {"kind": "call", "state": "done", "date": "2026-11-20", "subject": "Звонок"},
    )
    assert response.status_code == 302
    assert Activity.objects.filter(company=mine.company).count() == before + 1


@pytest.mark.parametrize("who", list(VISIBLE))
def test_object_pages_answer_404_for_what_is_not_yours(client, cast, who):
    client.force_login(cast["users"][who])
    for name, kwargs_for in OBJECT_URLS.items():
        for owner in OWNERS:
            url = reverse(name, kwargs=kwargs_for(cast["portfolios"][owner]))
            expected = 200 if owner in VISIBLE[who] else 404
            assert client.get(url).status_code == expected, (who, name, owner)
        missing = reverse(name, kwargs={"pk": 987654321})
        assert client.get(missing).status_code == 404


@pytest.mark.parametrize("who", list(VISIBLE))
def test_list_pages_show_only_what_is_yours(client, cast, who):
    client.force_login(cast["users"][who])
    for name in LIST_URLS:
        html = client.get(reverse(name), follow=True).content.decode()
        for owner in OWNERS:
            company = cast["portfolios"][owner].company
            assert (company.name in html) == (owner in VISIBLE[who]), (who, name, owner)


def test_anonymous_users_are_sent_to_login(client, cast):
    for name in LIST_URLS | set(ROLE_URLS):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for name, kwargs_for in OBJECT_URLS.items():
        response = client.get(reverse(name, kwargs=kwargs_for(cast["portfolios"]["alice"])))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- the admin -------------------------------------------------------------------------------

SCOPED_MODELS = [
    Company,
    Contact,
    Sale,
    MonthlySales,
    DailySales,
    Activity,
    Deal,
    CompanyAnalysis,
    DealStageChange,
    AccountPlan,
    PlannedVisit,
    FeedbackRequest,
    WeeklyPlanItem,
]


def _object_of(model, portfolio):
    if model is Company:
        return portfolio.company
    if model is MonthlySales:
        return MonthlySales.objects.get(company=portfolio.company)
    if model is DailySales:
        return DailySales.objects.get(company=portfolio.company)
    if model is CompanyAnalysis:
        return CompanyAnalysis.objects.get(company=portfolio.company)
    if model is DealStageChange:
        return DealStageChange.objects.get(deal=portfolio.deal)
    if model is AccountPlan:
        return AccountPlan.objects.get(company=portfolio.company)
    if model is FeedbackRequest:
        return _feedback_of(portfolio)
    if model is WeeklyPlanItem:
        return _week_item_of(portfolio)
    if model is PlannedVisit:
        return _visit_of(portfolio)
    return {
        Contact: portfolio.contact,
        Sale: portfolio.sale,
        Activity: portfolio.activity,
        Deal: portfolio.deal,
    }[model]


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m.__module__.startswith("clientfocus.")}
    assert ours <= set(admin.site._registry), ours - set(admin.site._registry)


@pytest.mark.parametrize("who", list(VISIBLE))
@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_admin_shows_and_opens_only_what_is_yours(client, cast, who, model):
    client.force_login(cast["users"][who])
    changelist = client.get(_admin_url(model, "changelist"))
    assert changelist.status_code == 200
    shown = {obj.pk for obj in changelist.context["cl"].result_list}
    expected = {_object_of(model, cast["portfolios"][o]).pk for o in VISIBLE[who]}
    assert shown == expected
    missing = client.get(_admin_url(model, "change", 987654321))
    for owner in OWNERS:
        obj = _object_of(model, cast["portfolios"][owner])
        response = client.get(_admin_url(model, "change", obj.pk))
        if owner in VISIBLE[who]:
            assert response.status_code == 200
        else:
            # The same answer as for an object that does not exist.
            assert (response.status_code, response.get("Location")) == (
                missing.status_code,
                missing.get("Location"),
            )


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_admin_writes_to_others_objects_change_nothing(client, cast, who):
    client.force_login(cast["users"][who])
    for owner in OWNERS:
        if owner in VISIBLE[who]:
            continue
        company = cast["portfolios"][owner].company
        before = Company.objects.filter(pk=company.pk).values().get()
        client.post(_admin_url(Company, "change", company.pk), {"name": "Взлом", "status": "CLIENT"})
        client.post(_admin_url(Company, "delete", company.pk), {"post": "yes"})
        deal = cast["portfolios"][owner].deal
        client.post(_admin_url(Deal, "delete", deal.pk), {"post": "yes"})
        assert Company.objects.filter(pk=company.pk).values().get() == before
        assert Deal.objects.filter(pk=deal.pk).exists()


def test_a_seller_cannot_attach_a_contact_to_anothers_company(client, cast):
    client.force_login(cast["users"]["alice"])
    target = cast["portfolios"]["charlie"].company
    before = Contact.objects.count()
    response = client.post(
        _admin_url(Contact, "add"),
        {"company": target.pk, "full_name": "Чужой Контакт", "role": "other", "is_active": "on"},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert Contact.objects.count() == before


def test_users_and_teams_are_for_admins_only(client, cast):
    from clientfocus.accounts.models import Team, User

    for who in ("alice", "bob", "charlie"):
        client.force_login(cast["users"][who])
        assert client.get(_admin_url(User, "changelist")).status_code == 403
        assert client.get(_admin_url(Team, "changelist")).status_code == 403
        before = User.objects.count()
        client.post(
            _admin_url(User, "add"), {"username": "intruder", "password1": "x" * 12, "password2": "x" * 12}
        )
        assert User.objects.count() == before
    client.force_login(cast["users"]["dana"])
    assert client.get(_admin_url(User, "changelist")).status_code == 200


# --- import jobs -----------------------------------------------------------------------------


def _jobs(cast, tmp_path):
    from clientfocus.imports.services import job_create_path

    path = tmp_path / "sales.csv"
    text = "Контрагент;ИНН;Дата;Номер;Сумма\r\nООО Ромашка;7707083893;15.01.2025;С-1;100\r\n"
    path.write_bytes(text.encode("cp1251"))
    users = cast["users"].items()
    return {who: job_create_path(actor=user, path=str(path), kind="sales") for who, user in users}


def _job_state():
    from clientfocus.imports.models import ImportJob, SavedMapping
    from clientfocus.sales.models import Sale

    jobs = list(ImportJob.objects.order_by("pk").values())
    return (jobs, SavedMapping.objects.count(), Sale.objects.count())


@pytest.mark.parametrize("who", list(VISIBLE))
def test_import_jobs_of_others_answer_404_and_change_nothing(client, cast, who, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.IMPORTS_RUN_INLINE = True
    jobs = _jobs(cast, tmp_path)
    client.force_login(cast["users"][who])
    for owner, job in jobs.items():
        for name, data in JOB_URLS.items():
            url = reverse(name, kwargs={"pk": job.pk})
            before = _job_state()
            response = client.get(url) if data is None else client.post(url, data)
            if owner in JOB_VISIBLE[who]:
                if name == "imports:job":
                    assert response.status_code in (200, 302), (who, name, owner)
                continue
            assert response.status_code == 404, (who, name, owner)
            assert _job_state() == before
        if owner in JOB_VISIBLE[who]:
            assert client.get(reverse("imports:job", kwargs={"pk": job.pk})).status_code == 200
    missing = reverse("imports:job", kwargs={"pk": 987654321})
    assert client.get(missing).status_code == 404


# --- the selling method: deal history, key-account plans and their visits ---------------------


@pytest.fixture
def cast(cast):
    """The conftest cast, plus for each seller a stage change of the deal and a key-account plan
    with one planned visit, so that every URL and admin page has an object of each owner."""
    import datetime as dt

    for p in cast["portfolios"].values():
        DealStageChange.objects.create(
            deal=p.deal, from_stage="", to_stage=p.deal.stage, changed_on=p.deal.created_on
        )
        plan = AccountPlan.objects.create(
            company=p.company, review_on=dt.date(2027, 2, 1), reviewed_on=dt.date(2026, 11, 1)
        )
        PlannedVisit.objects.create(plan=plan, date=dt.date(2026, 12, 1), stage="probe")
        # A feedback request and a weekly plan with one item (activities/feedback.py, weekly.py).
        from django.utils import timezone

        FeedbackRequest.objects.create(
            company=p.company,
            seller=p.company.owner,
            alert_as_of=dt.date(2026, 11, 25),
            questions="?",
            requested_at=timezone.now(),
        )
        week = WeeklyPlan.objects.create(
            seller=p.company.owner, week_start=dt.date(2026, 12, 7), generated_at=timezone.now()
        )
        WeeklyPlanItem.objects.create(plan=week, company=p.company, date=dt.date(2026, 12, 7), kind="call")
        _goal_for(p.company.owner)
    return cast


def _visit_of(portfolio):
    return PlannedVisit.objects.get(plan__company=portfolio.company)


def _selling_method_state():
    return (
        list(Company.objects.order_by("pk").values()),
        list(Deal.objects.order_by("pk").values()),
        list(DealStageChange.objects.order_by("pk").values()),
        list(AccountPlan.objects.order_by("pk").values()),
        list(PlannedVisit.objects.order_by("pk").values()),
        list(Goal.objects.order_by("pk").values()),
        list(MarketPlan.objects.order_by("pk").values()),
        list(MarketPlanReview.objects.order_by("pk").values()),
        list(FeedbackRequest.objects.order_by("pk").values()),
        list(WeeklyPlan.objects.order_by("pk").values()),
        list(WeeklyPlanItem.objects.order_by("pk").values()),
    )


# --- the ideal customer profile (a team's) and dossiers (a company's) ---------------------------

ROLE_URLS["companies:profiles"] = set(VISIBLE)
ROLE_POST_URLS["companies:profile_new"] = set(VISIBLE)  # one's own team only (admins pick one)
OBJECT_URLS["companies:dossier"] = lambda p: {"pk": p.company.pk}
OBJECT_URLS["companies:contact_dossier"] = lambda p: {"pk": p.contact.pk}
OBJECT_POST_URLS["companies:dossier_save"] = (
    lambda p: {"pk": p.company.pk},
    {"section": "competitors", "q_competitors": "Взлом"},
)
OBJECT_POST_URLS["companies:contact_dossier_save"] = (
    lambda p: {"pk": p.contact.pk},
    {"section": "recommenders", "q_recommenders": "Взлом"},
)

# A profile belongs to a team: its members and admins read and use it. (url name, POST data,
# a function of (cast, profile) for POST data, or None for GET.)
TEAM_VISIBLE = {"alice": {"north"}, "erin": {"north"}, "bob": {"north"}, "charlie": {"south"}}
TEAM_VISIBLE["dana"] = {"north", "south"}
TEAM_URLS = {
    "companies:profile": None,
    "companies:profile_grid": None,
    "companies:profile_edit": {"step": "1", "clients": "Взлом", "traits": "Взлом"},
    "companies:profile_activate": {},
    "companies:profile_score": lambda profile, company: {
        "company": company.pk,
        "trait": profile.traits.filter(rank=1).get().pk,
        "score": "-5",
    },
}


@pytest.fixture
def team_profiles(cast):
    """An active profile for «Север» (built by alice) and one for «Юг» (built by charlie)."""
    from clientfocus.companies.tests.test_profiles import build_profile

    return {
        "north": build_profile(cast["users"]["alice"]),
        "south": build_profile(cast["users"]["charlie"]),
    }


def _profile_state():
    from clientfocus.accounts.models import AuditEntry
    from clientfocus.companies.models import IdealProfile, ProfileScore, ProfileTrait

    return (
        list(IdealProfile.objects.order_by("pk").values()),
        list(ProfileTrait.objects.order_by("pk").values()),
        list(ProfileScore.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("who", list(VISIBLE))
def test_other_teams_profiles_answer_404_and_change_nothing(client, cast, team_profiles, who):
    client.force_login(cast["users"][who])
    team_company = {
        "north": cast["portfolios"]["alice"].company,
        "south": cast["portfolios"]["charlie"].company,
    }
    for team, profile in team_profiles.items():
        for name, data in TEAM_URLS.items():
            url = reverse(name, kwargs={"pk": profile.pk})
            payload = data(profile, team_company[team]) if callable(data) else data
            before = _profile_state()
            response = client.get(url) if payload is None else client.post(url, payload)
            if team in TEAM_VISIBLE[who]:
                if payload is None:
                    assert response.status_code == 200, (who, name, team)
                continue
            assert response.status_code == 404, (who, name, team)
            assert _profile_state() == before
    for name in TEAM_URLS:
        assert client.get(reverse(name, kwargs={"pk": 987654321})).status_code in (404, 405)


@pytest.mark.parametrize("who", ["erin", "bob", "charlie"])
def test_scoring_a_company_you_cannot_see_answers_404_and_changes_nothing(client, cast, team_profiles, who):
    """erin shares alice's team profile but not her companies; charlie has neither."""
    client.force_login(cast["users"][who])
    profile = team_profiles["north"]
    for owner in OWNERS:
        if owner in VISIBLE[who]:
            continue
        before = _profile_state()
        data = TEAM_URLS["companies:profile_score"](profile, cast["portfolios"][owner].company)
        response = client.post(reverse("companies:profile_score", kwargs={"pk": profile.pk}), data)
        assert response.status_code == 404, (who, owner)
        assert _profile_state() == before


@pytest.mark.parametrize("who", list(VISIBLE))
def test_admin_shows_profiles_scores_and_dossiers_only_to_whom_they_belong(client, cast, team_profiles, who):
    import datetime as dt

    from clientfocus.companies.dossiers import dossier_save
    from clientfocus.companies.models import (
        Dossier,
        DossierAnswer,
        DossierChange,
        IdealProfile,
        ProfileScore,
        ProfileTrait,
    )
    from clientfocus.companies.profiles import score_set

    team_of = {"alice": "north", "erin": "north", "charlie": "south"}
    objects = {}
    for owner in OWNERS:
        user, company = cast["users"][owner], cast["portfolios"][owner].company
        profile = team_profiles[team_of[owner]]
        trait = profile.traits.filter(rank=2).get()
        score = score_set(
            actor=user, profile=profile, trait=trait, company=company, score=4, today=dt.date(2026, 11, 25)
        )
        dossier = dossier_save(actor=user, company=company, answers={"competitors": "«Кабель-Сервис»"})
        objects[owner] = {
            ProfileScore: score.pk,
            Dossier: dossier.pk,
            DossierAnswer: DossierAnswer.objects.get(dossier=dossier).pk,
            DossierChange: DossierChange.objects.get(dossier=dossier).pk,
        }
    client.force_login(cast["users"][who])
    for model in (ProfileScore, Dossier, DossierAnswer, DossierChange):
        shown = {o.pk for o in client.get(_admin_url(model, "changelist")).context["cl"].result_list}
        assert shown == {objects[o][model] for o in VISIBLE[who]}, (who, model)
        missing = client.get(_admin_url(model, "change", 987654321))
        for owner in OWNERS:
            response = client.get(_admin_url(model, "change", objects[owner][model]))
            if owner in VISIBLE[who]:
                assert response.status_code == 200
            else:
                assert (response.status_code, response.get("Location")) == (
                    missing.status_code,
                    missing.get("Location"),
                )
    for model in (IdealProfile, ProfileTrait):
        shown = {o.pk for o in client.get(_admin_url(model, "changelist")).context["cl"].result_list}
        teams = {team_profiles[t].pk for t in TEAM_VISIBLE[who]}
        expected = (
            teams
            if model is IdealProfile
            else set(ProfileTrait.objects.filter(profile_id__in=teams).values_list("pk", flat=True))
        )
        assert shown == expected, (who, model)


# --- SMART goals (a seller's or a team's), market plans (a team's), best-practice groups ---------

# Pages that name people and teams, never companies: every role opens them (each sees its own).
for _name in ("planning:goals", "planning:goal_new", "planning:groups", "planning:market_plans"):
    ROLE_URLS[_name] = set(VISIBLE)
OBJECT_URLS["planning:goal"] = lambda p: {"pk": _seller_goal(p).pk}
OBJECT_POST_URLS["planning:goal"] = (
    lambda p: {"pk": _seller_goal(p).pk},
    {"specific": "Взлом", "target": "1", "start": "2026-10-01", "deadline": "2026-12-31"},
)
OBJECT_POST_URLS["planning:goal_close"] = (lambda p: {"pk": _seller_goal(p).pk}, {})
# A market plan belongs to a team: its members read it, its manager and admins change it.
MARKET_PLAN_URLS = {
    "planning:market_plan": {"period_start": "2026-10-01", "period_end": "2027-09-30", "where": "Взлом"}
}
MARKET_PLAN_EDITORS = {"bob", "dana"}


def _goal_for(seller):
    import datetime as dt

    return Goal.objects.create(
        seller=seller,
        metric="revenue",
        specific=f"Цель {seller.username}",
        baseline=0,
        target=100,
        start=dt.date(2026, 10, 1),
        deadline=dt.date(2026, 12, 31),
        created_on=dt.date(2026, 10, 1),
    )


def _seller_goal(portfolio):
    return Goal.objects.get(seller=portfolio.company.owner)


@pytest.fixture
def market_plans(cast):
    import datetime as dt

    from clientfocus.planning.services import MarketPlanFields, market_plan_save

    dana = cast["users"]["dana"]
    fields = MarketPlanFields(period_start=dt.date(2026, 10, 1), period_end=dt.date(2027, 9, 30))
    return {
        team: market_plan_save(
            actor=dana, team=cast["users"][member].team, fields=fields, today=dt.date(2026, 10, 5)
        )
        for team, member in (("north", "alice"), ("south", "charlie"))
    }


@pytest.mark.parametrize("who", list(VISIBLE))
def test_other_teams_market_plans_answer_404_and_change_nothing(client, cast, market_plans, who):
    client.force_login(cast["users"][who])
    for team, plan in market_plans.items():
        for name, data in MARKET_PLAN_URLS.items():
            url = reverse(name, kwargs={"pk": plan.team_id})
            visible = team in TEAM_VISIBLE[who]
            assert client.get(url).status_code == (200 if visible else 404), (who, name, team)
            before = _state()
            response = client.post(url, data)
            if visible and who in MARKET_PLAN_EDITORS:
                assert response.status_code == 302, (who, name, team)
                continue
            assert response.status_code == (403 if visible else 404), (who, name, team)
            assert _state() == before
    assert client.get(reverse("planning:market_plan", kwargs={"pk": 987654321})).status_code == 404


@pytest.mark.parametrize("who", list(VISIBLE))
def test_admin_shows_goals_and_market_plans_only_to_whom_they_belong(client, cast, market_plans, who):
    client.force_login(cast["users"][who])
    goals = {o: _seller_goal(cast["portfolios"][o]).pk for o in OWNERS}
    shown = {o.pk for o in client.get(_admin_url(Goal, "changelist")).context["cl"].result_list}
    assert shown == {goals[o] for o in VISIBLE[who]}
    plans = {o.pk for o in client.get(_admin_url(MarketPlan, "changelist")).context["cl"].result_list}
    assert plans == {market_plans[t].pk for t in TEAM_VISIBLE[who]}
    reviews = {
        o.plan_id for o in client.get(_admin_url(MarketPlanReview, "changelist")).context["cl"].result_list
    }
    assert reviews == {market_plans[t].pk for t in TEAM_VISIBLE[who]}
    for owner in OWNERS:
        response = client.get(_admin_url(Goal, "change", goals[owner]))
        if owner not in VISIBLE[who]:
            assert response.status_code == 302  # the admin's "does not exist" redirect


# --- feedback requests and weekly plans (activities/feedback.py, activities/weekly.py) -----------

ROLE_URLS["activities:week"] = set(VISIBLE)


def _feedback_of(portfolio):
    return FeedbackRequest.objects.get(company=portfolio.company)


def _week_plan_of(portfolio):
    return WeeklyPlan.objects.get(seller=portfolio.company.owner)


def _week_item_of(portfolio):
    return WeeklyPlanItem.objects.get(company=portfolio.company)
