"""Reads of deals: one deal and its history, and the pipeline board with its figures per stage.

Every function takes the user and reads through `Deal.objects.visible_to(user)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from clientfocus.deals.models import CLOSED_STAGES, OPEN_STAGES, STAGE_ORDER, Deal, DealStageChange, Stage

BOARD_CARDS_PER_COLUMN = 50
# Closed deals stay on the board this long, so the week's wins and losses are visible.
BOARD_CLOSED_DAYS = 90
# The figures per stage are over the deals opened in the last year.
FIGURES_DAYS = 365


def deal_visible(*, user: Any) -> QuerySet[Deal]:
    return Deal.objects.visible_to(user)


def deal_get(*, user: Any, pk: int) -> Deal:
    """The deal, or the same 404 whether it does not exist or is not the user's."""
    return get_object_or_404(deal_visible(user=user).select_related("company", "owner"), pk=pk)


@dataclass(frozen=True)
class Stay:
    """A deal's time in one stage: entered on `entered_on`, left on `left_on` (None: still there)."""

    stage: str
    entered_on: dt.date
    left_on: dt.date | None
    note: str = ""
    actor: str = ""

    def days(self, as_of: dt.date) -> int:
        return ((self.left_on or as_of) - self.entered_on).days


def _stays(deal_stage: str, created_on: dt.date, closed_on: dt.date | None, changes: list[Any]) -> list[Stay]:
    """The stays of one deal from its changes (ordered by date). A deal recorded before the history
    existed has none: its one known stay is the current stage since it was opened."""
    if not changes:
        return [Stay(deal_stage, created_on, None)]
    stays: list[Stay] = []
    for i, ch in enumerate(changes):
        left = changes[i + 1].changed_on if i + 1 < len(changes) else None
        stays.append(Stay(ch.to_stage, ch.changed_on, left, ch.note, str(ch.actor or "")))
    return stays


@dataclass(frozen=True)
class HistoryRow:
    stay: Stay
    label: str
    days: int | None  # None for WON and LOST: a final stage has no duration


def deal_history(*, user: Any, deal: Deal, as_of: dt.date) -> list[HistoryRow]:
    """The deal's stages with the dates it entered and left each, and the days it spent there."""
    changes = list(
        DealStageChange.objects.visible_to(user)
        .filter(deal=deal)
        .select_related("actor")
        .order_by("changed_on", "id")
    )
    stays = _stays(deal.stage, deal.created_on, deal.closed_on, changes)
    if changes and changes[0].from_stage:
        # The history began after the deal was opened (recorded before it was kept): its first
        # known stage ran from the opening date to the first change.
        stays.insert(0, Stay(changes[0].from_stage, deal.created_on, changes[0].changed_on))
    return [
        HistoryRow(s, str(Stage(s.stage).label), None if s.stage in CLOSED_STAGES else s.days(as_of))
        for s in stays
    ]


# --- the pipeline board ---------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigures:
    """Per stage, over the deals opened in the last FIGURES_DAYS:

    - passed: deals that went on to a later stage (WON included); lost_here: deals lost from it;
    - conversion = passed / (passed + lost_here): of the deals that left the stage, the share that
      moved forward (deals still in it have not decided yet, so they do not count);
    - avg_days: mean days of the finished stays in the stage.
    """

    passed: int = 0
    lost_here: int = 0
    conversion: float | None = None
    avg_days: float | None = None
    stays: int = 0


@dataclass
class Column:
    stage: Stage
    deals: list[Deal]
    count: int
    amount_minor: int
    figures: StageFigures
    accepts_drop: bool
    index: int


@dataclass
class Board:
    columns: list[Column]
    as_of: dt.date
    won: int = 0
    lost: int = 0
    win_rate: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def stage_figures(
    deals: list[tuple[int, str, dt.date, dt.date | None]], changes: dict[int, list[Any]]
) -> dict[str, StageFigures]:
    """The figures of every stage but LOST from deals (id, stage, created_on, closed_on) and their
    changes (by deal id, ordered by date). A deal recorded without history counts as having
    passed the stages before its current one (WON: all of them); a lost one without history
    is left out, since the stage it was lost from is unknown."""
    order = {s: i for i, s in enumerate(STAGE_ORDER)}
    passed: dict[str, int] = defaultdict(int)
    lost_here: dict[str, int] = defaultdict(int)
    durations: dict[str, list[int]] = defaultdict(list)
    for deal_id, stage, created_on, closed_on in deals:
        history = changes.get(deal_id, [])
        if not history and stage == Stage.LOST:
            continue  # lost before the history was kept: from which stage is unknown
        stays = _stays(stage, created_on, closed_on, history)
        reached = [order[s.stage] for s in stays if s.stage != Stage.LOST]
        furthest = max(reached) if reached else 0
        for i in range(furthest):
            passed[STAGE_ORDER[i]] += 1
        if stage == Stage.LOST:
            lost_here[STAGE_ORDER[furthest]] += 1
        for s in stays:
            if s.left_on is not None and s.stage not in CLOSED_STAGES:
                durations[s.stage].append((s.left_on - s.entered_on).days)
    out: dict[str, StageFigures] = {}
    for s in STAGE_ORDER:
        done = passed[s] + lost_here[s]
        days = durations[s]
        out[s] = StageFigures(
            passed=passed[s],
            lost_here=lost_here[s],
            conversion=passed[s] / done if done and s != Stage.WON else None,
            avg_days=sum(days) / len(days) if days else None,
            stays=len(days),
        )
    return out


def pipeline_board(*, user: Any, as_of: dt.date, seller: int | None = None) -> Board:
    """Columns by stage (open ones, then WON and LOST closed in the last BOARD_CLOSED_DAYS), each with
    its biggest deals, count, sum and figures. A fixed number of queries whatever the size."""
    qs = deal_visible(user=user)
    if seller is not None:
        qs = qs.filter(owner_id=seller)
    recent_closed = as_of - dt.timedelta(days=BOARD_CLOSED_DAYS)
    on_board = qs.filter(stage__in=OPEN_STAGES) | qs.filter(
        stage__in=CLOSED_STAGES, closed_on__gt=recent_closed
    )
    totals = {
        row["stage"]: row
        for row in on_board.order_by().values("stage").annotate(n=Count("pk"), amount=Sum("amount_minor"))
    }
    entered = (
        DealStageChange.objects.filter(deal=OuterRef("pk"))
        .order_by("-changed_on", "-id")
        .values("changed_on")[:1]
    )
    cards = (
        on_board.select_related("company", "owner")
        .annotate(entered_on=Coalesce(Subquery(entered), "created_on"))
        .order_by("-amount_minor", "pk")
    )
    by_stage: dict[str, list[Deal]] = defaultdict(list)
    # One query per column keeps each column's biggest deals without loading the whole pipeline.
    for stage in [*STAGE_ORDER, Stage.LOST]:
        by_stage[stage] = list(cards.filter(stage=stage)[:BOARD_CARDS_PER_COLUMN])
    for deals in by_stage.values():
        for d in deals:
            d.days_in_stage = (as_of - d.entered_on).days  # type: ignore[attr-defined]

    since = as_of - dt.timedelta(days=FIGURES_DAYS)
    population = list(qs.filter(created_on__gt=since).values_list("pk", "stage", "created_on", "closed_on"))
    changes: dict[int, list[Any]] = defaultdict(list)
    for ch in (
        DealStageChange.objects.filter(deal__in=qs.filter(created_on__gt=since).values("pk"))
        .only("deal_id", "to_stage", "changed_on", "note")
        .order_by("deal_id", "changed_on", "id")
    ):
        changes[ch.deal_id].append(ch)
    figures = stage_figures(population, changes)
    won = sum(1 for p in population if p[1] == Stage.WON)
    lost = sum(1 for p in population if p[1] == Stage.LOST)

    columns = []
    for i, stage in enumerate([*STAGE_ORDER, Stage.LOST]):
        row = totals.get(stage, {})
        columns.append(
            Column(
                stage=Stage(stage),
                deals=by_stage[stage],
                count=row.get("n", 0),
                amount_minor=row.get("amount") or 0,
                figures=figures.get(stage, StageFigures()),
                # Every column but the first takes a drop: the browser checks it is a later one.
                accepts_drop=i > 0,
                index=i,
            )
        )
    return Board(
        columns=columns,
        as_of=as_of,
        won=won,
        lost=lost,
        win_rate=won / (won + lost) if won + lost else None,
    )
