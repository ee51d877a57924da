from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientfocus.activities.models import Activity
from clientfocus.core.admin import ReadOnlyAdminMixin, ScopedAdmin, has_role
from clientfocus.planning.models import AccountPlan, Goal, MarketPlan, MarketPlanReview, PlannedVisit


@admin.register(AccountPlan)
class AccountPlanAdmin(ScopedAdmin):
    list_display = ("company", "review_on", "reviewed_on", "win_probability", "reviewed_by")
    list_select_related = ("company", "reviewed_by")
    autocomplete_fields = ("company",)
    date_hierarchy = "review_on"


@admin.register(PlannedVisit)
class PlannedVisitAdmin(ScopedAdmin):
    company_path = "plan__company__"
    list_display = ("plan", "date", "stage", "contact", "done")
    list_filter = ("stage", "done")
    list_select_related = ("plan__company", "contact")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Nobody attaches a visit to a plan or a touch outside their scope.
        if db_field.remote_field.model is AccountPlan:
            kwargs["queryset"] = AccountPlan.objects.visible_to(request.user).select_related("company")
        elif db_field.remote_field.model is Activity:
            kwargs["queryset"] = Activity.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Goals and market plans change only through their services (validation, audit, review
    log); the admin shows the rows `accounts.access` lets the user read, and writes nothing."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request)


@admin.register(Goal)
class GoalAdmin(_ReadOnlyAdmin):
    list_display = ("specific", "seller", "team", "metric", "baseline", "target", "deadline", "closed_on")
    list_filter = ("metric",)
    list_select_related = ("seller", "team")


@admin.register(MarketPlan)
class MarketPlanAdmin(_ReadOnlyAdmin):
    list_display = ("team", "period_start", "period_end", "last_reviewed_on")
    list_select_related = ("team",)


@admin.register(MarketPlanReview)
class MarketPlanReviewAdmin(_ReadOnlyAdmin):
    list_display = ("plan", "date", "by")
    list_select_related = ("plan__team", "by")
