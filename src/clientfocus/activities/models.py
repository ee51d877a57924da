"""Touches with a client: calls, visits, e-mails, meetings — planned or done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.companies.models import Company, Contact


class Kind(models.TextChoices):
    CALL = "call", _("Звонок")
    VISIT = "visit", _("Визит")
    EMAIL = "email", _("Письмо")
    MEETING = "meeting", _("Встреча")


class State(models.TextChoices):
    PLANNED = "planned", _("Запланировано")
    DONE = "done", _("Выполнено")
    CANCELLED = "cancelled", _("Отменено")


class Activity(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("представитель"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.CALL)
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.PLANNED)
    date = models.DateField(_("дата"), help_text=_("когда запланировано или когда сделано"))
    subject = models.CharField(_("тема"), max_length=200, blank=True)
    outcome = models.TextField(_("результат"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("касание")
        verbose_name_plural = _("касания")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["company", "state", "date"]),
            models.Index(fields=["seller", "state", "date"]),
            # My day's planned touches in date order, stopping at the page's limit, instead of
            # walking every company of the seller (148 -> 7 ms at 100,000 companies).
            models.Index(fields=["state", "date"], name="activity_state_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


# --- feedback requests (PRODUCT.md definition 7, seed 004) ----------------------------------

FEEDBACK_QUESTIONS = _("Что мы как поставщик могли бы делать лучше? Какие у вас появились новые потребности?")


class FeedbackRequest(models.Model):
    """A seller's question to a client whose revenue fell (the falling-revenue alert).

    requested → answered (the answer and a planned follow-up touch) → closed (revenue recovered:
    the company is no longer alerted in the current snapshot). The alert figures are copied at
    request time, because the snapshot is replaced on every recompute.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Запрошена")
        ANSWERED = "answered", _("Ответ получен, ждём восстановления")
        CLOSED = "closed", _("Закрыта")

    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="feedback_requests"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="feedback_requests",
    )
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.REQUESTED)
    alert_as_of = models.DateField(_("сигнал на дату"))
    alert_trend_3m_yoy = models.FloatField(_("изменение за 3 месяца к прошлому году"), null=True)
    alert_revenue_3m = models.BigIntegerField(_("выручка за 3 месяца"), default=0)
    alert_revenue_3m_prev_year = models.BigIntegerField(_("выручка за те же 3 месяца год назад"), default=0)
    questions = models.TextField(_("вопросы"))
    channel = models.CharField(_("канал"), max_length=16, choices=Kind.choices, default=Kind.EMAIL)
    requested_at = models.DateTimeField(_("запрошена"))
    request_activity = models.ForeignKey(
        Activity, verbose_name=_("касание-запрос"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("ответ клиента"), blank=True)
    answered_at = models.DateTimeField(_("ответ получен"), null=True, blank=True)
    follow_up = models.ForeignKey(
        Activity,
        verbose_name=_("следующий шаг"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    close_reason = models.CharField(_("почему закрыта"), max_length=200, blank=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("запрос обратной связи")
        verbose_name_plural = _("запросы обратной связи")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per company: a second one while the first waits is noise to the client.
            models.UniqueConstraint(
                fields=["company"], condition=~models.Q(state="closed"), name="feedback_one_open_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.state}"

    @property
    def close_reason_text(self) -> str:
        if self.close_reason == "recovered":
            return str(_("Выручка восстановилась: сигнала о падении больше нет"))
        return self.close_reason


# --- the weekly plan (seed 003: every Friday plan next week's meetings) -----------------------


class WeeklyPlan(models.Model):
    """One seller's plan for one week (Monday–Friday). Items are proposals until the plan is
    accepted; accepting creates one planned Activity per item (linked from the item), so My day
    and the cadence see them like any other planned touch."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        on_delete=models.CASCADE,
        related_name="weekly_plans",
    )
    week_start = models.DateField(_("неделя с"))
    generated_at = models.DateTimeField(_("построен"))
    edited = models.BooleanField(_("изменён вручную"), default=False)
    accepted_at = models.DateTimeField(_("принят"), null=True, blank=True)

    class Meta:
        verbose_name = _("план недели")
        verbose_name_plural = _("планы недели")
        ordering = ["-week_start", "seller_id"]
        constraints = [models.UniqueConstraint(fields=["seller", "week_start"], name="weekly_plan_unique")]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.week_start}"


class WeeklyPlanItem(models.Model):
    plan = models.ForeignKey(WeeklyPlan, on_delete=models.CASCADE, related_name="items")
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="+"
    )
    # Null date: the item did not fit this week (`unfit_reason_*` says why).
    date = models.DateField(_("дата"), null=True, blank=True)
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.CALL)
    position = models.PositiveIntegerField(_("порядок"), default=0)
    rank = models.PositiveIntegerField(_("место в очереди"), default=0)
    reasons = models.JSONField(_("причины"), default=list, blank=True)
    reason_ru = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    unfit_reason_ru = models.CharField(max_length=300, blank=True)
    unfit_reason_en = models.CharField(max_length=300, blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("касание"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("пункт плана недели")
        verbose_name_plural = _("пункты плана недели")
        ordering = ["date", "position", "rank", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.date} {self.kind}"
