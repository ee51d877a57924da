"""Over every URL that exists: nobody reads or changes what is not theirs.

Another's object answers exactly like a missing one (404 in the workspace; the admin's
"does not exist" redirect in the admin), and nothing is written.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientfocus.activities.models import Activity
from clientfocus.companies.models import Company, Contact
from clientfocus.deals.models import Deal
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.sales.models import MonthlySales, Sale

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
LIST_URLS = {"portfolio:myday", "portfolio:portfolio", "portfolio:analysis", "companies:list"}
OBJECT_URLS = {"companies:detail": lambda p: {"pk": p.company.pk}}
# Pages for some roles only: who gets 200 (everybody else 403, and nothing is written).
ROLE_URLS = {
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
}


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

SCOPED_MODELS = [Company, Contact, Sale, MonthlySales, Activity, Deal, CompanyAnalysis]


def _object_of(model, portfolio):
    if model is Company:
        return portfolio.company
    if model is MonthlySales:
        return MonthlySales.objects.get(company=portfolio.company)
    if model is CompanyAnalysis:
        return CompanyAnalysis.objects.get(company=portfolio.company)
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
