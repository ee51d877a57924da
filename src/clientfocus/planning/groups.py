"""Best-practice groups (seed 004, point 4): small meetings of sellers "selling a similar product
or working with similar clients", to find the best practice and learn from the best.

Similarity is the client industry mix: per seller, the share of their companies in each
industry (companies of the current analysis snapshot with an industry recorded). Two sellers
are alike when the cosine similarity of their mixes is high; sellers are grouped by average-
linkage hierarchical clustering on cosine distance, cut at GROUP_MAX_DISTANCE (= similarity
0.6), so within a group sellers are on average at least that alike.

Product groups are not used: sale lines carry one (sales.Sale.product_group), but the monthly
rollup does not, and the analysis never aggregates raw sale lines over the whole table
(PRODUCT.md, "Storage and scale").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Q, Sum

from clientfocus.accounts.access import peers_visible_to
from clientfocus.accounts.models import Role, User
from clientfocus.deals.models import Deal, Stage
from clientfocus.portfolio.models import CompanyAnalysis
from clientfocus.portfolio.selectors import snapshot_current

GROUP_MIN_SIMILARITY = 0.6
GROUP_MAX_DISTANCE = 1 - GROUP_MIN_SIMILARITY
# A group is named by its largest industries (average share across its members), at most
# SHARED_MAX_NAMES of them and only those making at least SHARED_MIN_SHARE of the mix.
SHARED_MIN_SHARE = 0.1
SHARED_MAX_NAMES = 2
WON_WINDOW_DAYS = 365


def cluster_mixes(mixes: dict[int, dict[str, float]]) -> list[list[int]]:
    """Group seller ids by the cosine similarity of their mixes (pure; see the module docstring).

    Sellers with an empty mix (no company with an industry) form no group. Groups are returned
    largest first, then by their first member.
    """
    ids = [i for i in sorted(mixes) if sum(mixes[i].values()) > 0]
    if not ids:
        return []
    if len(ids) == 1:
        return [ids]
    from sklearn.cluster import AgglomerativeClustering

    industries = sorted({k for i in ids for k in mixes[i]})
    matrix = np.array([[mixes[i].get(k, 0.0) for k in industries] for i in ids], dtype=float)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=GROUP_MAX_DISTANCE
    ).fit_predict(matrix)
    groups: dict[int, list[int]] = defaultdict(list)
    for seller_id, label in zip(ids, labels, strict=True):
        groups[int(label)].append(seller_id)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def shared_industries(mixes: dict[int, dict[str, float]], members: list[int]) -> list[str]:
    """The industries the group has in common: the largest average shares, see SHARED_*."""
    total: dict[str, float] = defaultdict(float)
    for m in members:
        for k, v in mixes[m].items():
            total[k] += v / len(members)
    ranked = sorted(((v, k) for k, v in total.items() if v >= SHARED_MIN_SHARE), key=lambda t: (-t[0], t[1]))
    return [k for _v, k in ranked[:SHARED_MAX_NAMES]]


@dataclass
class SellerFigures:
    user: User
    revenue_12m: int = 0
    clients: int = 0
    a_clients: int = 0
    a_red: int = 0
    overdue: int = 0
    alerts: int = 0
    won_deals: int = 0
    best: set[str] = field(default_factory=set)

    @property
    def revenue_per_client(self) -> int | None:
        return None if self.clients == 0 else self.revenue_12m // self.clients

    @property
    def a_red_share(self) -> float | None:
        return None if self.a_clients == 0 else self.a_red / self.a_clients


@dataclass(frozen=True)
class Group:
    shared: list[str]
    members: list[SellerFigures]


# Column -> (getter, True when larger is better). The best of each column is highlighted.
COLUMNS: dict[str, tuple[Any, bool]] = {
    "revenue_12m": (lambda f: f.revenue_12m, True),
    "clients": (lambda f: f.clients, True),
    "a_red": (lambda f: f.a_red_share, True),
    "overdue": (lambda f: f.overdue, False),
    "alerts": (lambda f: f.alerts, False),
    "won_deals": (lambda f: f.won_deals, True),
    "revenue_per_client": (lambda f: f.revenue_per_client, True),
}


def mark_best(members: list[SellerFigures]) -> None:
    """Mark the best figure of each column (ties all marked); a group of one has no best."""
    if len(members) < 2:
        return
    for name, (get, larger) in COLUMNS.items():
        values = [get(m) for m in members if get(m) is not None]
        if not values or min(values) == max(values):
            continue
        best = max(values) if larger else min(values)
        for m in members:
            if get(m) == best:
                m.best.add(name)


def best_practice_groups(*, user: Any, as_of: dt.date) -> list[Group]:
    """The groups among the sellers `user` may compare (accounts.access.peers_visible_to); a
    seller gets only the group they belong to. Five queries whatever the team's size."""
    people = {
        u.pk: u for u in peers_visible_to(user).filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER])
    }
    snapshot = snapshot_current()
    if not people or snapshot is None:
        return []
    rows = CompanyAnalysis.objects.filter(snapshot=snapshot, company__owner_id__in=list(people)).order_by()
    counts: dict[int, dict[str, float]] = defaultdict(dict)
    for owner_id, industry, n in (
        rows.exclude(company__industry="")
        .values_list("company__owner_id", "company__industry")
        .annotate(n=Count("id"))
    ):
        counts[owner_id][industry] = float(n)
    mixes = {pk: {k: v / sum(m.values()) for k, v in m.items()} for pk, m in counts.items()}
    figures = {pk: SellerFigures(user=u) for pk, u in people.items()}
    for r in rows.values("company__owner_id").annotate(
        revenue=Sum("revenue_12m"),
        clients=Count("id", filter=Q(revenue_12m__gt=0)),
        a=Count("id", filter=Q(category="A")),
        a_red=Count("id", filter=Q(category="A", temperature_colour="red")),
        overdue=Count("id", filter=Q(overdue=True)),
        alerts=Count("id", filter=Q(alert=True)),
    ):
        f = figures[r["company__owner_id"]]
        f.revenue_12m, f.clients, f.a_clients = int(r["revenue"] or 0), r["clients"], r["a"]
        f.a_red, f.overdue, f.alerts = r["a_red"], r["overdue"], r["alerts"]
    for owner_id, n in (
        Deal.objects.filter(
            owner_id__in=list(people),
            stage=Stage.WON,
            closed_on__gt=as_of - dt.timedelta(days=WON_WINDOW_DAYS),
            closed_on__lte=as_of,
        )
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        figures[owner_id].won_deals = n
    out = []
    for members in cluster_mixes(mixes):
        if getattr(user, "role", None) == Role.SELLER and user.pk not in members:
            continue
        group = Group(shared=shared_industries(mixes, members), members=[figures[m] for m in members])
        group.members.sort(key=lambda f: (-f.revenue_12m, f.user.pk))
        mark_best(group.members)
        out.append(group)
    return out
