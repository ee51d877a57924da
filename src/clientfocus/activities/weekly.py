"""The weekly plan (seed 003: every Friday plan next week's meetings).

`weekly_plan_build` proposes, for one seller and one Monday–Friday week, who to meet, call or
write to and why: contacts due or overdue that week (the snapshot's cadence `next_due`),
companies with a falling-revenue alert, and open deals. Ranked by category (A before B before C
before D), overdue before due, then — for A and B — the coldest first (an A that is not red is
a problem), alerts first, the biggest open deal first; ties by company name and id, so the same
data always gives the same plan. Each kind has a daily capacity (AnalysisSettings:
`meetings_per_day` for visits, `calls_per_day` for calls and e-mails, the remote touches);
visits are placed first, then calls, then e-mails, each into the least busy day (ties: the
earliest) from its start day on — Monday, or for a contact due later in the week its due day.
What finds no room stays in the plan without a date: "doesn't fit this week", with the reason.

Items are proposals until the plan is accepted; `weekly_plan_accept` turns each scheduled item
into a planned Activity (linked from the item), so My day, the company card and the cadence see
them like any other planned touch. Edits after that move or cancel the linked Activity too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import users_visible_to
from clientfocus.accounts.models import Role, User
from clientfocus.accounts.services import audit_record
from clientfocus.activities.models import Activity, Kind, State, WeeklyPlan, WeeklyPlanItem
from clientfocus.companies.models import Company
from clientfocus.deals.models import OPEN_STAGES, Deal, Stage
from clientfocus.portfolio.models import AnalysisSettings, CompanyAnalysis, Snapshot

WEEK_NOT_MONDAY = _("Неделя начинается с понедельника, а %(date)s — не понедельник")
WEEK_ACCEPTED = _("План на эту неделю уже принят: меняйте его пункты, а не стройте заново")
WEEK_NOT_A_SELLER = _("План недели строят только для менеджеров по продажам")
ITEM_OUTSIDE_WEEK = _("Дата %(date)s вне недели плана (понедельник–пятница)")
ITEM_DAY_FULL = _("На %(date)s уже %(count)s, больше нельзя: не больше %(cap)s в день")
ITEM_ALREADY_IN_PLAN = _("Компания уже есть в плане недели")
ITEM_NOT_SELLERS_COMPANY = _("Компания не из портфеля этого менеджера")
ITEM_UNKNOWN_KIND = _("Неизвестный вид касания")

LANGS = ("ru", "en")
DAYS = 5
# Late deal stages are worth a personal meeting (seed 003: present, prove, close face to face).
VISIT_STAGES = {Stage.PRESENTATION, Stage.PROOF, Stage.CLOSING}
# Slot lengths for the calendar export: a day starts at 9:00, visits first.
DAY_START = dt.time(9, 0)
SLOT_MINUTES = {Kind.VISIT: 90, Kind.MEETING: 90, Kind.CALL: 15, Kind.EMAIL: 10}


@dataclass(frozen=True)
class Capacity:
    meetings_per_day: int = 4
    calls_per_day: int = 10

    def of(self, kind: str) -> int:
        return self.meetings_per_day if kind in (Kind.VISIT, Kind.MEETING) else self.calls_per_day


def _bucket(kind: str) -> str:
    """Visits and meetings share the meeting capacity; calls and e-mails the remote one."""
    return "meeting" if kind in (Kind.VISIT, Kind.MEETING) else "remote"


def capacity() -> Capacity:
    row = AnalysisSettings.objects.filter(pk=1).only("meetings_per_day", "calls_per_day").first()
    return Capacity(row.meetings_per_day, row.calls_per_day) if row else Capacity()


def weekly_capacity_update(*, actor: User, meetings_per_day: int, calls_per_day: int) -> Capacity:
    """The settings page: how many visits and remote touches a seller fits in a day."""
    if meetings_per_day < 1 or calls_per_day < 1:
        raise ValidationError(_("Ёмкость дня — не меньше одного касания"), code="capacity")
    with transaction.atomic():
        row, _created = AnalysisSettings.objects.get_or_create(pk=1)
        row.meetings_per_day, row.calls_per_day, row.updated_by = meetings_per_day, calls_per_day, actor
        row.save(update_fields=["meetings_per_day", "calls_per_day", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="weekly_capacity_update",
            obj=row,
            details={"meetings_per_day": meetings_per_day, "calls_per_day": calls_per_day},
        )
    return Capacity(meetings_per_day, calls_per_day)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def next_week_start(today: dt.date) -> dt.date:
    return monday_of(today) + dt.timedelta(days=7)


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=i) for i in range(DAYS)]


# --- who sees which plan ----------------------------------------------------------------------


def planning_sellers(user: Any) -> QuerySet[User]:
    """The sellers whose plans `user` may see: themself, their team (manager), all (admin)."""
    return (
        users_visible_to(user)
        .filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER])
        .order_by("last_name", "first_name", "username")
    )


def plans_visible(user: Any) -> QuerySet[WeeklyPlan]:
    return WeeklyPlan.objects.filter(seller__in=users_visible_to(user))


def items_visible(user: Any) -> QuerySet[WeeklyPlanItem]:
    return WeeklyPlanItem.objects.filter(plan__seller__in=users_visible_to(user))


def _check_seller(actor: User | None, seller: User) -> None:
    if actor is not None and not users_visible_to(actor).filter(pk=seller.pk).exists():
        raise PermissionDenied
    if seller.role not in (Role.SELLER, Role.MANAGER) or not seller.is_active:
        raise ValidationError(WEEK_NOT_A_SELLER, code="seller")


# --- reasons ------------------------------------------------------------------------------------


def _money(minor: int) -> str:
    from clientfocus.core.templatetags.cf import money

    return money(minor)


def _sentence(reasons: list[dict[str, Any]]) -> str:
    """One sentence in the active language from the item's reason codes."""
    parts: list[str] = []
    for r in reasons:
        code = r["code"]
        if code == "overdue":
            parts.append(gettext("контакт просрочен на %(days)s дн. (категория %(cat)s)") % r)
        elif code == "due":
            parts.append(
                gettext("пора связаться %(date)s (категория %(cat)s)")
                % {"date": dt.date.fromisoformat(r["date"]).strftime("%d.%m"), "cat": r["cat"]}
            )
        elif code == "cold_a":
            colour = str(_COLOUR_NAMES.get(r["colour"], r["colour"]))
            parts.append(
                gettext("клиент %(cat)s остывает: «%(colour)s», а должен быть красным")
                % {"cat": r["cat"], "colour": colour}
            )
        elif code == "alert":
            parts.append(
                gettext("выручка за 3 месяца упала на %(pct)s%% к прошлому году")
                % {"pct": round(-100 * float(r["trend"] or 0))}
            )
        elif code == "deal":
            parts.append(
                gettext("открытая сделка «%(title)s»: этап «%(stage)s», %(amount)s")
                % {"title": r["title"], "stage": Stage(r["stage"]).label, "amount": _money(r["amount"])}
            )
        elif code == "key_account":
            parts.append(gettext("ключевой клиент"))
        elif code == "added":
            parts.append(gettext("добавлено вручную"))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def _texts(reasons: list[dict[str, Any]]) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        with override(lang):
            out[lang] = _sentence(reasons)
    return out


def _unfit_texts(kind: str, cap: Capacity) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        with override(lang):
            if _bucket(kind) == "meeting":
                out[lang] = gettext(
                    "Не помещается на этой неделе: все визиты заняты (%(cap)s в день × 5 дней)"
                ) % {"cap": cap.meetings_per_day}
            else:
                out[lang] = gettext(
                    "Не помещается на этой неделе: все звонки и письма заняты (%(cap)s в день × 5 дней)"
                ) % {"cap": cap.calls_per_day}
    return out


# --- building -----------------------------------------------------------------------------------

_CATEGORY_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}
_COLOUR_NAMES = {"orange": _("оранжевый"), "yellow": _("жёлтый"), "blue": _("синий")}


@dataclass
class Candidate:
    company: Company
    category: str = ""
    temperature: float | None = None
    colour: str = ""
    next_due: dt.date | None = None
    overdue_days: int | None = None
    alert: bool = False
    trend: float | None = None
    deal_amount: int = 0
    deal: Deal | None = None
    key_account: bool = False
    reasons: list[dict[str, Any]] = field(default_factory=list)
    kind: str = Kind.CALL

    def sort_key(self) -> tuple[Any, ...]:
        cold_first = self.category in ("A", "B")
        temperature = self.temperature if (cold_first and self.temperature is not None) else float("inf")
        return (
            _CATEGORY_RANK.get(self.category, 4),
            0 if self.overdue_days is not None else 1,
            temperature,
            0 if self.alert else 1,
            -self.deal_amount,
            -(self.overdue_days or 0),
            self.company.name,
            self.company.pk,
        )


def _candidates(seller: User, week_start: dt.date) -> list[Candidate]:
    friday = week_start + dt.timedelta(days=DAYS - 1)
    snapshot = (
        Snapshot.objects.filter(state=Snapshot.State.READY).only("pk").order_by("-finished_at", "-id").first()
    )
    by_company: dict[int, Candidate] = {}
    if snapshot is not None:
        rows = (
            CompanyAnalysis.objects.filter(
                snapshot=snapshot, company__owner=seller, company__liquidated=False
            )
            .select_related("company")
            .only(
                "company__id",
                "company__name",
                "category",
                "temperature",
                "temperature_colour",
                "next_due",
                "alert",
                "trend_3m_yoy",
                "key_account",
            )
        )
        for row in rows:
            due = row.next_due is not None and row.next_due <= friday
            if not (due or row.alert):
                continue
            c = Candidate(
                company=row.company,
                category=row.category,
                temperature=row.temperature,
                colour=row.temperature_colour,
                next_due=row.next_due if due else None,
                alert=row.alert,
                trend=row.trend_3m_yoy,
                key_account=row.key_account,
            )
            if due and row.next_due < week_start:  # type: ignore[operator]
                c.overdue_days = (week_start - row.next_due).days  # type: ignore[operator]
            by_company[row.company_id] = c
    deals = (
        Deal.objects.filter(company__owner=seller, company__liquidated=False, stage__in=OPEN_STAGES)
        .select_related("company")
        .order_by("company_id", "-amount_minor", "pk")
    )
    analysis = {}
    if snapshot is not None:
        ids = {d.company_id for d in deals} - set(by_company)
        analysis = {
            r.company_id: r
            for r in CompanyAnalysis.objects.filter(snapshot=snapshot, company_id__in=ids).only(
                "company_id", "category", "temperature", "temperature_colour", "key_account"
            )
        }
    for deal in deals:
        c = by_company.get(deal.company_id)
        if c is None:
            row = analysis.get(deal.company_id)
            c = Candidate(
                company=deal.company,
                category=row.category if row else "",
                temperature=row.temperature if row else None,
                colour=row.temperature_colour if row else "",
                key_account=bool(row and row.key_account),
            )
            by_company[deal.company_id] = c
        if c.deal is None:  # the biggest open deal speaks for the company
            c.deal, c.deal_amount = deal, deal.amount_minor
    for c in by_company.values():
        _explain(c)
    return sorted(by_company.values(), key=Candidate.sort_key)


def _explain(c: Candidate) -> None:
    if c.overdue_days is not None:
        c.reasons.append({"code": "overdue", "days": c.overdue_days, "cat": c.category})
    elif c.next_due is not None:
        c.reasons.append({"code": "due", "date": c.next_due.isoformat(), "cat": c.category})
    if c.category == "A" and c.colour and c.colour != "red":
        c.reasons.append({"code": "cold_a", "cat": "A", "colour": c.colour})
    if c.alert:
        c.reasons.append({"code": "alert", "trend": c.trend})
    if c.deal is not None:
        c.reasons.append(
            {"code": "deal", "title": c.deal.title, "stage": c.deal.stage, "amount": c.deal.amount_minor}
        )
    if c.key_account:
        c.reasons.append({"code": "key_account"})
    # Seed 003 / PRODUCT.md: A contacts are personal (visits), D ones e-mail, the rest calls;
    # a falling client or a deal at presentation or later deserves more than an e-mail.
    if c.category == "A" or (c.deal is not None and c.deal.stage in VISIT_STAGES):
        c.kind = Kind.VISIT
    elif c.category == "D" and not c.alert and c.deal is None:
        c.kind = Kind.EMAIL
    else:
        c.kind = Kind.CALL


def _schedule(
    cands: list[Candidate], week_start: dt.date, cap: Capacity, *, first: int = 0
) -> list[tuple[Candidate, dt.date | None]]:
    """Place each candidate on a day of the week; `first` is the first day that may take one
    (a plan built mid-week never plans touches in the days already gone)."""
    days = week_days(week_start)
    used: dict[tuple[dt.date, str], int] = {}
    placed: list[tuple[Candidate, dt.date | None]] = []
    kind_order = {Kind.VISIT: 0, Kind.MEETING: 0, Kind.CALL: 1, Kind.EMAIL: 2}
    for c in sorted(cands, key=lambda c: kind_order[c.kind]):  # stable: rank order within a kind
        start = first
        if c.next_due is not None and c.overdue_days is None:
            start = min(max((c.next_due - week_start).days, first), DAYS - 1)
        # The least busy day from the start day on (ties: the earliest), so the week is spread
        # evenly instead of piling everything on Monday; earlier days only when the rest are full.
        b = _bucket(c.kind)
        free = [i for i in range(start, DAYS) if used.get((days[i], b), 0) < cap.of(c.kind)]
        if not free:
            earlier = range(start - 1, first - 1, -1)
            free = [i for i in earlier if used.get((days[i], b), 0) < cap.of(c.kind)][:1]
        day = days[min(free, key=lambda i: (used.get((days[i], b), 0), i))] if free else None
        if day is not None:
            used[(day, _bucket(c.kind))] = used.get((day, _bucket(c.kind)), 0) + 1
        placed.append((c, day))
    return placed


def weekly_plan_build(
    *, actor: User | None, seller: User, week_start: dt.date, today: dt.date | None = None
) -> WeeklyPlan:
    """(Re)build the seller's plan for the week; an accepted plan is kept and refused.

    `today` (the caller's date) matters only for the current week: a plan built on Thursday fills
    Thursday and Friday, not the days already gone. Without it every day of the week is open.
    """
    if week_start.weekday() != 0:
        raise ValidationError(
            WEEK_NOT_MONDAY, code="monday", params={"date": week_start.strftime("%d.%m.%Y")}
        )
    _check_seller(actor, seller)
    cap = capacity()
    cands = _candidates(seller, week_start)
    rank = {c.company.pk: i for i, c in enumerate(cands, start=1)}
    first = 0
    if today is not None and week_start <= today <= week_start + dt.timedelta(days=DAYS - 1):
        first = (today - week_start).days
    placed = _schedule(cands, week_start, cap, first=first)
    with transaction.atomic():
        plan, _created = WeeklyPlan.objects.select_for_update().get_or_create(
            seller=seller, week_start=week_start, defaults={"generated_at": timezone.now()}
        )
        if plan.accepted_at is not None:
            raise ValidationError(WEEK_ACCEPTED, code="accepted")
        plan.items.all().delete()
        items = []
        for c, day in placed:
            texts = _texts(c.reasons)
            unfit = _unfit_texts(c.kind, cap) if day is None else {"ru": "", "en": ""}
            items.append(
                WeeklyPlanItem(
                    plan=plan,
                    company=c.company,
                    date=day,
                    kind=c.kind,
                    rank=rank[c.company.pk],
                    reasons=c.reasons,
                    reason_ru=texts["ru"],
                    reason_en=texts["en"],
                    unfit_reason_ru=unfit["ru"][:300],
                    unfit_reason_en=unfit["en"][:300],
                )
            )
        WeeklyPlanItem.objects.bulk_create(items)
        _renumber(plan)
        plan.generated_at, plan.edited = timezone.now(), False
        plan.save(update_fields=["generated_at", "edited"])
        audit_record(
            actor=actor,
            action="weekly_plan_build",
            obj=plan,
            details={
                "week_start": week_start.isoformat(),
                "scheduled": sum(1 for _c, d in placed if d),
                "unfit": sum(1 for _c, d in placed if d is None),
            },
        )
    return plan


def _renumber(plan: WeeklyPlan) -> None:
    """Within a day: visits, then calls, then e-mails, each in rank order."""
    kind_order = {Kind.VISIT: 0, Kind.MEETING: 0, Kind.CALL: 1, Kind.EMAIL: 2}
    items = sorted(plan.items.all(), key=lambda i: (i.date or dt.date.max, kind_order[i.kind], i.rank, i.pk))
    for pos, item in enumerate(items):
        item.position = pos
    WeeklyPlanItem.objects.bulk_update(items, ["position"])


# --- editing ------------------------------------------------------------------------------------


def _day_count(plan: WeeklyPlan, day: dt.date, kind: str, exclude: int | None = None) -> int:
    kinds = [Kind.VISIT, Kind.MEETING] if _bucket(kind) == "meeting" else [Kind.CALL, Kind.EMAIL]
    qs = plan.items.filter(date=day, kind__in=kinds)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.count()


def _check_day(plan: WeeklyPlan, day: dt.date, kind: str, cap: Capacity, exclude: int | None = None) -> None:
    if kind not in Kind.values:
        raise ValidationError(ITEM_UNKNOWN_KIND, code="kind")
    if day not in week_days(plan.week_start):
        raise ValidationError(ITEM_OUTSIDE_WEEK, code="week", params={"date": day.strftime("%d.%m.%Y")})
    count = _day_count(plan, day, kind, exclude)
    if count >= cap.of(kind):
        what = _("визиты") if _bucket(kind) == "meeting" else _("звонки и письма")
        raise ValidationError(
            ITEM_DAY_FULL,
            code="full",
            params={"date": day.strftime("%d.%m"), "count": f"{count} ({what})", "cap": cap.of(kind)},
        )


def _sync_activity(item: WeeklyPlanItem) -> None:
    if item.activity_id is None:
        return
    Activity.objects.filter(pk=item.activity_id, state=State.PLANNED).update(date=item.date, kind=item.kind)


def weekly_item_update(*, actor: User, item: WeeklyPlanItem, date: dt.date, kind: str) -> WeeklyPlanItem:
    """Move an item to another day of the week and/or change its kind (capacity still holds)."""
    if not items_visible(actor).filter(pk=item.pk).exists():
        raise PermissionDenied
    plan = item.plan
    _check_day(plan, date, kind, capacity(), exclude=item.pk)
    with transaction.atomic():
        before = {"date": item.date.isoformat() if item.date else None, "kind": item.kind}
        item.date, item.kind = date, kind
        item.unfit_reason_ru = item.unfit_reason_en = ""
        item.save(update_fields=["date", "kind", "unfit_reason_ru", "unfit_reason_en"])
        if plan.accepted_at is not None and item.activity_id is None:
            item.activity = _activity_for(item)
            item.save(update_fields=["activity"])
        _sync_activity(item)
        _renumber(plan)
        WeeklyPlan.objects.filter(pk=plan.pk).update(edited=True)
        audit_record(
            actor=actor,
            action="weekly_item_update",
            obj=item,
            details={"from": before, "to": {"date": date.isoformat(), "kind": kind}},
        )
    return item


def weekly_item_remove(*, actor: User, item: WeeklyPlanItem) -> None:
    if not items_visible(actor).filter(pk=item.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        if item.activity_id is not None:
            Activity.objects.filter(pk=item.activity_id, state=State.PLANNED).update(state=State.CANCELLED)
        audit_record(actor=actor, action="weekly_item_remove", obj=item, details={"company": item.company_id})
        plan = item.plan
        item.delete()
        WeeklyPlan.objects.filter(pk=plan.pk).update(edited=True)


def weekly_item_add(
    *, actor: User, plan: WeeklyPlan, company: Company, date: dt.date, kind: str
) -> WeeklyPlanItem:
    if not plans_visible(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied
    if (
        company.owner_id != plan.seller_id
        or not Company.objects.visible_to(actor).filter(pk=company.pk).exists()
    ):
        raise ValidationError(ITEM_NOT_SELLERS_COMPANY, code="company")
    if plan.items.filter(company=company).exists():
        raise ValidationError(ITEM_ALREADY_IN_PLAN, code="duplicate")
    _check_day(plan, date, kind, capacity())
    reasons = [{"code": "added"}]
    texts = _texts(reasons)
    with transaction.atomic():
        last = plan.items.order_by("-rank").values_list("rank", flat=True).first() or 0
        item = WeeklyPlanItem.objects.create(
            plan=plan,
            company=company,
            date=date,
            kind=kind,
            rank=last + 1,
            reasons=reasons,
            reason_ru=texts["ru"],
            reason_en=texts["en"],
        )
        if plan.accepted_at is not None:
            item.activity = _activity_for(item)
            item.save(update_fields=["activity"])
        _renumber(plan)
        WeeklyPlan.objects.filter(pk=plan.pk).update(edited=True)
        audit_record(actor=actor, action="weekly_item_add", obj=item, details={"company": company.pk})
    return item


def item_reason(item: WeeklyPlanItem) -> str:
    return item.reason_en if get_language().startswith("en") else item.reason_ru


def item_unfit_reason(item: WeeklyPlanItem) -> str:
    return item.unfit_reason_en if get_language().startswith("en") else item.unfit_reason_ru


def _activity_for(item: WeeklyPlanItem) -> Activity:
    # The touch is the seller's own record: written in the language they accept the plan in.
    subject = gettext("План недели: %(reason)s") % {"reason": item_reason(item)}
    return Activity.objects.create(
        company_id=item.company_id,
        seller_id=item.plan.seller_id,
        kind=item.kind,
        state=State.PLANNED,
        date=item.date,
        subject=subject[:200],
    )


def weekly_plan_accept(*, actor: User, plan: WeeklyPlan) -> WeeklyPlan:
    """Turn every scheduled item into a planned Activity (items without a date stay proposals)."""
    if not plans_visible(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        created = 0
        for item in plan.items.filter(date__isnull=False, activity__isnull=True).select_related("plan"):
            item.activity = _activity_for(item)
            item.save(update_fields=["activity"])
            created += 1
        plan.accepted_at = plan.accepted_at or timezone.now()
        plan.save(update_fields=["accepted_at"])
        audit_record(actor=actor, action="weekly_plan_accept", obj=plan, details={"activities": created})
    return plan


# --- calendar export ----------------------------------------------------------------------------


def weekly_plan_ics(plan: WeeklyPlan) -> bytes:
    """One VEVENT per scheduled item, in the installation's time zone (with its VTIMEZONE).

    The UID names the seller, the week and the company, so a re-export — after a move, a change
    of kind or a rebuild — updates the same calendar event instead of adding a copy.
    """
    from zoneinfo import ZoneInfo

    import icalendar
    from django.conf import settings

    tz = ZoneInfo(settings.TIME_ZONE)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ClientFocus//weekly plan//RU")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    title = gettext("План недели с %(date)s") % {"date": plan.week_start.strftime("%d.%m.%Y")}
    cal.add("x-wr-calname", title)
    stamp = timezone.now()
    clock: dict[dt.date, dt.datetime] = {}
    items = plan.items.filter(date__isnull=False).select_related("company").order_by("date", "position", "pk")
    for item in items:
        assert item.date is not None
        start = clock.get(item.date) or dt.datetime.combine(item.date, DAY_START, tzinfo=tz)
        end = start + dt.timedelta(minutes=SLOT_MINUTES.get(item.kind, 30))
        clock[item.date] = end
        event = icalendar.Event()
        event.add(
            "uid", f"weekly-{plan.seller_id}-{plan.week_start.isoformat()}-{item.company_id}@clientfocus"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{Kind(item.kind).label}: {item.company.name}")
        event.add("description", item_reason(item))
        event.add("categories", [str(Kind(item.kind).label)])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
