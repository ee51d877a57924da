"""The analysis as pages read it: installation settings, and the latest results snapshot.

The analytics package computes a frozen report from the rollup; `portfolio/services.py` writes
it here (one row per company plus the portfolio summaries), so pages never recompute it. Any
write to sales, companies or activities bumps `DataVersion`; a snapshot computed from an older
version is stale and says so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.companies.models import Company


class StoredJSONField(models.JSONField):
    """JSON written once and read back whole (a snapshot row's lists, a scope summary): on
    PostgreSQL the `json` type, which keeps the text after checking its syntax, instead of
    `jsonb`, which parses every value into its binary form — a quarter of the COPY of 100,000
    snapshot rows (docs/performance.md). Nothing queries inside these values. Other databases:
    Django's JSONField as is."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg decodes `json` itself (Django has it hand `jsonb` over as text instead).
        if value is not None and not isinstance(value, str | bytes | bytearray):
            return value
        return super().from_db_value(value, expression, connection)


class AnalysisSettings(models.Model):
    """The thresholds and cadences of PRODUCT.md, per installation (a single row, pk=1).

    `values` holds `clientfocus.analytics.Settings.to_dict()`; missing keys take the defaults.
    """

    values = models.JSONField(_("значения"), default=dict, blank=True)
    report_as_of = models.DateField(_("дата отчётов"), null=True, blank=True, help_text=_("пусто — сегодня"))
    # The weekly plan's capacity (seed 003: a seller plans next week's meetings on Friday).
    meetings_per_day = models.PositiveSmallIntegerField(_("встреч в день"), default=4)
    calls_per_day = models.PositiveSmallIntegerField(_("звонков в день"), default=10)
    updated_at = models.DateTimeField(_("изменены"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто изменил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("настройки анализа")
        verbose_name_plural = _("настройки анализа")

    def __str__(self) -> str:
        return str(_("Настройки анализа"))


class DataVersion(models.Model):
    """A counter bumped by every write that changes what the analysis reads (a single row)."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("версия данных")
        verbose_name_plural = _("версия данных")

    def __str__(self) -> str:
        return f"v{self.version}"


class Snapshot(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("считается")
        READY = "ready", _("готов")
        FAILED = "failed", _("ошибка")

    as_of = models.DateField(_("на дату"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("начат"), auto_now_add=True)
    finished_at = models.DateTimeField(_("закончен"), null=True, blank=True)
    seconds = models.FloatField(_("секунд"), null=True, blank=True)
    data_version = models.BigIntegerField(_("версия данных"), default=0)
    settings_values = models.JSONField(_("настройки"), default=dict)
    summary = models.JSONField(_("сводка"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто запустил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("расчёт анализа")
        verbose_name_plural = _("расчёты анализа")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_state_display()})"


class CompanyAnalysis(models.Model):
    """One company's figures in the latest ready snapshot (PRODUCT.md, definitions 1–10)."""

    # These rows are derived: the recompute rewrites all of them from the companies it has just
    # read, and pages reach them through the company (an inner join), so the database keeps no
    # foreign-key constraint on them — checking 200,000 references per recompute cost 2–3 s on
    # PostgreSQL (docs/performance.md). Deleting a company or a snapshot through the ORM still
    # deletes its rows (on_delete). No index of its own on snapshot or category either: every
    # lookup by snapshot goes through the unique (snapshot, company) key or the composite
    # indexes below, which begin with it.
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="companies", db_index=False, db_constraint=False
    )
    # No index on the company alone either: a company's row is found by (snapshot, company),
    # the unique key below.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="analyses", db_constraint=False, db_index=False
    )
    revenue_12m = models.BigIntegerField(default=0)
    revenue_prev_12m = models.BigIntegerField(default=0)
    margin_12m = models.BigIntegerField(null=True, blank=True)
    trend_12m = models.FloatField(null=True, blank=True)
    trend_3m_yoy = models.FloatField(null=True, blank=True)
    best_year_revenue = models.BigIntegerField(default=0)
    lifetime_revenue = models.BigIntegerField(default=0)
    last_purchase = models.DateField(null=True, blank=True)
    purchases = models.IntegerField(default=0)
    pareto_rank = models.IntegerField(null=True, blank=True)
    key_account = models.BooleanField(default=False)
    lookalike_potential = models.BigIntegerField(null=True, blank=True)
    potential = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=1)
    temperature = models.FloatField(null=True, blank=True)
    temperature_colour = models.CharField(max_length=8, blank=True)
    loyalty = models.FloatField(null=True, blank=True)
    profitability = models.BigIntegerField(null=True, blank=True)
    quadrant = models.CharField(max_length=3, blank=True)
    last_activity_date = models.DateField(null=True, blank=True)
    next_due = models.DateField(null=True, blank=True)
    overdue = models.BooleanField(default=False)
    days_overdue = models.IntegerField(null=True, blank=True)
    alert = models.BooleanField(default=False)
    expected_revenue_12m = models.BigIntegerField(null=True, blank=True)
    p_alive = models.FloatField(null=True, blank=True)
    # The rest of what the reason sentences and the feedback request read (analytics.reasons.
    # REASON_INPUTS): typed columns, not JSON keys, because at 100,000 companies each JSON key is
    # parsed on every recompute (PostgreSQL's jsonb) and carried by every row (docs/performance.md).
    revenue_3m = models.BigIntegerField(null=True, blank=True)
    revenue_3m_prev_year = models.BigIntegerField(null=True, blank=True)
    drop_z = models.FloatField(null=True, blank=True)
    potential_source = models.CharField(max_length=24, null=True, blank=True)
    lookalike_same_industry = models.IntegerField(null=True, blank=True)
    lookalike_same_region = models.IntegerField(null=True, blank=True)
    lookalike_size_min = models.FloatField(null=True, blank=True)
    lookalike_size_max = models.FloatField(null=True, blank=True)
    a_problem = models.BooleanField(null=True, blank=True)
    cadence_days = models.IntegerField(null=True, blank=True)
    contact_channel = models.CharField(max_length=24, null=True, blank=True)
    cadence_code = models.CharField(max_length=24, null=True, blank=True)
    # Lists: the look-alike neighbours behind the potential (ids) and the reason codes.
    details = StoredJSONField(default=dict, blank=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("анализ компании")
        verbose_name_plural = _("анализ компаний")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "company"], name="company_analysis_unique")
        ]
        indexes = [
            models.Index(fields=["snapshot", "revenue_12m"]),
            models.Index(fields=["snapshot", "category", "temperature_colour"]),
            # My day walks these in order and stops at the page's limit (selectors.my_day),
            # instead of sorting every visible row (issue 5: 33,000 rows per seller at 100k).
            models.Index(fields=["snapshot", "category", "temperature", "next_due"], name="ca_due_order"),
            models.Index(fields=["snapshot", "alert", "category", "trend_3m_yoy"], name="ca_alert_order"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.category}"


class AnalysisSummary(models.Model):
    """The analysis pages' figures over one scope of companies, computed with the snapshot
    (`portfolio/summaries.py`), so a page reads one small row instead of every visible one.

    `scope` names whose companies it covers: "all" (admins), "team:<id>" (a manager with a team),
    "owner:<id>" (a seller, or a manager without a team). `members` is the fingerprint of the
    people in that scope when it was computed; a page uses the row only while the snapshot is
    fresh and the fingerprint still matches, so it always equals a computation on the request.
    """

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="scope_summaries")
    scope = models.CharField(max_length=32)
    members = models.JSONField(default=list)
    data = StoredJSONField(default=dict)

    class Meta:
        verbose_name = _("сводка анализа")
        verbose_name_plural = _("сводки анализа")
        constraints = [models.UniqueConstraint(fields=["snapshot", "scope"], name="analysis_summary_unique")]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.scope}"
