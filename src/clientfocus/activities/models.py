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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"
