"""Is the analysis snapshot still true? A counter that every data write bumps.

A second counter (row 2) moves only with what the stored per-scope summaries are computed from
besides the snapshot's own rows: the companies' names, owners, relationship and liquidation, and
the analysis settings. Logging a call or adding a sale makes the snapshot stale (its cadence and
revenue are behind) but leaves its summaries exactly what a computation on the request would give
over the same rows, so the analysis and team pages keep reading them (portfolio/summaries.py).

Kept apart from portfolio/services.py (which imports the loaders and the analytics) so that the
sales, companies and activities services can call it without an import cycle.
"""

from __future__ import annotations

from django.db.models import F, Subquery
from django.utils import timezone

from clientfocus.portfolio.models import DataVersion

ANY_DATA = 1  # the DataVersion row every analysed write bumps
ATTRIBUTES = 2  # the row only company attributes and settings bump


def data_changed(*, attributes: bool = False) -> None:
    """Called by every write that changes what the analysis reads: the snapshot becomes stale.
    `attributes`: the write also changed companies' names, owners, relationship or liquidation,
    or the settings (the inputs of the stored summaries besides the snapshot rows)."""
    _bump(ANY_DATA)
    if attributes:
        _bump(ATTRIBUTES)


def _bump(pk: int) -> None:
    updated = DataVersion.objects.filter(pk=pk).update(version=F("version") + 1, changed_at=timezone.now())
    if not updated:
        DataVersion.objects.get_or_create(pk=pk, defaults={"version": 1, "changed_at": timezone.now()})


def data_version() -> int:
    row = DataVersion.objects.filter(pk=ANY_DATA).values_list("version", flat=True).first()
    return int(row or 0)


def attributes_version() -> int:
    row = DataVersion.objects.filter(pk=ATTRIBUTES).values_list("version", flat=True).first()
    return int(row or 0)


def attributes_version_subquery() -> Subquery:
    """`attributes_version()` as an expression, so a reader can fetch it with its own row."""
    return Subquery(DataVersion.objects.filter(pk=ATTRIBUTES).values("version")[:1])
