"""Per-scope summaries computed with the snapshot, so the analysis, team and my-day pages read a
few small rows instead of every visible snapshot row (issue 5: ≤ 300 ms at 100,000 companies).

A scope is the set of companies a kind of user sees (accounts/access.py decides it; this module
only names it): "all" for admins, "team:<id>" for a manager with a team, "owner:<id>" for a
seller or a teamless manager. Each scope's companies are taken from `Company.objects.visible_to`
of a real user of that scope, never from a rule restated here, and a page uses a stored summary
only while it is provably what it would compute on the request:

- the snapshot is fresh (no write since: ownership, names and liquidation are as computed), and
- the people of the scope (`users_visible_to`) are the same, with the same names and teams.

Otherwise the page computes on the request as before (exact, slower) — the stale banner already
asks for a recompute, which writes new summaries.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from clientfocus.accounts.access import is_admin, users_visible_to
from clientfocus.accounts.models import Role, User
from clientfocus.companies.models import Company
from clientfocus.portfolio.models import AnalysisSummary, CompanyAnalysis, Snapshot


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


def _frame(snapshot: Snapshot) -> pl.DataFrame:
    """Every row of the snapshot as the analysis pages' frame plus the team/my-day columns.

    One query through the plain cursor: the ORM's per-row conversion of 100,000 rows cost 3.6 s
    here, the cursor 0.4 s. It runs inside the recompute's transaction (rows not yet committed),
    so it cannot use the Arrow reader of loaders.py.
    """
    from django.db import connection
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, Concat

    from clientfocus.portfolio.selectors import _FRAME_FIELDS, frame_from_values

    rows = (
        CompanyAnalysis.objects.filter(snapshot=snapshot)
        .annotate(
            owner_name=Coalesce(
                Concat("company__owner__first_name", Value(" "), "company__owner__last_name"), Value("—")
            ),
            temperature_colour_raw=F("temperature_colour"),
        )
        .values_list(*_FRAME_FIELDS, "overdue", "alert", "next_due", "temperature_colour_raw")
    )
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    schema = {**_FRAME_FIELDS, **dict.fromkeys(_EXTRA, pl.String)}
    raw = pl.DataFrame(values, schema=list(schema), orient="row", infer_schema_length=None)
    # The plain cursor hands booleans as 0/1 and dates as ISO text (SQLite) or typed (PostgreSQL).
    casts = []
    for name, dtype in {**_FRAME_FIELDS, **_EXTRA}.items():
        col = pl.col(name)
        if dtype == pl.Date and raw.schema[name] == pl.String:
            col = col.str.slice(0, 10).str.to_date("%Y-%m-%d")
        elif dtype == pl.Boolean and raw.schema[name] != pl.Boolean:
            col = col.cast(pl.Int64)
        casts.append(col.cast(dtype).alias(name))
    raw = raw.select(casts)
    return frame_from_values(raw.select(list(_FRAME_FIELDS))).with_columns(raw.select(list(_EXTRA)))


def summaries_write(snapshot: Snapshot) -> int:
    """Compute and store every scope's summary for `snapshot` (called by the recompute, inside
    its transaction, after the company rows). Returns the number of scopes written."""
    from clientfocus.portfolio.selectors import analysis_payload
    from clientfocus.portfolio.services import analysis_settings

    settings = analysis_settings()
    frame = _frame(snapshot)
    representatives: dict[str, User] = {}
    for user in User.objects.filter(is_active=True).order_by("pk"):
        key = scope_key(user)
        if key is not None:
            representatives.setdefault(key, user)
    written = []
    for key, user in representatives.items():
        ids = Company.objects.visible_to(user).values_list("pk", flat=True)
        part = frame if key == "all" else frame.filter(pl.col("company_id").is_in(list(ids)))
        data = analysis_payload(part.drop("overdue", "alert", "next_due", "temperature_colour_raw"), settings)
        data_owners = owner_figures(part)
        written.append(
            AnalysisSummary(
                snapshot=snapshot,
                scope=key,
                members=scope_members(user),
                data={"analysis": data, "owners": data_owners},
            )
        )
    # Only the newest snapshot keeps summaries (like its company rows); rewriting one replaces it.
    AnalysisSummary.objects.all().delete()
    AnalysisSummary.objects.bulk_create(written)
    return len(written)


def _stored(*, user: Any, snapshot: Snapshot | None) -> dict[str, Any] | None:
    from clientfocus.portfolio.selectors import snapshot_is_stale

    key = scope_key(user)
    if key is None or snapshot is None or snapshot_is_stale(snapshot):
        return None
    row = AnalysisSummary.objects.filter(snapshot=snapshot, scope=key).values("members", "data").first()
    if row is None or row["members"] != scope_members(user):
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
