"""The weekly plan (seed 003): ranking, capacity, kinds, the "doesn't fit" list, edits, .ics,
access and the Friday command."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clientfocus.activities.models import Activity, State, WeeklyPlan, WeeklyPlanItem
from clientfocus.activities.weekly import (
    weekly_item_add,
    weekly_item_remove,
    weekly_item_update,
    weekly_plan_accept,
    weekly_plan_build,
    weekly_plan_ics,
)
from clientfocus.core.testing.factories import CompanyFactory, DealFactory
from clientfocus.portfolio.models import AnalysisSettings, CompanyAnalysis, Snapshot

pytestmark = pytest.mark.django_db
WEEK = dt.date(2026, 12, 7)  # a Monday
MON, TUE, WED, THU, FRI = (WEEK + dt.timedelta(days=i) for i in range(5))


def analysed(owner, rows):
    """A ready snapshot with one row per (name, category, temperature, colour, next_due, alert)."""
    snap = Snapshot.objects.create(
        as_of=dt.date(2026, 12, 4), state=Snapshot.State.READY, finished_at=timezone.now()
    )
    CompanyAnalysis.objects.exclude(snapshot=snap).delete()
    out = {}
    for name, cat, temp, colour, due, alert in rows:
        company = CompanyFactory(name=name, owner=owner)
        CompanyAnalysis.objects.create(
            snapshot=snap,
            company=company,
            category=cat,
            temperature=temp,
            temperature_colour=colour,
            next_due=due,
            alert=alert,
            trend_3m_yoy=-0.35 if alert else None,
        )
        out[name] = company
    return out


def items(plan):
    return list(plan.items.order_by("position").values_list("company__name", "date", "kind"))


def test_ranking_kinds_and_reasons(seller_alice):
    cos = analysed(
        seller_alice,
        [
            ("Д-письмо", "D", 0.9, "red", MON, False),
            ("В-звонок", "B", 0.2, "blue", MON, False),
            ("А-тёплый", "A", 0.9, "red", MON, False),
            ("А-холодный", "A", 0.3, "yellow", TUE, False),
            ("А-просрочен", "A", 0.95, "red", dt.date(2026, 11, 20), False),
            ("С-падает", "C", 0.5, "orange", None, True),
            ("С-не-пора", "C", 0.5, "orange", dt.date(2027, 1, 20), False),
        ],
    )
    DealFactory(company=cos["С-не-пора"], title="Кабель для склада", stage="PROOF", amount_minor=900_000_00)
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    by_rank = list(plan.items.order_by("rank").values_list("company__name", "kind"))
    assert by_rank == [
        ("А-просрочен", "visit"),  # A, overdue first
        ("А-холодный", "visit"),  # A not red: colder first
        ("А-тёплый", "visit"),
        ("В-звонок", "call"),
        ("С-падает", "call"),  # C with an alert before C with a deal
        ("С-не-пора", "visit"),  # a deal at the proof stage deserves a visit
        ("Д-письмо", "email"),
    ]
    overdue = plan.items.get(company__name="А-просрочен")
    assert overdue.reasons[0] == {"code": "overdue", "days": 17, "cat": "A"}
    assert overdue.reason_ru == "Контакт просрочен на 17 дн. (категория A)."
    assert overdue.reason_en == "Contact overdue by 17 days (category A)."
    cold = plan.items.get(company__name="А-холодный")
    assert (
        cold.reason_ru
        == "Пора связаться 08.12 (категория A); клиент A остывает: «жёлтый», а должен быть красным."
    )
    deal = plan.items.get(company__name="С-не-пора")
    assert "«Кабель для склада»: этап «Доказательство»" in deal.reason_ru
    falling = plan.items.get(company__name="С-падает")
    assert falling.reason_ru == "Выручка за 3 месяца упала на 35% к прошлому году."
    assert falling.reason_en == "3-month revenue fell by 35% year on year."
    # "С-не-пора" without its deal would not be in the plan at all; due later in the week → its day.
    assert {n: d for n, d, _k in items(plan)}["А-холодный"] == TUE


def test_capacity_per_day_visits_before_calls_before_email_and_the_unfit_list(seller_alice):
    AnalysisSettings.objects.update_or_create(pk=1, defaults={"meetings_per_day": 1, "calls_per_day": 2})
    rows = [(f"А{i:02}", "A", 0.9, "red", MON, False) for i in range(7)]
    rows += [(f"В{i:02}", "B", 0.9, "red", MON, False) for i in range(9)]
    rows += [("Д-письмо", "D", 0.9, "red", MON, False), ("Д-второе", "D", 0.9, "red", MON, False)]
    analysed(seller_alice, rows)
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    scheduled = plan.items.filter(date__isnull=False)
    for day in (MON, TUE, WED, THU, FRI):
        assert scheduled.filter(date=day, kind="visit").count() == 1
        assert scheduled.filter(date=day, kind__in=["call", "email"]).count() == 2
    # Five visits fit, A05 and A06 do not; nine calls fit and leave one remote slot, which the
    # first e-mail takes; the second e-mail does not fit.
    unfit = list(
        plan.items.filter(date__isnull=True).order_by("rank").values_list("company__name", flat=True)
    )
    assert unfit == ["А05", "А06", "Д-письмо"]  # ties go by name: «Д-второе» first
    assert plan.items.get(company__name="А05").unfit_reason_ru == (
        "Не помещается на этой неделе: все визиты заняты (1 в день × 5 дней)"
    )
    assert plan.items.get(company__name="Д-второе").date == FRI
    # Within a day: the visit first, then calls, then e-mail.
    assert [k for _n, d, k in items(plan) if d == FRI] == ["visit", "call", "email"]
    # Deterministic: the same data gives the same plan.
    first = items(plan)
    assert items(weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)) == first


def test_a_plan_built_mid_week_fills_only_today_and_the_days_left(seller_alice):
    AnalysisSettings.objects.update_or_create(pk=1, defaults={"meetings_per_day": 1, "calls_per_day": 2})
    # Five A companies due on Monday: a plan built on Thursday has two visit slots left.
    analysed(seller_alice, [(f"А{i}", "A", 0.9, "red", MON, False) for i in range(5)])
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK, today=THU)
    dates = sorted(d for _n, d, _k in items(plan) if d is not None)
    assert dates == [THU, FRI]
    assert plan.items.filter(date__isnull=True).count() == 3
    # Another week is not cut: `today` outside it leaves all five days open.
    assert weekly_plan_build(
        actor=seller_alice, seller=seller_alice, week_start=WEEK, today=WEEK - dt.timedelta(days=3)
    ).items.filter(date__isnull=False).count() == 5


def test_edits_move_change_remove_add_respect_capacity(seller_alice):
    AnalysisSettings.objects.update_or_create(pk=1, defaults={"meetings_per_day": 1, "calls_per_day": 10})
    cos = analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False), ("А2", "A", 0.9, "red", MON, False)])
    extra = CompanyFactory(name="Новый", owner=seller_alice)
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    a1 = plan.items.get(company=cos["А1"])
    a2 = plan.items.get(company=cos["А2"])
    assert (a1.date, a2.date) == (MON, TUE)
    with pytest.raises(ValidationError) as exc:
        weekly_item_update(actor=seller_alice, item=a2, date=MON, kind="visit")
    assert exc.value.code == "full"
    weekly_item_update(actor=seller_alice, item=a2, date=MON, kind="call")
    a2.refresh_from_db()
    assert (a2.date, a2.kind) == (MON, "call")
    with pytest.raises(ValidationError):
        weekly_item_update(actor=seller_alice, item=a2, date=dt.date(2026, 12, 12), kind="call")  # Saturday
    weekly_item_add(actor=seller_alice, plan=plan, company=extra, date=WED, kind="email")
    with pytest.raises(ValidationError) as exc:
        weekly_item_add(actor=seller_alice, plan=plan, company=extra, date=THU, kind="email")
    assert exc.value.code == "duplicate"
    weekly_item_remove(actor=seller_alice, item=a1)
    plan.refresh_from_db()
    assert plan.edited is True
    assert items(plan) == [("А2", MON, "call"), ("Новый", WED, "email")]


def test_accept_creates_planned_activities_and_edits_follow(seller_alice):
    analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False), ("В1", "B", 0.9, "red", MON, False)])
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    weekly_plan_accept(actor=seller_alice, plan=plan)
    acts = {i.company.name: i.activity for i in plan.items.select_related("activity", "company")}
    assert {n: (a.kind, a.state, a.date) for n, a in acts.items()} == {
        "А1": ("visit", State.PLANNED, MON),
        "В1": ("call", State.PLANNED, MON),
    }
    assert acts["А1"].subject.startswith("План недели: Пора связаться 07.12")
    item = plan.items.get(company__name="В1")
    weekly_item_update(actor=seller_alice, item=item, date=THU, kind="email")
    assert Activity.objects.get(pk=acts["В1"].pk).date == THU
    weekly_item_remove(actor=seller_alice, item=plan.items.get(company__name="А1"))
    assert Activity.objects.get(pk=acts["А1"].pk).state == State.CANCELLED
    with pytest.raises(ValidationError) as exc:
        weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    assert exc.value.code == "accepted"


def test_week_must_start_on_monday(seller_alice):
    with pytest.raises(ValidationError):
        weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=TUE)
    assert not WeeklyPlan.objects.exists()


def test_ics_round_trip_keeps_uids(seller_alice, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False), ("В1", "B", 0.9, "red", MON, False)])
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    cal = icalendar.Calendar.from_ical(weekly_plan_ics(plan))
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Визит: А1", "Звонок: В1"]
    first = events[0]
    start = first.decoded("DTSTART")
    assert (
        start == dt.datetime(2026, 12, 7, 9, 0, tzinfo=start.tzinfo) and str(start.tzinfo) == "Europe/Moscow"
    )
    assert first["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert events[1].decoded("DTSTART").hour == 10 and events[1].decoded("DTSTART").minute == 30
    assert str(first["DESCRIPTION"]) == "Пора связаться 07.12 (категория A)."
    assert [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["Europe/Moscow"]
    uids = [str(e["UID"]) for e in events]
    weekly_item_update(actor=seller_alice, item=plan.items.get(company__name="В1"), date=WED, kind="call")
    again = icalendar.Calendar.from_ical(weekly_plan_ics(plan)).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in again) == sorted(uids)
    assert {str(e["SUMMARY"]): e.decoded("DTSTART").date() for e in again}["Звонок: В1"] == WED


def test_pages_access_and_download(client, cast, seller_alice, seller_erin, manager_bob, seller_charlie):
    analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False)])
    client.force_login(seller_alice)
    response = client.post(
        reverse("activities:week_build", args=[seller_alice.pk]), {"week": WEEK.isoformat()}
    )
    assert response.status_code == 302
    plan = WeeklyPlan.objects.get(seller=seller_alice, week_start=WEEK)
    page = client.get(reverse("activities:week") + f"?week={WEEK}").content.decode()
    assert 'data-company="А1"' in page and "Пора связаться 07.12" in page
    ics = client.get(reverse("activities:week_ics", args=[plan.pk]))
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics["Content-Disposition"] == f'attachment; filename="plan-{seller_alice.username}-2026-12-07.ics"'
    # The manager sees the team's plans; a seller of another team sees nothing of them.
    client.force_login(manager_bob)
    assert (
        client.get(reverse("activities:week") + f"?seller={seller_alice.pk}&week={WEEK}").status_code == 200
    )
    assert client.get(reverse("activities:week") + f"?seller={seller_charlie.pk}").status_code == 404
    for who in (seller_charlie, seller_erin):
        client.force_login(who)
        assert client.get(reverse("activities:week_ics", args=[plan.pk])).status_code == 404
        assert client.get(reverse("activities:week") + f"?seller={seller_alice.pk}").status_code == 404
        item = plan.items.get(company__name="А1")
        before = list(WeeklyPlanItem.objects.values())
        assert (
            client.post(
                reverse("activities:week_item_edit", args=[item.pk]), {"date": TUE, "kind": "call"}
            ).status_code
            == 404
        )
        assert client.post(reverse("activities:week_item_remove", args=[item.pk])).status_code == 404
        assert client.post(reverse("activities:week_accept", args=[plan.pk])).status_code == 404
        assert (
            client.post(reverse("activities:week_build", args=[seller_alice.pk]), {"week": WEEK}).status_code
            == 404
        )
        assert list(WeeklyPlanItem.objects.values()) == before
        assert WeeklyPlan.objects.get(pk=plan.pk).accepted_at is None
    with pytest.raises(PermissionDenied):
        weekly_plan_build(actor=seller_charlie, seller=seller_alice, week_start=WEEK)


def test_move_through_the_page(client, seller_alice):
    analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False)])
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    item = plan.items.get()
    client.force_login(seller_alice)
    response = client.post(
        reverse("activities:week_item_edit", args=[item.pk]), {"date": THU.isoformat(), "kind": "call"}
    )
    assert response.status_code == 302 and f"week={WEEK}" in response.url
    item.refresh_from_db()
    assert (item.date, item.kind) == (THU, "call")


def test_cli_plans_next_week_for_every_seller(cast, seller_alice, seller_erin, seller_charlie, manager_bob):
    from click.testing import CliRunner

    from clientfocus.cli.main import cli

    analysed(seller_alice, [("А1", "A", 0.9, "red", MON, False)])
    result = CliRunner().invoke(cli, ["plan-week", "--week", WEEK.isoformat()])
    assert result.exit_code == 0, result.output
    assert set(WeeklyPlan.objects.filter(week_start=WEEK).values_list("seller__username", flat=True)) == {
        seller_alice.username,
        seller_erin.username,
        seller_charlie.username,
        manager_bob.username,
    }
    # А1 is due; the cast's «Ромашка» has an open deal (no row in this snapshot: a call).
    assert items(WeeklyPlan.objects.get(seller=seller_alice, week_start=WEEK)) == [
        ("А1", MON, "visit"),
        ("ООО «Ромашка»", MON, "call"),
    ]
    result = CliRunner().invoke(cli, ["plan-week", "--week", "2026-12-08", "--seller", seller_erin.username])
    assert result.exit_code == 0, result.output
    assert WeeklyPlan.objects.filter(seller=seller_erin, week_start=WEEK).count() == 1  # snapped to Monday
    assert CliRunner().invoke(cli, ["plan-week", "--seller", "nobody"]).exit_code != 0


def test_the_week_is_spread_evenly_and_in_rank_order(seller_alice):
    analysed(
        seller_alice,
        [(f"А{i}", "A", 0.9, "red", dt.date(2026, 11, 30) - dt.timedelta(days=i), False) for i in range(7)],
    )
    plan = weekly_plan_build(actor=seller_alice, seller=seller_alice, week_start=WEEK)
    # Most overdue first: А6 (13 days) … А0 (7 days); one a day, then the sixth and seventh again.
    assert [(n, d) for n, d, _k in items(plan)] == [
        ("А6", MON),
        ("А1", MON),
        ("А5", TUE),
        ("А0", TUE),
        ("А4", WED),
        ("А3", THU),
        ("А2", FRI),
    ]
