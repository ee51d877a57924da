"""Reads of the analysis, scoped to the user: the snapshot rows they may see and the portfolio
summaries recomputed over exactly those rows (a seller's Pareto is of their own clients)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet

from clientfocus.accounts.access import users_visible_to
from clientfocus.activities.models import Activity, State
from clientfocus.analytics import Settings
from clientfocus.analytics.pareto import pareto_ranking
from clientfocus.analytics.portfolio import category_summary
from clientfocus.analytics.quadrants import quadrant_summary
from clientfocus.analytics.topten import top_ten
from clientfocus.deals.models import OPEN_STAGES, Deal, Stage
from clientfocus.portfolio.models import CompanyAnalysis, Snapshot
from clientfocus.portfolio.staleness import data_version

CATEGORIES = ("A", "B", "C", "D")
COLOURS = ("red", "orange", "yellow", "blue")
QUADRANTS = ("I", "II", "III", "IV")


def snapshot_current() -> Snapshot | None:
    # The summary JSON is large at scale (curve, categories, prospects): loaded only when read.
    return (
        Snapshot.objects.filter(state=Snapshot.State.READY)
        .defer("summary", "settings_values")
        .order_by("-finished_at", "-id")
        .first()
    )


def snapshot_is_stale(snapshot: Snapshot | None) -> bool:
    return snapshot is None or snapshot.data_version < data_version()


def analysis_rows(*, user: Any, snapshot: Snapshot | None = None) -> QuerySet[CompanyAnalysis]:
    snapshot = snapshot or snapshot_current()
    if snapshot is None:
        return CompanyAnalysis.objects.none()
    return CompanyAnalysis.objects.visible_to(user).filter(snapshot=snapshot)


def company_analysis(*, user: Any, company_id: int) -> CompanyAnalysis | None:
    return analysis_rows(user=user).filter(company_id=company_id).first()


# --- the portfolio list ----------------------------------------------------------------------

PORTFOLIO_SORTS: dict[str, tuple[str, ...]] = {
    "revenue": ("-revenue_12m", "company__name", "pk"),
    "-revenue": ("revenue_12m", "company__name", "pk"),
    "name": ("company__name", "pk"),
    "-name": ("-company__name", "-pk"),
    "potential": ("-potential", "pk"),
    "trend": ("trend_12m", "pk"),
    "temperature": ("temperature", "pk"),
    "next_due": ("next_due", "pk"),
    "category": ("category", "-revenue_12m", "pk"),
}
DEFAULT_PORTFOLIO_SORT = "revenue"


@dataclass(frozen=True)
class PortfolioFilters:
    query: str = ""
    category: str = ""
    temperature: str = ""
    quadrant: str = ""
    seller: int | None = None
    industry: str = ""
    region: str = ""
    status: str = ""
    overdue: bool = False
    alert: bool = False
    key_account: bool = False
    sort: str = DEFAULT_PORTFOLIO_SORT

    def as_query(self) -> dict[str, str]:
        out = {k: str(v) for k, v in self.__dict__.items() if v not in ("", None, False)}
        for flag in ("overdue", "alert", "key_account"):
            if getattr(self, flag):
                out[flag] = "1"
        return out


def portfolio_list(*, user: Any, filters: PortfolioFilters) -> QuerySet[CompanyAnalysis]:
    qs = analysis_rows(user=user).select_related("company", "company__owner")
    f = filters
    if f.query.strip():
        qs = qs.filter(company__search_text__contains=f.query.strip().casefold())
    if f.category in CATEGORIES:
        qs = qs.filter(category=f.category)
    if f.temperature in COLOURS:
        qs = qs.filter(temperature_colour=f.temperature)
    if f.quadrant in QUADRANTS:
        qs = qs.filter(quadrant=f.quadrant)
    if f.seller is not None:
        qs = qs.filter(company__owner_id=f.seller)
    if f.industry:
        qs = qs.filter(company__industry=f.industry)
    if f.region:
        qs = qs.filter(company__region=f.region)
    if f.status:
        qs = qs.filter(company__status=f.status)
    if f.overdue:
        qs = qs.filter(overdue=True)
    if f.alert:
        qs = qs.filter(alert=True)
    if f.key_account:
        qs = qs.filter(key_account=True)
    return qs.order_by(*PORTFOLIO_SORTS.get(f.sort, PORTFOLIO_SORTS[DEFAULT_PORTFOLIO_SORT]))


def scope_state(user: Any) -> str:
    """What decides the user's list figures: their scope, the people in it (a change of team or
    role), the data version (any write) and the current snapshot. Work it out once per request."""
    import json

    from clientfocus.portfolio.summaries import scope_key, scope_members

    members = json.dumps(scope_members(user), default=str)
    snapshot = snapshot_current()
    return f"{scope_key(user)}|{members}|{data_version()}|{snapshot.pk if snapshot else 0}"


def cached_for_scope(state: str, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept in the cache under `scope_state` — for the list page's figures that
    only change with the data (the drop-down values, the row count)."""
    import hashlib

    from django.core.cache import cache

    key = "cf:" + hashlib.sha256(f"{name}|{state}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=24 * 3600)
    return value


def filter_choices(*, user: Any, state: str | None = None) -> dict[str, list[Any]]:
    """Values for the filter drop-downs: only those present in the user's own portfolio.

    The industries and regions are two DISTINCT scans of every visible row (~100 ms for a
    seller's 33,000 companies at 100,000): cached (`cached_for_scope`) until the data changes."""
    rows = analysis_rows(user=user)

    def values() -> dict[str, list[str]]:
        return {
            "industries": sorted(
                i for i in rows.values_list("company__industry", flat=True).distinct().order_by() if i
            ),
            "regions": sorted(
                r for r in rows.values_list("company__region", flat=True).distinct().order_by() if r
            ),
        }

    return {
        **cached_for_scope(state or scope_state(user), "filter-choices", values),
        "sellers": list(
            users_visible_to(user).filter(companies__isnull=False).distinct().order_by("last_name")
        ),
    }


def portfolio_count(
    *, user: Any, filters: PortfolioFilters, rows: QuerySet[CompanyAnalysis], state: str | None = None
) -> int:
    """The number of rows of the portfolio view (`rows`, from `portfolio_list`): a COUNT over
    the joined rows costs ~70 ms for a seller at 100,000 companies, so it is cached per filter
    set until the data changes."""
    from dataclasses import asdict

    name = f"portfolio-count|{sorted(asdict(filters).items())}"
    return int(cached_for_scope(state or scope_state(user), name, rows.count))


# --- my day -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyDay:
    due: list[CompanyAnalysis]
    due_total: int
    alerts: list[CompanyAnalysis]
    deals_without_step: list[Deal]
    week: list[Activity]
    planned_overdue: list[Activity]
    planned_overdue_total: int


def my_day(*, user: Any, today: dt.date, limit: int = 30) -> MyDay:
    """PRODUCT.md, seed 004: contacts due today and overdue, by category then temperature (the
    coldest first, it is freezing); falling-revenue alerts; open deals with no next step; the
    week's planned touches."""
    snapshot = snapshot_current()
    rows = analysis_rows(user=user, snapshot=snapshot).select_related("company")
    due_qs = rows.filter(next_due__lte=today).exclude(company__liquidated=True)
    # Within a category the clients cooling down come first, then the never-bought prospects.
    # Order: category, then temperature with the never-bought last, then next_due. Read as up
    # to eight index-ordered slices (per category: with a temperature, then without), each
    # stopping at the limit, so no query sorts every visible row (index ca_due_order).
    due: list[CompanyAnalysis] = []
    # "" (no category: the analysis found no figures) sorts first, as it did in one ORDER BY.
    for category in ("", *CATEGORIES):
        for has_temperature in (True, False):
            if len(due) >= limit:
                break
            part = due_qs.filter(category=category, temperature__isnull=not has_temperature)
            due += list(part.order_by("temperature", "next_due", "pk")[: limit - len(due)])
    # The count reads the per-owner next-due histogram stored with the snapshot (summaries.py)
    # when it is exact; counting tens of thousands of joined rows costs 300 ms at 100k companies.
    from clientfocus.portfolio.summaries import owners_for

    owners = owners_for(user=user, snapshot=snapshot) if snapshot is not None else None
    if owners is None:
        due_total = due_qs.count()
    else:
        day = today.isoformat()
        due_total = sum(n for o in owners.values() for d, n in o["due_by_date"].items() if d <= day)
    alerts = list(rows.filter(alert=True).order_by("category", "trend_3m_yoy", "pk")[:limit])
    deals = list(
        Deal.objects.visible_to(user)
        .filter(stage__in=OPEN_STAGES, next_step="")
        .select_related("company")
        .order_by("-amount_minor", "pk")[:limit]
    )
    week_end = today + dt.timedelta(days=6 - today.weekday())
    activities = (
        Activity.objects.visible_to(user).filter(state=State.PLANNED).select_related("company", "contact")
    )
    week = list(activities.filter(date__gte=today, date__lte=week_end).order_by("date", "pk")[:limit])
    overdue_qs = activities.filter(date__lt=today)
    overdue = list(overdue_qs.order_by("date", "pk")[:limit])
    # The total counts every overdue planned touch of the seller's companies (15,000 at 100,000
    # companies: 150 ms), so it is cached until the next write (any write bumps the version).
    overdue_total = (
        int(cached_for_scope(scope_state(user), f"planned-overdue|{today.isoformat()}", overdue_qs.count))
        if len(overdue) >= limit
        else len(overdue)
    )
    return MyDay(
        due=due,
        due_total=due_total,
        alerts=alerts[:10],
        deals_without_step=deals[:10],
        week=week,
        planned_overdue=overdue,
        planned_overdue_total=overdue_total,
    )


# --- the analysis pages -------------------------------------------------------------------------

_FRAME_FIELDS = {
    "company_id": pl.Int64,
    "company__name": pl.String,
    "company__owner_id": pl.Int64,
    "owner_name": pl.String,
    "category": pl.String,
    "revenue_12m": pl.Int64,
    "potential": pl.Int64,
    "temperature": pl.Float64,
    "temperature_colour": pl.String,
    "quadrant": pl.String,
    "loyalty": pl.Float64,
    "profitability": pl.Int64,
    "key_account": pl.Boolean,
    "company__relationship": pl.Int64,
    "company__liquidated": pl.Boolean,
}


@dataclass(frozen=True)
class Analysis:
    """The analysis pages' figures, as plain JSON types (the same shape whether precomputed with
    the snapshot by `portfolio/summaries.py` or computed here on the request)."""

    snapshot: Snapshot | None
    companies: int
    pareto: dict[str, Any]
    categories: list[dict[str, Any]]
    quadrants: list[dict[str, Any]]
    temperature_groups: list[dict[str, Any]]
    scatter: list[dict[str, Any]]
    scatter_total: int
    top10_text: dict[str, str]
    top_by_revenue: list[dict[str, Any]]
    top_by_relationship: list[dict[str, Any]]
    key_accounts: list[dict[str, Any]] = field(default_factory=list)
    precomputed: bool = False


def analysis_frame(*, user: Any) -> pl.DataFrame:
    return analysis_frame_of(analysis_rows(user=user))


def analysis_frame_of(rows: QuerySet[CompanyAnalysis]) -> pl.DataFrame:
    """The snapshot rows as the frame the analysis pages summarise (one query)."""
    names = [n for n in _FRAME_FIELDS if n != "owner_name"]
    schema = {
        **{n: _FRAME_FIELDS[n] for n in names},
        "company__owner__first_name": pl.String,
        "company__owner__last_name": pl.String,
    }
    values = rows.values_list(*schema)
    frame = pl.DataFrame(list(values), schema=schema, orient="row").with_columns(
        owner_label("company__owner_id", "company__owner__first_name", "company__owner__last_name").alias(
            "owner_name"
        )
    )
    return frame_from_values(frame.select(list(_FRAME_FIELDS)))


def owner_label(owner_id: str, first_name: str, last_name: str) -> pl.Expr:
    """The seller's name as the analysis pages group by it: "First Last", "—" for no owner."""
    return (
        pl.when(pl.col(owner_id).is_null())
        .then(pl.lit("—"))
        .otherwise(pl.concat_str([pl.col(first_name), pl.col(last_name)], separator=" "))
    )


def frame_from_values(frame: pl.DataFrame) -> pl.DataFrame:
    """The `_FRAME_FIELDS` columns, renamed and completed as the analysis pages read them."""
    return frame.rename(
        {
            "company__name": "name",
            "company__owner_id": "owner_id",
            "company__relationship": "relationship",
            "company__liquidated": "liquidated",
        }
    ).with_columns(
        (pl.col("revenue_12m") > 0).alias("has_bought"),
        ((pl.col("category") == "A") & (pl.col("temperature_colour") != "red")).alias("a_problem"),
        pl.when(pl.col("temperature_colour") == "")
        .then(None)
        .otherwise(pl.col("temperature_colour"))
        .alias("temperature_colour"),
        pl.when(pl.col("quadrant") == "").then(None).otherwise(pl.col("quadrant")).alias("quadrant"),
    )


CELLS_PER_GROUP = 120
SCATTER_POINTS = 1500


def analysis_payload(
    frame: pl.DataFrame,
    settings: Settings,
    *,
    cells_per_group: int = CELLS_PER_GROUP,
    scatter_points: int = SCATTER_POINTS,
) -> dict[str, Any]:
    """The analysis pages' figures over the rows of `frame`, as JSON types (stored as is)."""
    from clientfocus.analytics.summary import frame_records

    # One order whatever the frame came from (the table's index order, or the recompute's memory).
    frame = frame.sort("company_id")
    _ranked, pareto = pareto_ranking(frame.select("company_id", "revenue_12m"), settings)
    # Temperature map: a cell per company, grouped by category and seller, hottest first.
    cells = frame.filter(pl.col("category").is_in(CATEGORIES)).sort(
        ["category", "owner_name", "temperature"],
        descending=[False, False, True],
        nulls_last=True,
        maintain_order=True,
    )
    groups = []
    for (category, owner_id, owner_name), part in cells.group_by(
        ["category", "owner_id", "owner_name"], maintain_order=True
    ):
        counts = {c: int((part["temperature_colour"] == c).sum()) for c in COLOURS}
        groups.append(
            {
                "category": category,
                "owner_id": owner_id,
                "owner_name": owner_name,
                "total": part.height,
                "more": max(part.height - cells_per_group, 0),
                "counts": counts,
                "no_sales": int(part["temperature_colour"].is_null().sum()),
                "cells": frame_records(
                    part.head(cells_per_group).select(
                        "company_id", "name", "temperature_colour", "temperature", "revenue_12m"
                    )
                ),
            }
        )
    buying = frame.filter(pl.col("quadrant").is_not_null())
    # The scatter draws a seeded random sample of the buying clients when there are many (the
    # page says so); the quadrant counts beside it are over all of them.
    sample = buying if buying.height <= scatter_points else buying.sample(scatter_points, seed=7)
    top = top_ten(frame, settings)
    names = dict(zip(frame["company_id"].to_list(), frame["name"].to_list(), strict=True))
    revenue = dict(zip(frame["company_id"].to_list(), frame["revenue_12m"].to_list(), strict=True))
    rel = dict(zip(frame["company_id"].to_list(), frame["relationship"].to_list(), strict=True))
    key = (
        frame.filter(pl.col("key_account")).sort("revenue_12m", descending=True, maintain_order=True).head(50)
    )
    return {
        "companies": frame.height,
        "pareto": {
            "buying_clients": pareto.buying_clients,
            "key_accounts": pareto.key_accounts,
            "key_share_of_clients": pareto.key_share_of_clients,
            "curve": frame_records(pareto.curve),
            "text": {"ru": pareto.text.ru, "en": pareto.text.en},
        },
        "categories": frame_records(category_summary(frame)),
        "quadrants": frame_records(quadrant_summary(frame)),
        "temperature_groups": groups,
        "scatter": frame_records(sample.select("company_id", "name", "loyalty", "profitability", "quadrant")),
        "scatter_total": buying.height,
        "top10_text": {"ru": top.text.ru, "en": top.text.en},
        "top_by_revenue": [
            {"id": i, "name": names[i], "revenue_12m": revenue[i], "relationship": rel[i]}
            for i in top.by_revenue
        ],
        "top_by_relationship": [
            {"id": i, "name": names[i], "revenue_12m": revenue[i], "relationship": rel[i]}
            for i in top.by_relationship
        ],
        "key_accounts": frame_records(
            key.select("company_id", "name", "revenue_12m", "category", "owner_name")
        ),
    }


def snapshot_a_level(snapshot: Snapshot | None) -> Any:
    """The snapshot's A level, without loading its whole summary JSON."""
    if snapshot is None:
        return None
    return Snapshot.objects.filter(pk=snapshot.pk).values_list("summary__a_level", flat=True).first()


def analysis(*, user: Any, settings: Settings, snapshot: Snapshot | None = None) -> Analysis:
    """The analysis pages' figures over the companies `user` may see: the summary precomputed
    with the snapshot for the user's scope when it is still exact, else computed here."""
    from clientfocus.portfolio.summaries import summary_for

    snapshot = snapshot or snapshot_current()
    payload = summary_for(user=user, snapshot=snapshot) if snapshot is not None else None
    precomputed = payload is not None
    if payload is None:
        payload = analysis_payload(analysis_frame(user=user), settings)
    return Analysis(snapshot=snapshot, precomputed=precomputed, **payload)


# --- the team ----------------------------------------------------------------------------------


def team_overview(*, user: Any, today: dt.date) -> list[dict[str, Any]]:
    """Per seller the manager may see: companies per category, A not red, overdue, alerts, deals."""

    from clientfocus.portfolio.summaries import owners_for

    people = list(users_visible_to(user).filter(is_active=True).order_by("last_name", "first_name"))
    snapshot = snapshot_current()
    stored = owners_for(user=user, snapshot=snapshot)
    if stored is not None:
        # Precomputed with the snapshot for exactly this scope (summaries.py).
        per = {
            (int(owner) if owner != "None" else None, c): {
                "n": figures["categories"][c],
                # Per-category splits are not stored; the totals are, on category "A".
                "a_not_red": figures["a_not_red"] if c == "A" else 0,
                "overdue": figures["overdue"] if c == "A" else 0,
                "alerts": figures["alerts"] if c == "A" else 0,
            }
            for owner, figures in stored.items()
            for c in CATEGORIES
        }
    else:
        per = _team_counts(analysis_rows(user=user, snapshot=snapshot))
    deals = {
        (d["owner_id"], d["stage"]): d["n"]
        for d in Deal.objects.visible_to(user)
        .filter(stage__in=OPEN_STAGES)
        .values("owner_id", "stage")
        .annotate(n=Count("id"))
        .order_by()
    }
    out = []
    for person in people:
        cats = {c: per.get((person.pk, c), {}).get("n", 0) for c in CATEGORIES}
        if not any(cats.values()) and not person.is_seller:
            continue
        out.append(
            {
                "user": person,
                "categories": cats,
                "companies": sum(cats.values()),
                "a_not_red": sum(per.get((person.pk, c), {}).get("a_not_red", 0) for c in CATEGORIES),
                "overdue": sum(per.get((person.pk, c), {}).get("overdue", 0) for c in CATEGORIES),
                "alerts": sum(per.get((person.pk, c), {}).get("alerts", 0) for c in CATEGORIES),
                # Stage labels (translated when rendered), in funnel order.
                "deals": {Stage(s).label: deals.get((person.pk, s), 0) for s in OPEN_STAGES},
            }
        )
    return out


def _team_counts(rows: QuerySet[CompanyAnalysis]) -> dict[tuple[int | None, str], dict[str, int]]:

    return {
        (r["company__owner_id"], r["category"]): r
        for r in rows.values("company__owner_id", "category")
        .annotate(
            n=Count("id"),
            a_not_red=Count("id", filter=Q(category="A") & ~Q(temperature_colour="red")),
            overdue=Count("id", filter=Q(overdue=True)),
            alerts=Count("id", filter=Q(alert=True)),
        )
        .order_by()
    }


# --- reasons the viewer may read ---------------------------------------------------------------

_OTHERS = {"ru": "компании других менеджеров", "en": "other sellers' companies"}
_REASON_SCHEMA: dict[str, Any] = {
    **dict.fromkeys(
        (
            "category",
            "potential_source",
            "temperature_colour",
            "quadrant",
            "contact_channel",
            "cadence_code",
            "_shown",
        ),
        pl.String,
    ),
    **dict.fromkeys(
        (
            "potential",
            "revenue_12m",
            "profitability",
            "margin_12m",
            "cadence_days",
            "days_overdue",
            "revenue_3m",
            "revenue_3m_prev_year",
            "lookalike_same_industry",
            "lookalike_same_region",
        ),
        pl.Int64,
    ),
    **dict.fromkeys(
        ("temperature", "loyalty", "trend_3m_yoy", "drop_z", "lookalike_size_min", "lookalike_size_max"),
        pl.Float64,
    ),
    **dict.fromkeys(("a_problem", "overdue", "alert"), pl.Boolean),
    **dict.fromkeys(("last_activity_date", "next_due"), pl.Date),
    "lookalike_neighbours": pl.List(pl.Int64),
}
REASON_KINDS = ("category", "temperature", "quadrant", "cadence", "alert")


def with_visible_reasons(
    rows: list[CompanyAnalysis],
    *,
    user: Any,
    kinds: Sequence[str] = REASON_KINDS,
    languages: Sequence[str] = ("ru", "en"),
) -> list[CompanyAnalysis]:
    """Set `<kind>_reason_<language>` on each row (every kind and both languages unless told):
    the sentences of analytics.reasons, rendered from the stored figures for the rows on the page.

    The sentences name the look-alike companies behind a potential; a seller must not read the
    names of other sellers' clients, so only neighbours `user` may see are named (the others are
    counted). Two queries for the whole page, whatever its length.
    """
    from clientfocus.analytics.reasons import NAMED_NEIGHBOURS, REASON_INPUTS, reason_sentences
    from clientfocus.companies.models import Company
    from clientfocus.portfolio.services import analysis_settings

    if not rows:
        return rows
    all_ids = {i for r in rows for i in (r.details.get("lookalike_neighbours") or [])}
    visible = dict(Company.objects.visible_to(user).filter(pk__in=all_ids).values_list("pk", "name"))
    # One read of the snapshot's summary for the page (not one per row).
    summary = Snapshot.objects.filter(pk=rows[0].snapshot_id).values_list("summary", flat=True).first() or {}
    split = summary.get("quadrant_split") or {}
    records = []
    for row in rows:
        rec = {name: getattr(row, name, None) for name in REASON_INPUTS}
        rec.update({k: row.details.get(k) for k in REASON_INPUTS if k in row.details})
        rec["lookalike_neighbours"] = [int(i) for i in (row.details.get("lookalike_neighbours") or [])]
        shown = [visible[i] for i in rec["lookalike_neighbours"] if i in visible][:NAMED_NEIGHBOURS]
        rec["_shown"] = ", ".join(shown)
        records.append({k: rec.get(k) for k in _REASON_SCHEMA})
    frame = pl.DataFrame(records, schema=_REASON_SCHEMA).with_columns(
        # The snapshot stores "" where the analysis had no value (never bought, no quadrant).
        [pl.col(c).replace("", None) for c in ("temperature_colour", "quadrant")]
    )
    out = []
    for lang in languages:
        # The sentence adds "and N more" for neighbours beyond the named ones; when none may be
        # named, it says whose they are instead.
        named = frame.with_columns(
            pl.when(pl.col("_shown") == "")
            .then(pl.lit(_OTHERS[lang]))
            .otherwise(pl.col("_shown"))
            .alias("_neighbour_names")
        )
        rendered = reason_sentences(
            named,
            a_level=summary.get("a_level"),
            loyalty_split=split.get("loyalty"),
            profit_split=split.get("profitability"),
            settings=analysis_settings(),
            only={f"{k}_reason_{lang}" for k in kinds},
        )
        out.append(rendered.select([f"{k}_reason_{lang}" for k in kinds]))
    for i, row in enumerate(rows):
        for part in out:
            for name, value in part.row(i, named=True).items():
                setattr(row, name, value)
    return rows
