"""The recompute (read the database, analyse, write the snapshot), staleness and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clientfocus.activities.models import Activity, State
from clientfocus.analytics import Settings
from clientfocus.core.testing.factories import ActivityFactory, CompanyFactory
from clientfocus.portfolio.models import CompanyAnalysis, Snapshot
from clientfocus.portfolio.selectors import snapshot_current, snapshot_is_stale
from clientfocus.portfolio.services import analysis_recompute, analysis_settings, analysis_settings_update
from clientfocus.sales.services import sale_create

pytestmark = pytest.mark.django_db
T = dt.date(2026, 11, 25)


@pytest.fixture
def book(seller_alice):
    """Three clients of Alice and a prospect, worked by hand.

    revenue_12m (window (2025-11-25, 2026-11-25]): big 800 000,00; mid 150 000,00; small 50 000,00.
    Total 1 000 000,00: big alone makes 80% -> the one key account; A_level = its revenue.
    """
    big = CompanyFactory(name="АО «Большой»", owner=seller_alice, industry="Строительство", region="Москва")
    mid = CompanyFactory(name="ООО «Средний»", owner=seller_alice, industry="Строительство", region="Москва")
    small = CompanyFactory(
        name="ООО «Малый»", owner=seller_alice, industry="IT", region="Казань", employees=10
    )
    # No firmographics: no look-alike figure, so its potential is its best year (0) -> D.
    prospect = CompanyFactory(
        name="ООО «Будущий»", owner=seller_alice, status="PROSPECT", industry="", region="", employees=None
    )
    for company, amount in ((big, 800_000_00), (mid, 150_000_00), (small, 50_000_00)):
        sale_create(
            actor=None,
            company=company,
            date=dt.date(2026, 6, 1),
            invoice=f"И-{company.pk}",
            line_no=1,
            amount_minor=amount,
        )
    ActivityFactory(company=big, date=dt.date(2026, 11, 1), state=State.DONE)
    return big, mid, small, prospect


def test_recompute_stores_one_row_per_company_with_exact_figures(book):
    big, mid, small, prospect = book
    snapshot = analysis_recompute(actor=None, as_of=T)
    assert snapshot.state == Snapshot.State.READY and snapshot.as_of == T
    rows = {r.company_id: r for r in CompanyAnalysis.objects.filter(snapshot=snapshot)}
    assert set(rows) == {big.pk, mid.pk, small.pk, prospect.pk}
    assert [rows[c.pk].revenue_12m for c in (big, mid, small, prospect)] == [
        800_000_00,
        150_000_00,
        50_000_00,
        0,
    ]
    assert [rows[c.pk].key_account for c in (big, mid, small)] == [True, False, False]
    assert (rows[prospect.pk].category, rows[prospect.pk].temperature_colour) == ("D", "")
    assert snapshot.summary["a_level"] == 800_000_00
    assert snapshot.summary["pareto"]["key_accounts"] == 1
    # Cadence (seed 004): big is A, last done activity 2026-11-01 -> next due 2026-12-01.
    assert rows[big.pk].category == "A"
    assert rows[big.pk].next_due == dt.date(2026, 12, 1) and rows[big.pk].overdue is False


def test_a_new_recompute_replaces_the_rows_and_staleness_follows_writes(book):
    big = book[0]
    first = analysis_recompute(actor=None, as_of=T)
    assert snapshot_is_stale(first) is False
    sale_create(
        actor=None, company=big, date=dt.date(2026, 11, 20), invoice="И-new", line_no=1, amount_minor=1_00
    )
    assert snapshot_is_stale(snapshot_current()) is True
    second = analysis_recompute(actor=None, as_of=T)
    assert snapshot_is_stale(second) is False
    assert CompanyAnalysis.objects.filter(snapshot=first).count() == 0
    assert CompanyAnalysis.objects.get(snapshot=second, company=big).revenue_12m == 800_000_00 + 1_00


def test_settings_are_validated_stored_and_used(book, admin_dana):
    with pytest.raises(ValueError):
        analysis_settings_update(actor=admin_dana, values={"temperature_red": 0.2, "temperature_orange": 0.5})
    assert analysis_settings() == Settings()
    analysis_settings_update(actor=admin_dana, values={"cadence_a_days": 14})
    assert analysis_settings().cadence_a_days == 14
    snapshot = analysis_recompute(actor=None, as_of=T)
    row = CompanyAnalysis.objects.get(snapshot=snapshot, company=book[0])
    assert row.next_due == dt.date(2026, 11, 15) and row.overdue is True


def test_settings_page_saves_and_rejects(client, admin_dana):
    client.force_login(admin_dana)
    data = {
        name: value
        for name, value in Settings().to_dict().items()
        if name
        in {
            "pareto_share",
            "category_a_share",
            "category_b_share",
            "lookalike_k",
            "lookalike_percentile",
            "temperature_red",
            "temperature_orange",
            "temperature_yellow",
            "quadrant_split_quantile",
            "cadence_a_days",
            "cadence_b_days",
            "cadence_c_days",
            "cadence_d_days",
            "alert_drop",
        }
    }
    response = client.post(reverse("portfolio:settings"), {**data, "temperature_yellow": 0.9})
    assert response.status_code == 200 and analysis_settings() == Settings()
    response = client.post(
        reverse("portfolio:settings"), {**data, "cadence_b_days": 60, "report_as_of": "2026-10-31"}
    )
    assert response.status_code == 302 and analysis_settings().cadence_b_days == 60


def test_the_cached_count_and_drop_downs_follow_the_data(client, seller_alice, book):
    """The list's row count and filter values are cached; a write and a recompute show the new
    company in both, and a filtered view has a count of its own."""
    analysis_recompute(actor=None, as_of=T)
    client.force_login(seller_alice)
    url = reverse("portfolio:portfolio")
    first = client.get(url).context
    assert first["page"].paginator.count == 4 and "Химия" not in first["choices"]["industries"]
    assert client.get(url, {"category": "D"}).context["page"].paginator.count == 1
    new = CompanyFactory(name="ООО «Новая»", owner=seller_alice, industry="Химия", region="Казань")
    sale_create(
        actor=seller_alice,
        company=new,
        date=dt.date(2026, 11, 1),
        invoice="Н-1",
        line_no=1,
        amount_minor=100_00,
    )
    analysis_recompute(actor=None, as_of=T)
    again = client.get(url).context
    assert again["page"].paginator.count == 5
    assert "Химия" in again["choices"]["industries"] and "Казань" in again["choices"]["regions"]


def test_portfolio_filters_sort_and_query_budget(client, seller_alice, book, django_assert_max_num_queries):
    analysis_recompute(actor=None, as_of=T)
    client.force_login(seller_alice)
    # session+user, snapshot, stale check, count, page rows, filter choices (the cache key:
    # people, version, snapshot; on a miss the two DISTINCT scans; sellers), reasons (3: visible
    # neighbours, the snapshot's summary once, settings), profile fit (2): a fixed budget.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("portfolio:portfolio"))
    with django_assert_max_num_queries(15):  # the drop-down values now come from the cache
        assert client.get(reverse("portfolio:portfolio")).status_code == 200
    names = [r.company.name for r in response.context["page"]]
    assert names == ["АО «Большой»", "ООО «Средний»", "ООО «Малый»", "ООО «Будущий»"]
    page = client.get(reverse("portfolio:portfolio"), {"category": "D"}).context["page"]
    assert [r.company.name for r in page] == ["ООО «Будущий»"]
    page = client.get(reverse("portfolio:portfolio"), {"key_account": "1"}).context["page"]
    assert [r.company.name for r in page] == ["АО «Большой»"]
    page = client.get(reverse("portfolio:portfolio"), {"sort": "name"}).context["page"]
    assert page[0].company.name == "АО «Большой»"
    page = client.get(reverse("portfolio:portfolio"), {"industry": "IT"}).context["page"]
    assert [r.company.name for r in page] == ["ООО «Малый»"]


def test_my_day_lists_due_companies_a_first(client, seller_alice, book, monkeypatch):
    analysis_recompute(actor=None, as_of=T)
    # "Today" is the snapshot's date: the due list must not change with the real calendar.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: T)
    client.force_login(seller_alice)
    day = client.get(reverse("portfolio:myday")).context["day"]
    # big was contacted on 2026-11-01 (A: due 2026-12-01, not yet); the others were never contacted.
    due = [r.company.name for r in day.due]
    assert "АО «Большой»" not in due
    assert set(due) == {"ООО «Средний»", "ООО «Малый»", "ООО «Будущий»"}
    assert [r.category for r in day.due] == sorted(r.category for r in day.due)


def test_logging_an_activity_restarts_the_cadence(client, seller_alice, book):
    mid = book[1]
    client.force_login(seller_alice)
    response = client.post(
        reverse("activities:create", kwargs={"company_id": mid.pk}),
        {"kind": "visit", "state": "done", "date": "2026-11-24", "subject": "Визит"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Визит" in response.content.decode()
    assert Activity.objects.get(company=mid, kind="visit").seller == seller_alice
    future = client.post(
        reverse("activities:create", kwargs={"company_id": mid.pk}),
        {"kind": "call", "state": "done", "date": "2999-01-01"},
    )
    assert "не может быть в будущем" in future.content.decode()
    assert not Activity.objects.filter(company=mid, date=dt.date(2999, 1, 1)).exists()


def test_analysis_page_is_of_the_users_own_portfolio(client, cast):
    client.force_login(cast["users"]["alice"])
    data = client.get(reverse("portfolio:analysis")).context["data"]
    assert data.companies == 1 and data.pareto["buying_clients"] == 1
    client.force_login(cast["users"]["bob"])
    assert client.get(reverse("portfolio:analysis")).context["data"].companies == 2
    client.force_login(cast["users"]["dana"])
    html = client.get(reverse("portfolio:analysis")).content.decode()
    assert all(name in html for name in ("ООО «Ромашка»", "АО «Северный кабель»", "ООО «Южный ветер»"))


def test_reasons_name_only_companies_the_viewer_may_see(client, seller_alice, seller_charlie, admin_dana):
    """Alice's prospect looks like three of Charlie's clients: she must not read their names."""
    target = CompanyFactory(name="ООО «Цель»", owner=seller_alice, status="PROSPECT")
    for i, name in enumerate(("ООО «Чужой один»", "ООО «Чужой два»", "ООО «Чужой три»")):
        c = CompanyFactory(name=name, owner=seller_charlie)
        sale_create(
            actor=None,
            company=c,
            date=dt.date(2026, 6, 1),
            invoice=f"Ч-{i}",
            line_no=1,
            amount_minor=(i + 1) * 100_000_00,
        )
    analysis_recompute(actor=None, as_of=T)
    row = CompanyAnalysis.objects.get(company=target)
    assert row.potential_source == "LOOKALIKE" and len(row.details["lookalike_neighbours"]) == 3
    client.force_login(seller_alice)
    html = client.get(reverse("companies:detail", args=[target.pk])).content.decode()
    assert "Чужой" not in html
    assert "похожа на компании других менеджеров" in html
    client.force_login(admin_dana)
    html = client.get(reverse("companies:detail", args=[target.pk])).content.decode()
    assert "ООО «Чужой три»" in html


@pytest.mark.django_db(transaction=True)
def test_arrow_reads_return_what_the_cursor_returns(seller_alice, settings):
    """The loader's ADBC path (outside transactions, on a file or a server) and Django's cursor
    give the same facts. On the in-memory SQLite test database only the cursor exists: this runs
    on PostgreSQL (CI) — and on SQLite files in test_arrow_reads_on_a_sqlite_file below."""
    from clientfocus.portfolio import loaders

    if not loaders.arrow_reads_possible():
        pytest.skip("the in-memory SQLite test database has no Arrow path (covered on a file below)")
    _book = CompanyFactory(name="ООО «Стрелка»", owner=seller_alice, industry="IT", region="Москва")
    sale_create(
        actor=None, company=_book, date=dt.date(2026, 11, 20), invoice="A-1", line_no=1, amount_minor=500_00
    )
    ActivityFactory(company=_book, date=dt.date(2026, 11, 1), state=State.DONE)
    arrow, _ = loaders.load_facts(as_of=T, settings=Settings())
    settings.CLIENTFOCUS_ARROW_READS = False
    cursor, _ = loaders.load_facts(as_of=T, settings=Settings())
    for name in ("monthly", "daily", "companies", "last_activity"):
        # The same rows (the Arrow path reads the monthly rollup in two halves, in index order).
        a, b = getattr(arrow, name), getattr(cursor, name)
        assert a.sort(a.columns).equals(b.sort(b.columns)), name


def test_arrow_reads_on_a_sqlite_file(tmp_path):
    """The same comparison on a real SQLite file, with the demo portfolio, in a fresh process."""
    import subprocess
    import sys

    code = """
import datetime as dt, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from clientfocus.analytics import Settings
from clientfocus.portfolio import loaders
from clientfocus.portfolio.demo import DemoSpec, demo_load
call_command("migrate", verbosity=0)
demo_load(DemoSpec(companies=80, lines=4000, seed=3, as_of=dt.date(2026, 11, 25)), progress=False)
assert loaders.arrow_reads_possible()
a, _ = loaders.load_facts(as_of=dt.date(2026, 11, 25), settings=Settings())
settings.CLIENTFOCUS_ARROW_READS = False
b, _ = loaders.load_facts(as_of=dt.date(2026, 11, 25), settings=Settings())
for name in ("monthly", "daily", "companies", "last_activity"):
    x, y = getattr(a, name), getattr(b, name)
    assert x.height > 0 and x.sort(x.columns).equals(y.sort(y.columns)), name
print("same")
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "clientfocus.config.settings",
        "CLIENTFOCUS_VAR": str(tmp_path),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("same")
