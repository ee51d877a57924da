"""The per-scope summaries written with the snapshot equal a direct computation, cover only the
scope's companies, and are not used once they could differ (issue 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clientfocus.activities.models import Activity, State
from clientfocus.activities.services import activity_log
from clientfocus.companies.models import Company
from clientfocus.companies.services import company_liquidate
from clientfocus.core.testing.factories import ActivityFactory, CompanyFactory
from clientfocus.portfolio.models import AnalysisSummary
from clientfocus.portfolio.selectors import (
    analysis_frame,
    analysis_payload,
    analysis_rows,
    my_day,
    snapshot_current,
    snapshot_is_stale,
    team_overview,
)
from clientfocus.portfolio.services import analysis_recompute, analysis_settings, analysis_settings_update
from clientfocus.portfolio.summaries import scope_key, summary_for
from clientfocus.sales.services import sale_create

pytestmark = pytest.mark.django_db
T = dt.date(2026, 11, 25)
MY_DAY_QUERIES = 22  # includes the feedback-request lookups another part of my day makes


@pytest.fixture
def wide_cast(cast):
    """The cast plus enough companies that every scope has key accounts, categories and cells."""
    users = cast["users"]
    for who, n in (("alice", 6), ("erin", 4), ("charlie", 5), ("bob", 3)):
        for i in range(n):
            company = CompanyFactory(
                name=f"ООО «{who.title()} {i}»", owner=users[who], industry="Торговля", region="Москва"
            )
            if i % 3 != 2:  # every third never bought: D companies and no temperature
                sale_create(
                    actor=None,
                    company=company,
                    date=dt.date(2026, 3, 1) + dt.timedelta(days=17 * i),
                    invoice=f"{who}-{i}",
                    line_no=1,
                    amount_minor=(i + 1) * 37_000_00,
                )
    CompanyFactory(name="ООО «Ничья»", owner=None)
    for i, who in enumerate(("alice", "alice", "erin", "charlie", "bob")):
        company = CompanyFactory(name=f"ООО «План {i}»", owner=users[who])
        ActivityFactory(company=company, date=T - dt.timedelta(days=3 + i), state=State.PLANNED)
    analysis_recompute(actor=None, as_of=T)
    return cast


def test_scopes_written_for_every_kind_of_viewer(wide_cast):
    u = wide_cast["users"]
    snapshot = snapshot_current()
    scopes = set(AnalysisSummary.objects.filter(snapshot=snapshot).values_list("scope", flat=True))
    assert scopes == {
        "all",
        f"team:{u['bob'].team_id}",
        f"owner:{u['alice'].pk}",
        f"owner:{u['erin'].pk}",
        f"owner:{u['charlie'].pk}",
    }
    assert scope_key(u["alice"]) == f"owner:{u['alice'].pk}" and scope_key(u["dana"]) == "all"


@pytest.mark.parametrize("who", ["alice", "erin", "bob", "charlie", "dana"])
def test_stored_summary_equals_the_direct_computation(wide_cast, who):
    user = wide_cast["users"][who]
    stored = summary_for(user=user, snapshot=snapshot_current())
    direct = analysis_payload(analysis_frame(user=user), analysis_settings())
    assert stored is not None and stored == direct


def test_a_sellers_summary_names_only_their_companies(wide_cast):
    u = wide_cast["users"]
    stored = summary_for(user=u["alice"], snapshot=snapshot_current())
    own = set(analysis_rows(user=u["alice"]).values_list("company_id", flat=True))
    named = (
        {c["company_id"] for g in stored["temperature_groups"] for c in g["cells"]}
        | {p["company_id"] for p in stored["scatter"]}
        | {k["company_id"] for k in stored["key_accounts"]}
        | {t["id"] for t in stored["top_by_revenue"] + stored["top_by_relationship"]}
    )
    assert named and named <= own
    assert stored["companies"] == len(own) == 9  # «Ромашка», her six and two with planned calls
    assert {g["owner_id"] for g in stored["temperature_groups"]} == {u["alice"].pk}
    # The manager's team summary: his own, Alice's and Erin's companies; never Charlie's.
    team = summary_for(user=u["bob"], snapshot=snapshot_current())
    assert {g["owner_id"] for g in team["temperature_groups"]} == {u["alice"].pk, u["erin"].pk, u["bob"].pk}
    assert team["companies"] == 9 + 6 + 4  # Alice, Erin (cast, four, one planned), Bob (three, one)


def test_not_used_once_the_companies_or_the_team_change(wide_cast):
    u = wide_cast["users"]
    snapshot = snapshot_current()
    assert summary_for(user=u["bob"], snapshot=snapshot) is not None
    # Erin leaves Bob's team: his stored team summary no longer describes what he may see.
    u["erin"].team = None
    u["erin"].save()
    assert summary_for(user=u["bob"], snapshot=snapshot) is None
    # A new sale or a logged call makes the snapshot stale, but the summaries are computed from
    # the snapshot's rows, which a request would read too: they stay in use, equal to a direct
    # computation.
    stored = summary_for(user=u["alice"], snapshot=snapshot)
    assert stored is not None
    company = Company.objects.filter(owner=u["alice"]).order_by("pk").first()
    sale_create(actor=None, company=company, date=T, invoice="new", line_no=1, amount_minor=1_00)
    activity_log(actor=u["alice"], company=company, kind="call", date=T, today=T)
    assert snapshot_is_stale(snapshot)
    assert summary_for(user=u["alice"], snapshot=snapshot) == stored
    # Liquidating a company changes what the analysis pages count: computed on the request again.
    company_liquidate(actor=u["alice"], company=company, on=T, today=T)
    assert summary_for(user=u["alice"], snapshot=snapshot) is None


def test_not_used_once_the_settings_change(wide_cast):
    u = wide_cast["users"]
    snapshot = snapshot_current()
    assert summary_for(user=u["alice"], snapshot=snapshot) is not None
    analysis_settings_update(actor=u["dana"], values=analysis_settings().to_dict(), report_as_of=None)
    assert summary_for(user=u["alice"], snapshot=snapshot) is None


@pytest.mark.parametrize("who", ["alice", "bob", "dana"])
def test_team_and_my_day_counts_equal_the_direct_counts(wide_cast, who, monkeypatch):
    from clientfocus.portfolio import summaries

    user = wide_cast["users"][who]
    for today in (T, T + dt.timedelta(days=40), T + dt.timedelta(days=400)):
        stored_day = my_day(user=user, today=today)
        stored_team = team_overview(user=user, today=today)
        with monkeypatch.context() as m:
            m.setattr(summaries, "owners_for", lambda **_kw: None)
            direct_day = my_day(user=user, today=today)
            direct_team = team_overview(user=user, today=today)
        assert stored_day.due_total == direct_day.due_total
        planned = Activity.objects.visible_to(user).filter(state=State.PLANNED, date__lt=today)
        assert stored_day.planned_overdue_total == planned.count()
        assert [a.pk for a in stored_day.planned_overdue] == list(
            planned.order_by("date", "pk").values_list("pk", flat=True)[:30]
        )
        assert [r["categories"] for r in stored_team] == [r["categories"] for r in direct_team]
        for key in ("a_not_red", "overdue", "alerts", "companies"):
            assert [r[key] for r in stored_team] == [r[key] for r in direct_team]
    assert my_day(user=wide_cast["users"]["alice"], today=T + dt.timedelta(days=400)).due_total == 9


def test_analysis_page_reads_the_stored_summary_in_few_queries(
    wide_cast, client, django_assert_max_num_queries
):
    client.force_login(wide_cast["users"]["alice"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("portfolio:analysis"))
    data = response.context["data"]
    assert data.precomputed and data.companies == 9
    html = response.content.decode()
    assert "ООО «Alice 0»" in html and "ООО «Charlie 0»" not in html


def test_pages_pin_their_query_counts(wide_cast, client, django_assert_max_num_queries):
    client.force_login(wide_cast["users"]["bob"])
    # Session, user, snapshot and staleness (layout), the stored summary and its fingerprint,
    # the people, the open deals: whatever the team's size.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portfolio:team")).status_code == 200
    client.force_login(wide_cast["users"]["alice"])
    # The due list is at most ten index-ordered slices (categories "", A–D, with and without a
    # temperature); the count comes from the stored next-due histogram.
    with django_assert_max_num_queries(MY_DAY_QUERIES):
        assert client.get(reverse("portfolio:myday")).status_code == 200


@pytest.mark.parametrize("who", ["alice", "bob", "dana"])
def test_my_day_due_slices_equal_one_order_by(wide_cast, who):
    """The index-ordered slices give exactly the rows and order of the single ORDER BY."""
    from django.db.models import F

    user = wide_cast["users"][who]
    for today in (T, T + dt.timedelta(days=40), T + dt.timedelta(days=400)):
        for limit in (1, 4, 30):
            got = [r.pk for r in my_day(user=user, today=today, limit=limit).due]
            direct = list(
                analysis_rows(user=user)
                .filter(next_due__lte=today)
                .exclude(company__liquidated=True)
                .order_by("category", F("temperature").asc(nulls_last=True), "next_due", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            assert got == direct


def test_team_page_names_deal_stages_in_the_reader_s_language(wide_cast, client):
    """The open deals by stage show the stage's name, not its code."""
    deal = wide_cast["portfolios"]["alice"].deal
    assert deal.stage == "QUALIFYING"  # the cast's deal (core/testing factories)
    client.force_login(wide_cast["users"]["bob"])
    html = client.get(reverse("portfolio:team")).content.decode()
    assert "Квалификация: 1" in html and "qualifying:" not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portfolio:team")).content.decode()
    assert "Qualifying: 1" in html and "qualifying:" not in html
