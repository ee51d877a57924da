"""Reads of the import: the jobs a user may see (their own; admins see all) and their mappings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from clientfocus.accounts.access import is_admin
from clientfocus.imports.models import ImportJob, SavedMapping


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    if user is None or not user.is_authenticated or not user.is_active:
        return ImportJob.objects.none()
    if is_admin(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(created_by=user)


def recent_jobs(*, user: Any, limit: int = 20) -> list[ImportJob]:
    # Only one's own jobs on the start page, admins included (the admin site lists all).
    return list(ImportJob.objects.filter(created_by=user).order_by("-created_at", "-id")[:limit])


def saved_mappings(*, user: Any, kind: str) -> QuerySet[SavedMapping]:
    return SavedMapping.objects.filter(owner__pk=user.pk, kind=kind).order_by("name")


def saved_mapping_columns(*, user: Any, pk: int, kind: str) -> dict[str, str]:
    saved = SavedMapping.objects.filter(owner__pk=user.pk, kind=kind, pk=pk).first()
    if saved is None:
        raise Http404
    return dict(saved.columns)
