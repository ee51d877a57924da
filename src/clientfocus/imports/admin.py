from django.contrib import admin

from clientfocus.core.admin import AdminOnly
from clientfocus.imports.models import ImportJob, SavedMapping


@admin.register(ImportJob)
class ImportJobAdmin(AdminOnly):
    """Read-only: jobs change only through imports/services.py."""

    list_display = ("created_at", "created_by", "kind", "original_name", "state", "rows_added", "rows_bad")
    list_filter = ("state", "kind", "source")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(AdminOnly):
    list_display = ("name", "kind", "owner", "created_at")
    list_filter = ("kind",)
