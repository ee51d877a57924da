from django.contrib import admin

from clientfocus.core.admin import ScopedAdmin
from clientfocus.deals.models import Deal


@admin.register(Deal)
class DealAdmin(ScopedAdmin):
    list_display = ("title", "company", "stage", "amount_minor", "need_type", "expected_close", "owner")
    list_filter = ("stage", "need_type")
    list_select_related = ("company", "owner")
    autocomplete_fields = ("company",)
