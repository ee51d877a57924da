"""Key-account plans (seed 002): the nine points, the three questions, planned visits, a review date."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.activities.models import Activity
from clientfocus.companies.models import Company, Contact


class AccountPlan(models.Model):
    """The strategy for one key account or A company. One plan per company, kept up to date: it is
    current until its review date; saving it is a review (seed 002: "strategic training must be
    continuous, new information keeps coming")."""

    company = models.OneToOneField(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="account_plan"
    )
    # The nine points of seed 002 (point 8, the next visit and its stage, is the PlannedVisit rows).
    scale_opportunity = models.TextField(_("1. Масштаб и возможности"), blank=True)
    classification = models.TextField(_("2. Классификация: потребности и значимость клиента"), blank=True)
    offer_fit = models.TextField(_("3. Соответствие нашему предложению"), blank=True)
    win_probability = models.PositiveSmallIntegerField(
        _("4. Вероятность победить конкурентов, %"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    competitors = models.TextField(_("4. Конкуренты, наши преимущества и недостатки"), blank=True)
    decision_makers = models.TextField(_("5. Кто принимает решения, кто советует и влияет"), blank=True)
    decider = models.TextField(_("6. За кем последнее слово: чего он хочет, его предпочтения"), blank=True)
    decision_criteria = models.TextField(_("7. Критерии принятия решения"), blank=True)
    key_intervention_points = models.TextField(_("9. Ключевые моменты вмешательства"), blank=True)
    # The three questions of seed 002's exercise.
    within_competitors_reach = models.BooleanField(
        _("Клиент в зоне досягаемости конкурентов?"), null=True, blank=True
    )
    high_hopes = models.BooleanField(_("Связываем с ним большие надежды?"), null=True, blank=True)
    strategy = models.TextField(_("Наша стратегия работы с клиентом"), blank=True)

    review_on = models.DateField(_("пересмотреть до"))
    reviewed_on = models.DateField(_("пересмотрен"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто пересмотрел"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("план работы с ключевым клиентом")
        verbose_name_plural = _("планы работы с ключевыми клиентами")
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return str(self.company)

    def is_current(self, today: object) -> bool:
        return self.review_on >= today  # type: ignore[operator]


class VisitStage(models.TextChoices):
    """Seed 002, point 8: each visit moves the sale to its next stage."""

    PROBE = "probe", _("Зондирование: узнать, кто принимает решения")
    PROBLEM_OWNER = "problem_owner", _("Беседа с владельцем проблемы")
    STRENGTHS = "strengths", _("Взвесить наши сильные и слабые стороны")


VISIT_STAGE_ORDER = [VisitStage.PROBE, VisitStage.PROBLEM_OWNER, VisitStage.STRENGTHS]


class PlannedVisit(models.Model):
    """A visit of the plan. It is also a planned Activity (kind visit), so it shows in "my day" and
    the weekly plan; marking it done completes that activity."""

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("план"), on_delete=models.CASCADE, related_name="visits"
    )
    date = models.DateField(_("дата"))
    stage = models.CharField(_("этап визита"), max_length=16, choices=VisitStage.choices)
    goal = models.CharField(_("цель"), max_length=300, blank=True)
    contact = models.ForeignKey(
        Contact, verbose_name=_("с кем"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.OneToOneField(
        Activity,
        verbose_name=_("касание"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done = models.BooleanField(_("состоялся"), default=False)
    outcome = models.TextField(_("итог"), blank=True)

    objects = scoped_queryset("plan__company__").as_manager()

    class Meta:
        verbose_name = _("запланированный визит")
        verbose_name_plural = _("запланированные визиты")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_stage_display()}"
