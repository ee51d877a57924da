from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from clientfocus.accounts.access import is_admin
from clientfocus.companies.models import (
    Company,
    Contact,
    Dossier,
    DossierAnswer,
    DossierChange,
    DossierQuestion,
    DossierSection,
    DossierTemplate,
    IdealProfile,
    ProfileScore,
    ProfileTrait,
)
from clientfocus.core.admin import AdminOnly, ReadOnlyAdminMixin, ReadOnlyScopedAdmin, ScopedAdmin, has_role
from clientfocus.portfolio.staleness import data_changed


class ContactInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contact
    extra = 0
    fields = ("full_name", "position", "role", "phone", "email", "is_active")


@admin.register(Company)
class CompanyAdmin(ScopedAdmin):
    company_path = ""
    list_display = ("name", "inn", "industry", "region", "status", "owner", "liquidated")
    list_filter = ("status", "liquidated", "industry", "region")
    search_fields = ("name", "inn", "search_text")
    list_select_related = ("owner",)
    inlines = [ContactInline]
    # The funnel moves forward only and liquidation closes deals: both go through
    # companies/services.py (the company card has the controls), never through a bare form.
    readonly_fields = ("status", "liquidated", "liquidated_on", "size_band", "created_at", "updated_at")

    # A name, owner or rating edited here changes what the analysis pages show: the snapshot and
    # its stored summaries are no longer current (portfolio/staleness.py).
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        data_changed(attributes=True)

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        data_changed(attributes=True)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        data_changed(attributes=True)


@admin.register(Contact)
class ContactAdmin(ScopedAdmin):
    list_display = ("full_name", "company", "position", "role", "phone", "email", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("full_name", "email", "phone")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)


# --- the ideal customer profile and dossiers -----------------------------------------------------


class TeamScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Profiles belong to a team: its members and admins see them (companies/profiles.py)."""

    profile_path = "pk"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        from clientfocus.companies.profiles import profiles_visible

        visible = profiles_visible(user=request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.profile_path}__in": visible})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)

    # Profiles change through the builder (its services keep one active version per team).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)


@admin.register(IdealProfile)
class IdealProfileAdmin(TeamScopedAdmin):
    list_display = ("team", "version", "is_active", "activated_at", "created_by", "created_at")
    list_filter = ("is_active", "team")


@admin.register(ProfileTrait)
class ProfileTraitAdmin(TeamScopedAdmin):
    profile_path = "profile"
    list_display = ("text", "opposite", "source", "rank", "weight", "profile")
    list_filter = ("source",)


class ServiceWrittenAdmin(ReadOnlyScopedAdmin):
    """Written by services only (scores plan actions, dossier answers leave history); an admin
    may still delete."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)


@admin.register(ProfileScore)
class ProfileScoreAdmin(ServiceWrittenAdmin):
    list_display = ("company", "trait", "score", "action", "scored_by", "scored_at")
    list_select_related = ("company", "trait", "action", "scored_by")


@admin.register(Dossier)
class DossierAdmin(ServiceWrittenAdmin):
    list_display = ("company", "contact", "template", "completeness", "updated_at")
    list_select_related = ("company", "contact", "template")


@admin.register(DossierAnswer)
class DossierAnswerAdmin(ServiceWrittenAdmin):
    company_path = "dossier__company__"
    list_display = ("dossier", "question", "value", "updated_by", "updated_at")
    list_select_related = ("dossier", "question", "updated_by")


@admin.register(DossierChange)
class DossierChangeAdmin(ServiceWrittenAdmin):
    company_path = "dossier__company__"
    list_display = ("changed_at", "dossier", "question", "changed_by")
    list_select_related = ("dossier", "question", "changed_by")


class TemplateAdmin(ReadOnlyAdminMixin, AdminOnly):
    """The dossier template is defined in code (companies/dossiers.py) and versioned: read-only
    here, so nobody adds a question the product refuses to ask (seed 001's «откат»)."""


class DossierQuestionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DossierQuestion
    extra = 0
    fields = ("position", "code", "text", "answer_type", "choices")


@admin.register(DossierTemplate)
class DossierTemplateAdmin(TemplateAdmin):
    list_display = ("version", "title", "created_at")


@admin.register(DossierSection)
class DossierSectionAdmin(TemplateAdmin):
    list_display = ("title", "kind", "code", "template", "position")
    list_filter = ("template", "kind")
    inlines = [DossierQuestionInline]


@admin.register(DossierQuestion)
class DossierQuestionAdmin(TemplateAdmin):
    list_display = ("text", "code", "answer_type", "section")
    list_filter = ("answer_type", "section__kind")
