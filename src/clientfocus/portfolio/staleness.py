"""Is the analysis snapshot still true? A counter that every data write bumps.

Kept apart from portfolio/services.py (which imports the loaders and the analytics) so that the
sales, companies and activities services can call it without an import cycle.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from clientfocus.portfolio.models import DataVersion


def data_changed() -> None:
    """Called by every write that changes what the analysis reads: the snapshot becomes stale."""
    updated = DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    if not updated:
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": timezone.now()})


def data_version() -> int:
    row = DataVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)
