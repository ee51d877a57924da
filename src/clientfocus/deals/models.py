"""Deals and their stages (seed 003)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.companies.models import Company


class Stage(models.TextChoices):
    """Seed 003: a deal moves forward through these; LOST may follow any of them."""

    PROSPECTING = "PROSPECTING", _("Поиск клиента")
    QUALIFYING = "QUALIFYING", _("Квалификация")
    NEEDS_ANALYSIS = "NEEDS_ANALYSIS", _("Анализ потребностей")
    PRESENTATION = "PRESENTATION", _("Презентация")
    PROOF = "PROOF", _("Доказательство")
    CLOSING = "CLOSING", _("Закрытие")
    WON = "WON", _("Выиграна")
    LOST = "LOST", _("Проиграна")


OPEN_STAGES = [
    Stage.PROSPECTING,
    Stage.QUALIFYING,
    Stage.NEEDS_ANALYSIS,
    Stage.PRESENTATION,
    Stage.PROOF,
    Stage.CLOSING,
]

# The forward order: a deal moves only to a later stage of this list, or to LOST from any open one.
STAGE_ORDER = [*OPEN_STAGES, Stage.WON]
CLOSED_STAGES = [Stage.WON, Stage.LOST]


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(Stage(stage))


class NeedType(models.TextChoices):
    """Seed 003: what the client really buys."""

    REVENUE_UP = "revenue_up", _("Деньги: рост выручки")
    COSTS_DOWN = "costs_down", _("Деньги: снижение затрат")
    EFFICIENCY = "efficiency", _("Эффективность")
    IMAGE = "image", _("Имидж")


class Deal(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("менеджер"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    title = models.CharField(_("название"), max_length=200)
    stage = models.CharField(_("этап"), max_length=20, choices=Stage.choices, default=Stage.PROSPECTING)
    amount_minor = models.BigIntegerField(_("сумма, коп."), default=0)
    need_type = models.CharField(_("потребность"), max_length=16, choices=NeedType.choices, blank=True)
    expected_close = models.DateField(_("ожидаемое закрытие"), null=True, blank=True)
    next_step = models.CharField(_("следующий шаг"), max_length=200, blank=True)
    client_gain = models.TextField(_("выгода клиента"), blank=True)
    our_gain = models.TextField(_("наша выгода"), blank=True)
    # Seed 000, the win-win check: does each side win? None = not judged yet.
    client_wins = models.BooleanField(_("клиент выигрывает"), null=True, blank=True)
    we_win = models.BooleanField(_("мы выигрываем"), null=True, blank=True)
    created_on = models.DateField(_("создана"))
    closed_on = models.DateField(_("закрыта"), null=True, blank=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("сделка")
        verbose_name_plural = _("сделки")
        ordering = ["-created_on", "-id"]
        indexes = [
            models.Index(fields=["company", "stage"]),
            # My day's open deals without a next step, largest first (134 -> 57 ms at 100,000).
            models.Index(fields=["next_step", "amount_minor"], name="deal_step_amount"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def win_win(self) -> bool:
        return bool(self.client_wins and self.we_win)

    @property
    def win_win_checked(self) -> bool:
        return self.client_wins is not None and self.we_win is not None

    @property
    def consider_declining(self) -> bool:
        """Seed 000: seller time is the scarcest resource; a deal where a side loses is not worth it."""
        return self.client_wins is False or self.we_win is False


class DealStageChange(models.Model):
    """One step of a deal through the stages: its history, with dates (written by deals/services.py)."""

    deal = models.ForeignKey(Deal, verbose_name=_("сделка"), on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(_("с этапа"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("на этап"), max_length=20, choices=Stage.choices)
    changed_on = models.DateField(_("дата"))
    changed_at = models.DateTimeField(_("записано"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("комментарий"), max_length=300, blank=True)

    objects = scoped_queryset("deal__company__").as_manager()

    class Meta:
        verbose_name = _("смена этапа сделки")
        verbose_name_plural = _("история этапов сделок")
        ordering = ["deal", "changed_on", "id"]
        indexes = [models.Index(fields=["deal", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage or '—'} → {self.to_stage} ({self.changed_on})"
