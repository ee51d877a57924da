from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from clientfocus.accounts.access import users_visible_to
from clientfocus.activities.models import Activity, FeedbackRequest, WeeklyPlan, WeeklyPlanItem
from clientfocus.core.admin import ReadOnlyAdminMixin, ReadOnlyScopedAdmin, ScopedAdmin, has_role


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ("date", "kind", "state", "company", "contact", "seller", "subject")
    list_filter = ("kind", "state")
    list_select_related = ("company", "contact", "seller")
    autocomplete_fields = ("company", "contact")
    date_hierarchy = "date"


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "requested_at",
        "company",
        "seller",
        "state",
        "alert_trend_3m_yoy",
        "answered_at",
        "closed_at",
    )
    list_filter = ("state",)
    list_select_related = ("company", "seller")


@admin.register(WeeklyPlanItem)
class WeeklyPlanItemAdmin(ReadOnlyScopedAdmin):
    list_display = ("plan", "date", "kind", "company", "rank")
    list_select_related = ("plan", "company")


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A plan belongs to its seller: visible to whoever may see that seller's work."""

    list_display = ("week_start", "seller", "generated_at", "edited", "accepted_at")
    list_select_related = ("seller",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).filter(seller__in=users_visible_to(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)
