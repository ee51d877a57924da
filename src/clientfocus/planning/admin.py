from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientfocus.activities.models import Activity
from clientfocus.core.admin import ScopedAdmin
from clientfocus.planning.models import AccountPlan, PlannedVisit


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
