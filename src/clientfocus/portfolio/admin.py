from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientfocus.core.admin import AdminOnly, ReadOnlyScopedAdmin
from clientfocus.portfolio.models import (
    AnalysisSettings,
    AnalysisSummary,
    CompanyAnalysis,
    DataVersion,
    Snapshot,
)


@admin.register(AnalysisSettings)
class AnalysisSettingsAdmin(AdminOnly):
    list_display = ("__str__", "report_as_of", "updated_at", "updated_by")


@admin.register(Snapshot)
class SnapshotAdmin(AdminOnly):
    list_display = ("started_at", "as_of", "state", "seconds", "data_version", "requested_by")
    list_filter = ("state",)
    readonly_fields = [f.name for f in Snapshot._meta.fields]


@admin.register(AnalysisSummary)
class AnalysisSummaryAdmin(AdminOnly):
    """Admins only (a summary names companies of its whole scope); read-only: the recompute
    writes them with the snapshot (portfolio/summaries.py)."""

    list_display = ("snapshot", "scope")
    readonly_fields = ("snapshot", "scope", "members", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataVersion)
class DataVersionAdmin(AdminOnly):
    list_display = ("version", "changed_at")


@admin.register(CompanyAnalysis)
class CompanyAnalysisAdmin(ReadOnlyScopedAdmin):
    """Read-only: the snapshot is written by the recompute only."""

    list_display = (
        "company",
        "category",
        "revenue_12m",
        "potential",
        "temperature_colour",
        "quadrant",
        "next_due",
    )
    list_filter = ("category", "temperature_colour", "quadrant", "alert", "overdue")
    list_select_related = ("company",)
    show_full_result_count = False
