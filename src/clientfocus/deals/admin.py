
from django.contrib import admin

from clientfocus.core.admin import ReadOnlyScopedAdmin, ScopedAdmin
from clientfocus.deals.models import Deal, DealStageChange


@admin.register(Deal)
class DealAdmin(ScopedAdmin):
    list_display = ("title", "company", "stage", "amount_minor", "need_type", "expected_close", "owner")
    list_filter = ("stage", "need_type")
    list_select_related = ("company", "owner")
    autocomplete_fields = ("company",)
    # The stage moves only through deals/services.py (forward only, with its history): the
    # workspace's board and deal page do that.
    readonly_fields = ("stage", "closed_on")


@admin.register(DealStageChange)
class DealStageChangeAdmin(ReadOnlyScopedAdmin):
    """The history of stages is written by deals/services.py only: read-only here."""

    company_path = "deal__company__"
    list_display = ("deal", "from_stage", "to_stage", "changed_on", "actor")
    list_filter = ("to_stage",)
    list_select_related = ("deal", "actor")
