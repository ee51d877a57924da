"""The named cast every test uses (STYLE.md, habit 7).

- seller_alice and seller_erin: sellers in team «Север», managed by manager_bob;
- seller_charlie: a seller in team «Юг»;
- admin_dana: an admin, sees everything.
Each seller owns a small Russian portfolio: a company with a contact, sales, an activity, a deal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from clientfocus.accounts.models import Role, User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.node.name:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test's keys (data version, snapshot
    id) can come back in the next test with other data behind them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _russian_first():
    """Each test starts in Russian, the default; a test that switched to English leaves no trace."""
    from django.utils import translation

    translation.activate("ru")
    yield
    translation.deactivate()


@dataclass
class Portfolio:
    company: object
    contact: object
    activity: object
    deal: object
    sale: object


@pytest.fixture
def team_north(db):
    from clientfocus.core.testing.factories import TeamFactory

    return TeamFactory(name="Север")


@pytest.fixture
def team_south(db):
    from clientfocus.core.testing.factories import TeamFactory

    return TeamFactory(name="Юг")


def _user(username: str, role: str, team, first: str, last: str) -> User:
    from clientfocus.core.testing.factories import UserFactory

    return UserFactory(
        username=username,
        role=role,
        team=team,
        first_name=first,
        last_name=last,
        is_superuser=role == Role.ADMIN,
    )


@pytest.fixture
def seller_alice(team_north):
    return _user("alice", Role.SELLER, team_north, "Алиса", "Смирнова")


@pytest.fixture
def seller_erin(team_north):
    return _user("erin", Role.SELLER, team_north, "Ирина", "Егорова")


@pytest.fixture
def manager_bob(team_north):
    return _user("bob", Role.MANAGER, team_north, "Борис", "Петров")


@pytest.fixture
def seller_charlie(team_south):
    return _user("charlie", Role.SELLER, team_south, "Кирилл", "Чернов")


@pytest.fixture
def admin_dana(db):
    return _user("dana", Role.ADMIN, None, "Дана", "Орлова")


def make_portfolio(owner: User, name: str) -> Portfolio:
    from clientfocus.core.testing.factories import (
        ActivityFactory,
        CompanyFactory,
        ContactFactory,
        DealFactory,
    )
    from clientfocus.sales.models import Sale
    from clientfocus.sales.services import sale_create

    company = CompanyFactory(name=name, owner=owner)
    contact = ContactFactory(company=company)
    activity = ActivityFactory(company=company, contact=contact)
    deal = DealFactory(company=company)
    sale_create(
        actor=owner,
        company=company,
        date=dt.date(2026, 9, 15),
        invoice=f"С-{company.pk}",
        line_no=1,
        amount_minor=1_250_000_00,
        margin_minor=250_000_00,
        product_group="Кабель",
    )
    return Portfolio(company, contact, activity, deal, Sale.objects.get(company=company))


@pytest.fixture
def cast(seller_alice, seller_erin, manager_bob, seller_charlie, admin_dana):
    """Everyone, each seller's portfolio, and the analysis snapshot over them."""
    from clientfocus.portfolio.services import analysis_recompute

    portfolios = {
        "alice": make_portfolio(seller_alice, "ООО «Ромашка»"),
        "erin": make_portfolio(seller_erin, "АО «Северный кабель»"),
        "charlie": make_portfolio(seller_charlie, "ООО «Южный ветер»"),
    }
    analysis_recompute(actor=None, as_of=dt.date(2026, 11, 25))
    return {
        "users": {
            "alice": seller_alice,
            "erin": seller_erin,
            "bob": manager_bob,
            "charlie": seller_charlie,
            "dana": admin_dana,
        },
        "portfolios": portfolios,
    }
