"""Per-scope summaries computed with the snapshot, so the analysis, team and my-day pages read a
few small rows instead of every visible snapshot row (issue 5: ≤ 300 ms at 100,000 companies).

A scope is the set of companies a kind of user sees (accounts/access.py decides it; this module
only names it): "all" for admins, "team:<id>" for a manager with a team, "owner:<id>" for a
seller or a teamless manager. Each scope's companies are taken from `Company.objects.visible_to`
of a real user of that scope, never from a rule restated here, and a page uses a stored summary
only while it is provably what it would compute on the request:

- no write since changed companies' names, owners, relationship or liquidation, nor the settings
  (`staleness.attributes_version`; logged activities and new sales do not change the summaries,
  which are computed from the snapshot's rows, the same rows a request would read), and
- the people of the scope (`users_visible_to`) are the same, with the same names and teams.

Otherwise the page computes on the request as before (exact, slower) — the stale banner already
asks for a recompute, which writes new summaries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import polars as pl

from clientfocus.accounts.access import is_admin, users_visible_to
from clientfocus.accounts.models import Role, User
from clientfocus.companies.models import Company
from clientfocus.portfolio.models import AnalysisSummary, Snapshot


def scope_key(user: Any) -> str | None:
    """The name of the scope whose companies `user` sees, or None (sees nothing / unknown)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if is_admin(user):
        return "all"
    if user.role == Role.MANAGER:
        return f"team:{user.team_id}" if user.team_id is not None else f"owner:{user.pk}"
    if user.role == Role.SELLER:
        return f"owner:{user.pk}"
    return None


def scope_members(user: Any) -> list[list[Any]]:
    """The fingerprint of the people `user` sees: a change of team, role or name invalidates."""
    return [
        list(r)
        for r in users_visible_to(user)
        .order_by("pk")
        .values_list("pk", "team_id", "role", "is_active", "first_name", "last_name")
    ]


def owner_figures(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Per owner (the team page): companies per category, A not red, overdue, alerts, and the
    non-liquidated companies per next-due date (my day counts those due by today)."""
    out: dict[str, dict[str, Any]] = {}
    for (owner_id,), part in frame.group_by(["owner_id"]):
        cats = Counter(part["category"].to_list())
        live = part.filter(~pl.col("liquidated") & pl.col("next_due").is_not_null())
        out[str(owner_id)] = {
            "categories": {c: int(cats.get(c, 0)) for c in ("A", "B", "C", "D")},
            "a_not_red": int(
                part.filter((pl.col("category") == "A") & (pl.col("temperature_colour_raw") != "red")).height
            ),
            "overdue": int(part["overdue"].sum()),
            "alerts": int(part["alert"].sum()),
            "due_by_date": {d.isoformat(): int(n) for d, n in live.group_by("next_due").len().iter_rows()},
        }
    return out


_EXTRA = {
    "overdue": pl.Boolean,
    "alert": pl.Boolean,
    "next_due": pl.Date,
    "temperature_colour_raw": pl.String,
}


def _frame(rows: pl.DataFrame, companies: pl.DataFrame, users: pl.DataFrame) -> pl.DataFrame:
    """The snapshot's rows as just written (`rows`, the frame the recompute inserted) joined
    with the companies' names, owners and flags, as the analysis pages' frame plus the team and
    my-day columns — the same frame `selectors.analysis_frame_of` reads back from the table.

    Built in memory: reading the 100,000 rows back inside the recompute's transaction cost
    ~1.3 s at 100,000 companies (docs/performance.md, "Analysis end to end"). `companies` is
    the recompute's own read (loaders.load_companies), taken after the snapshot's data version,
    so a later change of names or owners moves `staleness.attributes_version` past the one the
    snapshot recorded and the pages stop using the summaries.
    """
    from clientfocus.portfolio.selectors import _FRAME_FIELDS, frame_from_values, owner_label

    attrs = (
        companies.select(
            "company_id",
            pl.col("name").alias("company__name"),
            pl.col("owner_id").alias("company__owner_id"),
            pl.col("relationship").alias("company__relationship"),
            pl.col("liquidated").alias("company__liquidated"),
        )
        .join(users, left_on="company__owner_id", right_on="owner_id", how="left")
        .with_columns(owner_label("company__owner_id", "_first", "_last").alias("owner_name"))
    )
    joined = rows.join(attrs, on="company_id", how="left").with_columns(
        pl.col("temperature_colour").alias("temperature_colour_raw")
    )
    typed = joined.select([pl.col(n).cast(t) for n, t in {**_FRAME_FIELDS, **_EXTRA}.items()])
    return frame_from_values(typed.select(list(_FRAME_FIELDS))).with_columns(typed.select(list(_EXTRA)))


@dataclass(frozen=True)
class SummaryInputs:
    """What the summaries need from the database besides the snapshot's rows: read by
    `summaries_prepare` on the recompute's connection, so `summaries_compute` touches no
    database and can run beside the snapshot's write (portfolio/services.py)."""

    settings: Any
    users: pl.DataFrame  # owner_id, _first, _last
    scopes: list[tuple[str, list[list[Any]], list[int] | None]]  # key, members, visible ids (None: all)


def summaries_prepare() -> SummaryInputs:
    from clientfocus.portfolio.services import analysis_settings

    users = pl.DataFrame(
        list(User.objects.values_list("pk", "first_name", "last_name")),
        schema={"owner_id": pl.Int64, "_first": pl.String, "_last": pl.String},
        orient="row",
    )
    representatives: dict[str, User] = {}
    for user in User.objects.filter(is_active=True).order_by("pk"):
        key = scope_key(user)
        if key is not None:
            representatives.setdefault(key, user)
    scopes = [
        (key, scope_members(user), None if key == "all" else _visible_ids(user))
        for key, user in representatives.items()
    ]
    return SummaryInputs(settings=analysis_settings(), users=users, scopes=scopes)


def summaries_compute(
    snapshot: Snapshot, inputs: SummaryInputs, *, rows: pl.DataFrame, companies: pl.DataFrame
) -> list[AnalysisSummary]:
    """Every scope's summary for `snapshot`, not saved yet, from the company rows the recompute
    writes and the companies it read. No database access (polars releases the GIL for most of
    it): the recompute runs it in a thread while it writes the rows."""
    from clientfocus.portfolio.selectors import analysis_payload

    frame = _frame(rows, companies, inputs.users)
    written = []
    for key, members, ids in inputs.scopes:
        part = frame if ids is None else frame.filter(pl.col("company_id").is_in(ids))
        data = analysis_payload(
            part.drop("overdue", "alert", "next_due", "temperature_colour_raw"), inputs.settings
        )
        written.append(
            AnalysisSummary(
                snapshot=snapshot,
                scope=key,
                members=members,
                data={"analysis": data, "owners": owner_figures(part)},
            )
        )
    return written


def _visible_ids(user: User) -> list[int]:
    """The ids of `Company.objects.visible_to(user)`, fetched as plain tuples (the queryset's
    iterator cost 0.5 s for the 200,000 ids of a 100,000-company installation's scopes)."""
    from django.db import connection

    sql, params = Company.objects.visible_to(user).values_list("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def summaries_store(summaries: list[AnalysisSummary]) -> int:
    """Replace the stored summaries with these (inside the recompute's transaction)."""
    import json

    from clientfocus.core.bulk import bulk_insert_frame

    # Only the newest snapshot keeps summaries (like its company rows); rewriting one replaces it.
    AnalysisSummary.objects.all().delete()
    # Written in bulk as JSON text: a row-by-row INSERT had PostgreSQL's driver quote ~2 MB of
    # JSON into the statement text (0.25 s at 100,000 companies).
    frame = pl.DataFrame(
        {
            "snapshot_id": [s.snapshot_id for s in summaries],
            "scope": [s.scope for s in summaries],
            "members": [json.dumps(s.members, ensure_ascii=False) for s in summaries],
            "data": [json.dumps(s.data, ensure_ascii=False) for s in summaries],
        },
        schema={"snapshot_id": pl.Int64, "scope": pl.String, "members": pl.String, "data": pl.String},
    )
    return bulk_insert_frame(AnalysisSummary._meta.db_table, frame.columns, frame)


def _stored(*, user: Any, snapshot: Snapshot | None) -> dict[str, Any] | None:
    from clientfocus.portfolio.staleness import attributes_version_subquery

    key = scope_key(user)
    if key is None or snapshot is None:
        return None
    row = (
        AnalysisSummary.objects.filter(snapshot=snapshot, scope=key)
        .annotate(attributes_now=attributes_version_subquery())
        .values("members", "data", "attributes_now")
        .first()
    )
    if row is None or row["members"] != scope_members(user):
        return None
    # Valid while the companies' attributes and the settings are as the recompute read them
    # (staleness.py); a logged call or a new sale leaves the summaries true.
    if (snapshot.summary or {}).get("attributes_version") != (row["attributes_now"] or 0):
        return None
    return row["data"]  # type: ignore[no-any-return]


def summary_for(*, user: Any, snapshot: Snapshot | None) -> dict[str, Any] | None:
    """The analysis page's figures for `user`, precomputed, or None when they may differ."""
    data = _stored(user=user, snapshot=snapshot)
    return None if data is None else data["analysis"]


def owners_for(*, user: Any, snapshot: Snapshot | None) -> dict[str, dict[str, Any]] | None:
    """The per-owner figures of `user`'s scope (team page, my day's count), or None."""
    data = _stored(user=user, snapshot=snapshot)
    return None if data is None else data["owners"]
