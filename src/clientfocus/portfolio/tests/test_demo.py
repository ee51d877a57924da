"""The demo portfolio (issue 2, item 4): deterministic, valid, realistic, and its rollup exact.

Each test loads a small demo (300 companies, 30,000 lines) as of a pinned date; the figures
the method needs (Pareto, lost and falling clients, never-bought prospects, overdue touches,
every deal stage) must be there for the pages and the analysis to show something true.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from statistics import median

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum

from clientfocus.accounts.models import Role, User
from clientfocus.activities.models import Activity, State
from clientfocus.companies.models import Company, Contact, Status, company_search_text, size_band_for
from clientfocus.deals.models import Deal, Stage
from clientfocus.exchange.inn import is_valid_inn
from clientfocus.portfolio.demo import (
    DEMO_NOT_EMPTY,
    DEMO_PASSWORD,
    DEMO_USERS,
    REGIONS,
    DemoError,
    DemoSpec,
    demo_load,
    demo_users_exist,
)
from clientfocus.sales.models import MonthlySales, Sale
from clientfocus.sales.services import rollup_rebuild_all

AS_OF = dt.date(2026, 11, 25)
SPEC = DemoSpec(companies=300, lines=30_000, seed=7, as_of=AS_OF)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_passwords(settings):
    # Argon2 costs ~0.1 s a user; only test_demo_users checks the real hasher.
    settings.PASSWORD_HASHERS = FAST_HASHER


@pytest.fixture
def loaded(fast_passwords):
    return demo_load(SPEC, progress=False)


def revenue_12m() -> dict[int, int]:
    """PRODUCT.md §1: sales in (T−365d, T], returns included, from the lines themselves."""
    rows = (
        Sale.objects.filter(date__gt=AS_OF - dt.timedelta(days=365), date__lte=AS_OF)
        .values("company_id")
        .annotate(r=Sum("amount_minor"))
    )
    return {r["company_id"]: r["r"] for r in rows}


def fingerprint() -> dict[str, object]:
    """Aggregates that change when any generated value changes (ids left out: they depend on
    what the database handed out before)."""

    def digest(values: list[tuple[object, ...]]) -> str:
        # Sorted here, not by the database: ties may come back in any order.
        return hashlib.sha256(repr(sorted(values, key=repr)).encode()).hexdigest()

    companies = list(
        Company.objects.order_by("inn").values_list(
            "name",
            "inn",
            "kpp",
            "industry",
            "region",
            "employees",
            "status",
            "liquidated",
            "liquidated_on",
            "relationship",
            "owner__username",
            "source",
            "phone",
        )
    )
    sales = Sale.objects.aggregate(
        n=Count("id"),
        amount=Sum("amount_minor"),
        margin=Sum("margin_minor"),
        invoices=Count("invoice", distinct=True),
        last=Max("date"),
    )
    by_company = list(
        Sale.objects.values("company__inn")
        .annotate(a=Sum("amount_minor"), n=Count("id"))
        .order_by("company__inn")
        .values_list("company__inn", "a", "n")
    )
    rollup = list(
        MonthlySales.objects.values_list(
            "company__inn", "month", "revenue_minor", "margin_minor", "invoices", "lines"
        ).order_by("company__inn", "month")
    )
    contacts = list(
        Contact.objects.order_by("company__inn", "full_name", "phone").values_list(
            "company__inn", "full_name", "position", "role", "phone", "email"
        )
    )
    activities = list(
        Activity.objects.order_by("company__inn", "date", "kind", "state", "subject").values_list(
            "company__inn", "date", "kind", "state", "subject", "outcome", "seller__username"
        )
    )
    deals = list(
        Deal.objects.order_by("company__inn", "created_on", "title", "amount_minor").values_list(
            "company__inn", "title", "stage", "amount_minor", "need_type", "expected_close", "closed_on"
        )
    )
    return {
        "companies": digest(companies),
        "sales": sales,
        "by_company": digest(by_company),
        "rollup": digest(rollup),
        "contacts": digest(contacts),
        "activities": digest(activities),
        "deals": digest(deals),
    }


def load_and_forget(spec: DemoSpec) -> tuple[tuple[int, ...], dict[str, object]]:
    """Load into the empty test database, fingerprint, and roll back: the next load starts from
    a fresh database again."""
    with transaction.atomic():
        result = demo_load(spec, progress=False)
        counts = (result.companies, result.lines, result.contacts, result.activities, result.deals)
        printed = fingerprint()
        transaction.set_rollback(True)
    return counts, printed


@pytest.mark.django_db
def test_same_seed_same_portfolio(fast_passwords):
    first = load_and_forget(SPEC)
    assert Company.objects.count() == 0
    assert load_and_forget(SPEC) == first
    _counts, other = load_and_forget(DemoSpec(companies=300, lines=30_000, seed=8, as_of=AS_OF))
    assert other["companies"] != first[1]["companies"]
    assert other["sales"] != first[1]["sales"]


@pytest.mark.django_db
def test_counts_match_the_spec(loaded):
    assert (loaded.companies, loaded.lines) == (300, 30_000)
    assert Company.objects.count() == 300
    assert Sale.objects.count() == 30_000
    assert Contact.objects.count() == loaded.contacts > 300
    assert Activity.objects.count() == loaded.activities > 1000
    assert Deal.objects.count() == loaded.deals > 50
    assert MonthlySales.objects.aggregate(n=Sum("lines"))["n"] == 30_000
    assert Sale.objects.filter(date__gt=AS_OF).count() == 0
    first = Sale.objects.order_by("date").values_list("date", flat=True).first()
    assert first is not None and first >= dt.date(2023, 12, 1)  # 36 months, the last one partial


@pytest.mark.django_db
def test_rollup_equals_the_rebuilt_rollup(loaded):
    def snapshot() -> list[tuple[object, ...]]:
        return list(
            MonthlySales.objects.order_by("company_id", "month").values_list(
                "company_id",
                "month",
                "revenue_minor",
                "margin_minor",
                "invoices",
                "lines",
                "first_day",
                "last_day",
            )
        )

    written = snapshot()
    assert len(written) > 3000
    rollup_rebuild_all()
    assert snapshot() == written


@pytest.mark.django_db
def test_companies_are_valid_records(loaded):
    codes = {r.name: r.code for r in REGIONS}
    for company in Company.objects.all():
        company.full_clean()  # ИНН checksum, КПП shape, choices, lengths
        assert is_valid_inn(company.inn), company.inn
        assert company.inn[:2] == codes[company.region]
        if company.name.startswith("ИП "):
            assert len(company.inn) == 12 and company.kpp == ""
        else:
            assert company.name.split()[0] in {"ООО", "АО", "ПАО"}
            assert len(company.inn) == 10 and company.kpp[:4] == company.inn[:4]
        assert company.search_text == company_search_text(company.name, company.inn)
        assert company.size_band == size_band_for(company.employees)
    for model in (Contact, Activity, Deal):
        for obj in model.objects.all()[:400]:
            obj.full_clean()
    assert Company.objects.filter(name__startswith="ИП ").count() > 30
    assert Company.objects.filter(name__startswith="ООО «").count() > 150
    assert Company.objects.values("industry").distinct().count() >= 15
    assert Company.objects.values("region").distinct().count() >= 15
    assert Contact.objects.filter(phone__startswith="+7 (9").count() == Contact.objects.count()


@pytest.mark.django_db
def test_pareto_about_20_percent_make_80_percent(loaded):
    revenue = sorted((r for r in revenue_12m().values() if r > 0), reverse=True)
    top = revenue[: round(len(revenue) * 0.2)]
    share = sum(top) / sum(revenue)
    assert 0.70 <= share <= 0.90, share


@pytest.mark.django_db
def test_revenue_follows_headcount_with_underserved_giants(loaded):
    revenue = revenue_12m()
    sizes = dict(Company.objects.values_list("id", "employees"))
    small = [r for c, r in revenue.items() if r > 0 and sizes[c] is not None and sizes[c] <= 15]
    large = [r for c, r in revenue.items() if r > 0 and sizes[c] is not None and sizes[c] > 250]
    assert median(large) > 10 * median(small)
    # Under-served: large buyers far below their peers (the blue cells among A companies).
    assert sum(r < 0.2 * median(large) for r in large) >= 2


@pytest.mark.django_db
def test_life_stories_are_present(loaded):
    last = dict(Sale.objects.values("company_id").annotate(d=Max("date")).values_list("company_id", "d"))
    months_ago = [(AS_OF - d).days / 30.44 for d in last.values()]
    lost = sum(6 <= m <= 19 for m in months_ago)
    assert 0.06 * len(last) <= lost <= 0.25 * len(last)
    assert Company.objects.filter(liquidated=True, liquidated_on__isnull=False).count() >= 5

    # Falling (PRODUCT.md §7): last 3 months ≥ 20 % below the same months a year before.
    recent = Q(date__gt=AS_OF - dt.timedelta(days=91))
    year_before = Q(date__gt=AS_OF - dt.timedelta(days=456), date__lte=AS_OF - dt.timedelta(days=365))
    rows = Sale.objects.values("company_id").annotate(
        r=Sum("amount_minor", filter=recent), p=Sum("amount_minor", filter=year_before)
    )
    falling = [row for row in rows if row["p"] and row["p"] > 0 and (row["r"] or 0) <= 0.8 * row["p"]]
    assert len(falling) >= 10

    # Growing and declining against the previous year.
    prev = Q(date__gt=AS_OF - dt.timedelta(days=730), date__lte=AS_OF - dt.timedelta(days=365))
    this = Q(date__gt=AS_OF - dt.timedelta(days=365))
    years = Sale.objects.values("company_id").annotate(
        r=Sum("amount_minor", filter=this), p=Sum("amount_minor", filter=prev)
    )
    assert sum(1 for y in years if y["p"] and y["r"] and y["r"] > 1.3 * y["p"]) >= 10
    assert sum(1 for y in years if y["p"] and y["r"] and y["r"] < 0.7 * y["p"]) >= 10

    returns = Sale.objects.filter(amount_minor__lt=0).count() / Sale.objects.count()
    assert 0.005 <= returns <= 0.03
    assert (
        Sale.objects.filter(amount_minor__lt=0, invoice__startswith="ВЗ-").count()
        == Sale.objects.filter(amount_minor__lt=0).count()
    )
    no_margin = Sale.objects.filter(margin_minor__isnull=True).values("company_id").distinct().count()
    assert 5 <= no_margin <= 0.25 * len(last)
    per_invoice = Sale.objects.values("invoice").annotate(n=Count("id"))
    assert max(p["n"] for p in per_invoice) >= 5
    assert Sale.objects.values("product_group").distinct().count() == 10


@pytest.mark.django_db
def test_never_bought_suspects_and_prospects(loaded):
    never = Company.objects.filter(sales__isnull=True)
    share = never.count() / Company.objects.count()
    assert 0.2 <= share <= 0.35, share
    assert set(never.values_list("status", flat=True)) == {Status.SUSPECT, Status.PROSPECT}
    buyers = Company.objects.filter(sales__isnull=False).distinct()
    assert set(buyers.values_list("status", flat=True)) == {Status.CLIENT, Status.LOYAL}
    rated = buyers.filter(relationship__isnull=False).count() / buyers.count()
    assert rated > 0.8
    assert set(buyers.exclude(relationship=None).values_list("relationship", flat=True)) == {1, 2, 3, 4, 5}


@pytest.mark.django_db
def test_every_deal_stage_and_overdue_planned_activities(loaded):
    assert set(Deal.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Deal.objects.filter(stage__in=[Stage.WON, Stage.LOST], closed_on__isnull=True).count() == 0
    assert Deal.objects.exclude(need_type="").count() == Deal.objects.count()
    overdue = Activity.objects.filter(state=State.PLANNED, date__lt=AS_OF).count()
    planned = Activity.objects.filter(state=State.PLANNED).count()
    assert 0.1 * planned <= overdue <= 0.5 * planned
    assert Activity.objects.filter(state=State.DONE, date__gt=AS_OF).count() == 0
    assert set(Activity.objects.values_list("kind", flat=True)) == {"call", "visit", "email", "meeting"}
    # Activities are the owner's, and their contact works at the same company.
    assert Activity.objects.exclude(seller_id=F("company__owner_id")).count() == 0
    assert (
        Activity.objects.filter(contact__isnull=False).exclude(contact__company_id=F("company_id")).count()
        == 0
    )


@pytest.mark.django_db
def test_demo_users_and_their_portfolios(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # as in production
    result = demo_load(DemoSpec(companies=200, lines=2_000, seed=3, as_of=AS_OF), progress=False)
    assert result.companies == 200
    users = {u.username: u for u in User.objects.all()}
    assert [(u, users[u].role, users[u].get_full_name()) for u, _r, _n in DEMO_USERS] == [
        (u, r, n) for u, r, n in DEMO_USERS
    ]
    manager = users["manager"]
    assert manager.role == Role.MANAGER and manager.team is not None
    sellers = [u for u in users.values() if u.role == Role.SELLER]
    assert len(sellers) == 3 and all(s.team_id == manager.team_id for s in sellers)
    assert users["admin"].role == Role.ADMIN and users["admin"].team is None
    for user in users.values():
        assert user.password.startswith("argon2")
        assert user.check_password(DEMO_PASSWORD)
    owned = dict(
        Company.objects.values("owner__username").annotate(n=Count("id")).values_list("owner__username", "n")
    )
    assert all(owned[s.username] >= 40 for s in sellers)
    assert 1 <= owned.get("manager", 0) <= 30
    assert demo_users_exist()


@pytest.mark.django_db
def test_refuses_a_database_with_companies(loaded):
    before = Sale.objects.count()
    with pytest.raises(DemoError, match=DEMO_NOT_EMPTY):
        demo_load(SPEC, progress=False)
    assert Sale.objects.count() == before
    assert Company.objects.count() == 300


@pytest.mark.django_db
def test_small_and_degenerate_sizes(fast_passwords):
    result = demo_load(DemoSpec(companies=5, lines=3, seed=1, as_of=AS_OF), progress=False)
    assert (result.companies, result.lines) == (5, 3)
    assert Sale.objects.count() == 3
    assert MonthlySales.objects.aggregate(n=Sum("lines"))["n"] == 3


@pytest.mark.django_db
def test_large_load_session_restores_the_sale_indexes_exactly():
    """SQLite drops the secondary sale indexes around a large fresh load; they must come back
    as the migration made them (same names, same statements), and the pragmas as they were."""
    from django.db import connection

    from clientfocus.sales.services import sales_fresh_load_session

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its indexes during a fresh load")

    def indexes() -> list[tuple[str, str]]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sales_sale' "
                "ORDER BY name"
            )
            return cur.fetchall()

    def temp_store() -> int:
        with connection.cursor() as cur:
            cur.execute("PRAGMA temp_store")
            return cur.fetchone()[0]

    before, store = indexes(), temp_store()
    # (company, date) only: the company-only index went in sales migration 0005, the date-only
    # one in 0006.
    assert len([sql for _n, sql in before if sql]) == 1
    with sales_fresh_load_session(large=True):
        assert [n for n, sql in indexes() if sql] == []
    assert indexes() == before
    assert temp_store() == store
