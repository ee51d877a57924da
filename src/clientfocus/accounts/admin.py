from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import AuditEntry, Team, User
from clientfocus.core.admin import AdminOnly


@admin.register(User)
class UserAdmin(AdminOnly, DjangoUserAdmin):  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("ClientFocus"), {"fields": ("role", "team")}))  # type: ignore[misc]
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("ClientFocus"), {"fields": ("role", "team")}))


@admin.register(Team)
class TeamAdmin(AdminOnly):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(AuditEntry)
class AuditEntryAdmin(AdminOnly):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "details")
