from django.contrib import admin

from clientfocus.companies.models import Company, Contact
from clientfocus.core.admin import ScopedAdmin


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
    readonly_fields = ("size_band", "created_at", "updated_at")


@admin.register(Contact)
class ContactAdmin(ScopedAdmin):
    list_display = ("full_name", "company", "position", "role", "phone", "email", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("full_name", "email", "phone")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
