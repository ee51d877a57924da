from django.contrib import admin

from clientfocus.activities.models import Activity
from clientfocus.core.admin import ScopedAdmin


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ("date", "kind", "state", "company", "contact", "seller", "subject")
    list_filter = ("kind", "state")
    list_select_related = ("company", "contact", "seller")
    autocomplete_fields = ("company", "contact")
    date_hierarchy = "date"
