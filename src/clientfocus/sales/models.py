"""Sale lines and the per-company monthly rollup.

Money is stored in minor units (kopecks) as integers: sums are exact on SQLite and PostgreSQL
alike, so a client whose purchases and returns cancel out has revenue exactly 0.
Only sales/services.py writes either table (ARCHITECTURE.md, invariant 4).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.companies.models import Company


class Sale(models.Model):
    """One line of an invoice (a shipment). Returns are negative lines."""

    # No company-only index: (company, date) below serves every lookup by company (and the
    # cascade from a deleted company), and one B-tree fewer to keep in step per imported line.
    # No foreign-key constraint in the database either (here and on both rollups): only
    # sales/services.py writes these rows, always for companies it has just resolved, and
    # deleting a company still deletes its lines (Django's on_delete). On PostgreSQL the
    # constraint's per-row check was a third of a 1,000,000-line import (docs/performance.md).
    company = models.ForeignKey(
        Company,
        verbose_name=_("компания"),
        on_delete=models.CASCADE,
        related_name="sales",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField(_("дата"))
    invoice = models.CharField(_("номер документа"), max_length=64)
    line_no = models.PositiveIntegerField(_("номер строки"), default=1)
    amount_minor = models.BigIntegerField(_("сумма, коп."))
    margin_minor = models.BigIntegerField(_("маржа, коп."), null=True, blank=True)
    product_group = models.CharField(_("товарная группа"), max_length=120, blank=True)
    # The natural key of a line: "invoice#line" or, where the source has neither, a content hash.
    # Re-importing the same file therefore changes nothing.
    key = models.CharField(_("ключ строки"), max_length=96, unique=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("строка продажи")
        verbose_name_plural = _("продажи")
        ordering = ["-date", "invoice", "line_no"]
        # No index on the date alone: reads by date across companies go to the daily rollup.
        indexes = [models.Index(fields=["company", "date"])]

    def __str__(self) -> str:
        return f"{self.invoice}#{self.line_no} {self.date}"


class MonthlySales(models.Model):
    """The rollup: one row per company × calendar month with any sale line.

    The analysis reads this table, so its cost grows with companies × months, not with lines.
    first_day/last_day make first and last purchase exact to the day for any as-of date.
    """

    # No company-only index: the unique (company, month) key serves lookups by company. No
    # foreign-key constraint in the database (see Sale.company).
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="monthly_sales",
        db_index=False, db_constraint=False,
    )
    month = models.DateField(_("месяц"), help_text=_("первое число месяца"))
    revenue_minor = models.BigIntegerField(_("выручка, коп."), help_text=_("за вычетом возвратов"))
    # A sum with an unknown part is unknown: null as soon as one line of the month has no margin.
    margin_minor = models.BigIntegerField(_("маржа, коп."), null=True, blank=True)
    # Purchases: distinct (day, invoice) pairs whose net amount is positive (a credit note for a
    # return is not a purchase) — the same rule as analytics.facts_from_lines.
    invoices = models.PositiveIntegerField(_("покупок"))
    lines = models.PositiveIntegerField(_("строк"))
    first_day = models.DateField(_("первая покупка в месяце"), null=True, blank=True)
    last_day = models.DateField(_("последняя покупка в месяце"), null=True, blank=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("продажи за месяц")
        verbose_name_plural = _("продажи по месяцам")
        ordering = ["company", "month"]
        # Every read names its companies, so the unique (company, month) key is the only index.
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="monthly_sales_company_month")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m}"


class DailySales(models.Model):
    """The finer rollup: one row per company × day with any sale line, by the same rules as
    MonthlySales (a purchase is a (day, invoice) whose net amount is positive; margin unknown as
    soon as one line lacks it).

    The analysis reads whole months from MonthlySales and only the few edge months cut by a
    window boundary from here (PRODUCT.md: windows exact for any as-of date), instead of summing
    those months' sale lines: ~0.45 M small integer rows instead of ~1.5 M lines with invoice
    text at 100,000 companies. Only sales/services.py writes it, in step with the lines.
    """

    # No separate company index: the unique (company, day) key serves every per-company lookup.
    # No foreign-key constraint in the database (see Sale.company).
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="daily_sales",
        db_index=False, db_constraint=False,
    )
    day = models.DateField(_("день"))
    revenue_minor = models.BigIntegerField(_("выручка, коп."), help_text=_("за вычетом возвратов"))
    margin_minor = models.BigIntegerField(_("маржа, коп."), null=True, blank=True)
    invoices = models.PositiveIntegerField(_("покупок"))
    lines = models.PositiveIntegerField(_("строк"))

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("продажи за день")
        verbose_name_plural = _("продажи по дням")
        ordering = ["company", "day"]
        constraints = [models.UniqueConstraint(fields=["company", "day"], name="daily_sales_company_day")]
        # The analysis reads a few months of days across all companies: a covering index makes
        # that an index-only range scan (SQLite: 0.2 s for 0.49 M rows against 1.6 s fetching
        # the rows; Django's `include=` would be ignored on SQLite, hence the plain columns).
        indexes = [
            models.Index(
                fields=["day", "company", "revenue_minor", "margin_minor", "invoices"],
                name="daily_sales_day_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day:%Y-%m-%d}"
