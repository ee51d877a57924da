"""The Django admin, scoped by role the same way as the workspace (accounts/access.py).

Sellers and managers may use it for the data they can see; users, teams and the audit log are
for admins only. Foreign-key choices are limited too, so nobody can attach a record to a company
or an owner outside their scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from clientfocus.accounts.access import assignable_owners, company_scope, is_admin, users_visible_to


def has_role(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None))


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose rows, permissions and choices follow accounts/access.py."""

    company_path = "company__"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).filter(company_scope(request.user, path=self.company_path))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A seller or manager who creates a company owns it, or it would vanish from their view.
        if hasattr(obj, "owner_id") and obj.owner_id is None and not is_admin(request.user):
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        from clientfocus.accounts.models import User
        from clientfocus.companies.models import Company, Contact

        model = db_field.remote_field.model
        if model is Company:
            kwargs["queryset"] = Company.objects.visible_to(request.user)
        elif model is Contact:
            kwargs["queryset"] = Contact.objects.visible_to(request.user)
        elif model is User:
            kwargs["queryset"] = (
                User.objects.all() if is_admin(request.user) else assignable_owners(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdminMixin:
    """For rows that only services write (rollups, histories, snapshots, plans): the admin shows
    them and changes nothing, so every write keeps its validation and audit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Scoped like the workspace, and read-only."""


class AdminOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Users, teams, the audit log: only admins manage them; others see themselves at most."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs if is_admin(request.user) else qs.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)


class RoleAdminSite(admin.AdminSite):
    site_header = "ClientFocus"
    site_title = "ClientFocus"

    def has_permission(self, request: HttpRequest) -> bool:
        return has_role(request)


__all__ = ["AdminOnly", "RoleAdminSite", "ScopedAdmin", "users_visible_to"]
