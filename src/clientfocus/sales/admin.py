"""Sale lines are shown read-only here: they change only through imports and sales/services.py,
which keep the monthly rollup in step."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientfocus.core.admin import ScopedAdmin
from clientfocus.sales.models import DailySales, MonthlySales, Sale


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sale)
class SaleAdmin(ReadOnlyScopedAdmin):
    list_display = ("date", "invoice", "line_no", "company", "amount_minor", "margin_minor", "product_group")
    list_select_related = ("company",)
    date_hierarchy = "date"
    search_fields = ("invoice",)
    show_full_result_count = False


@admin.register(MonthlySales)
class MonthlySalesAdmin(ReadOnlyScopedAdmin):
    list_display = ("company", "month", "revenue_minor", "margin_minor", "invoices", "lines")
    list_select_related = ("company",)
    show_full_result_count = False


@admin.register(DailySales)
class DailySalesAdmin(ReadOnlyScopedAdmin):
    list_display = ("company", "day", "revenue_minor", "margin_minor", "invoices", "lines")
    list_select_related = ("company",)
    date_hierarchy = "day"
    show_full_result_count = False
