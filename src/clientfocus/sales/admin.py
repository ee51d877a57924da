"""Sale lines are shown read-only here: they change only through imports and sales/services.py,
which keep the monthly rollup in step."""

from django.contrib import admin

from clientfocus.core.admin import ReadOnlyScopedAdmin
from clientfocus.sales.models import DailySales, MonthlySales, Sale


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
