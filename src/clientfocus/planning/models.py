"""Key-account plans (seed 002): the nine points, the three questions, planned visits, a review date."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
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


# --- SMART goals (seed 003) -------------------------------------------------------------------


class GoalQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: object) -> GoalQuerySet:
        from clientfocus.accounts.access import goal_scope

        return self.filter(goal_scope(user))  # type: ignore[arg-type]


class Metric(models.TextChoices):
    """What a goal measures; each one's exact definition is planning/goals.py METRIC_DEFINITIONS."""

    REVENUE = "revenue", _("Выручка за период")
    NEW_CLIENTS = "new_clients", _("Новые клиенты")
    A_RED_SHARE = "a_red_share", _("Доля красных среди компаний A")
    CONTACTS_ON_TIME = "contacts_on_time", _("Контакты в срок")
    WON_DEALS = "won_deals", _("Выигранные сделки, число")
    WON_VALUE = "won_value", _("Выигранные сделки, сумма")


class Goal(models.Model):
    """A SMART goal of a seller (`seller` set) or of a team (`seller` empty, `team` set).

    S — `specific`, M — the metric read from the data, A — `achievability`, R — `relevance`,
    T — `start` and `deadline` (seed 003). Money metrics are kept in kopecks like all money;
    share metrics in percent points.
    """

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("команда"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    metric = models.CharField(_("показатель"), max_length=20, choices=Metric.choices)
    specific = models.CharField(_("Конкретно: чего добиваемся"), max_length=300)
    relevance = models.TextField(_("Почему это важно"), blank=True)
    achievability = models.TextField(_("Почему это достижимо"), blank=True)
    baseline = models.FloatField(_("исходное значение"))
    target = models.FloatField(_("цель"))
    start = models.DateField(_("начало"))
    deadline = models.DateField(_("срок"))
    created_on = models.DateField(_("поставлена"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто поставил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField(_("закрыта"), null=True, blank=True)
    final_value = models.FloatField(_("итоговое значение"), null=True, blank=True)
    final_state = models.CharField(_("итог"), max_length=16, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("цель SMART")
        verbose_name_plural = _("цели SMART")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seller__isnull=False, team__isnull=True)
                | models.Q(seller__isnull=True, team__isnull=False),
                name="goal_seller_xor_team",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("start")), name="goal_deadline_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.specific

    @property
    def subject(self) -> object:
        return self.seller if self.seller_id else self.team


# --- the market plan (seed 001) ---------------------------------------------------------------


class MarketPlanQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: object) -> MarketPlanQuerySet:
        from clientfocus.accounts.access import team_scope

        return self.filter(team_scope(user))  # type: ignore[arg-type]


class MarketPlan(models.Model):
    """A team's plan for winning new clients: seed 001's six questions, coordinated quarterly."""

    team = models.OneToOneField(
        "accounts.Team", verbose_name=_("команда"), on_delete=models.CASCADE, related_name="market_plan"
    )
    period_start = models.DateField(_("период с"))
    period_end = models.DateField(_("период по"))
    where = models.TextField(_("Где ищем: территории"), blank=True)
    whom = models.TextField(_("Кого ищем: рынки, виды бизнеса"), blank=True)
    target_industries = models.CharField(_("Целевые отрасли"), max_length=500, blank=True)
    target_regions = models.CharField(_("Целевые регионы"), max_length=500, blank=True)
    use_ideal_profile = models.BooleanField(_("Ищем по профилю идеального клиента команды"), default=True)
    who = models.TextField(_("Кто будет работать: свои сотрудники или новые"), blank=True)
    sellers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("менеджеры"), blank=True, related_name="+"
    )
    from_where = models.TextField(_("Где будет работать: офис, представительство, филиал"), blank=True)
    when = models.TextField(_("Когда: сроки освоения и рабочее время"), blank=True)
    with_what = models.TextField(
        _("С помощью чего: уникальное предложение, учебник продаж, рекомендации, выставки"), blank=True
    )
    last_reviewed_on = models.DateField(_("последний пересмотр"))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    objects = MarketPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("план освоения рынка")
        verbose_name_plural = _("планы освоения рынка")
        ordering = ["team__name"]

    def __str__(self) -> str:
        return str(self.team)


class MarketPlanReviewQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def visible_to(self, user: object) -> MarketPlanReviewQuerySet:
        from clientfocus.accounts.access import team_scope

        return self.filter(team_scope(user, field="plan__team_id"))  # type: ignore[arg-type]


class MarketPlanReview(models.Model):
    """One quarterly coordination of the plan (seed 001): when, who, which parts changed, a note."""

    plan = models.ForeignKey(
        MarketPlan, verbose_name=_("план"), on_delete=models.CASCADE, related_name="reviews"
    )
    date = models.DateField(_("дата"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed = models.JSONField(_("что изменилось"), default=list, blank=True)
    note = models.TextField(_("заметка"), blank=True)

    objects = MarketPlanReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("пересмотр плана освоения рынка")
        verbose_name_plural = _("пересмотры планов освоения рынка")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.date}"

    @property
    def changed_labels(self) -> list[str]:
        """The changed parts by the names the plan's form shows."""
        out = []
        for name in self.changed:
            try:
                out.append(str(MarketPlan._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a part renamed since the review keeps its code
                out.append(name)
        return out
