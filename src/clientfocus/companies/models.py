"""Client companies (Company) and the people who work there (Contact)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.access import scoped_queryset
from clientfocus.exchange.inn import inn_problem, normalize_inn


def validate_inn(value: str) -> None:
    problem = inn_problem(normalize_inn(value))
    if problem:
        raise ValidationError(_("ИНН %(value)s: %(problem)s"), params={"value": value, "problem": problem})


def validate_kpp(value: str) -> None:
    if not (len(value) == 9 and value[:4].isdigit() and value[6:].isdigit()):
        raise ValidationError(_("КПП: нужно 9 символов, получено «%(value)s»"), params={"value": value})


class Status(models.TextChoices):
    """Seeds 001 and 003: a company only moves forward along this funnel."""

    SUSPECT = "SUSPECT", _("Подозреваемый")
    PROSPECT = "PROSPECT", _("Потенциальный клиент")
    CLIENT = "CLIENT", _("Клиент")
    LOYAL = "LOYAL", _("Лояльный клиент")


STATUS_ORDER = [Status.SUSPECT, Status.PROSPECT, Status.CLIENT, Status.LOYAL]


class SizeBand(models.TextChoices):
    MICRO = "1-15", _("до 15 человек")
    SMALL = "16-100", _("16–100 человек")
    MEDIUM = "101-250", _("101–250 человек")
    LARGE = "251-1000", _("251–1000 человек")
    HUGE = "1000+", _("более 1000 человек")


def size_band_for(employees: int | None) -> str:
    """The band of Russian small/medium business law (209-ФЗ), with 1000+ split off."""
    if employees is None:
        return ""
    if employees <= 15:
        return SizeBand.MICRO
    if employees <= 100:
        return SizeBand.SMALL
    if employees <= 250:
        return SizeBand.MEDIUM
    if employees <= 1000:
        return SizeBand.LARGE
    return SizeBand.HUGE


class Company(models.Model):
    name = models.CharField(_("название"), max_length=300)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, validators=[validate_inn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validate_kpp])
    industry = models.CharField(_("отрасль"), max_length=120, blank=True, db_index=True)
    region = models.CharField(_("регион"), max_length=120, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("сотрудников"), null=True, blank=True)
    size_band = models.CharField(_("размер"), max_length=16, choices=SizeBand.choices, blank=True)
    source = models.CharField(
        _("источник"), max_length=120, blank=True, help_text=_("Как мы узнали о компании")
    )
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.SUSPECT)
    liquidated = models.BooleanField(_("ликвидирована"), default=False)
    liquidated_on = models.DateField(_("дата ликвидации"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
    )
    relationship = models.PositiveSmallIntegerField(
        _("оценка отношений"),
        null=True,
        blank=True,
        choices=[(i, str(i)) for i in range(1, 6)],
        help_text=_("1 — холодные, 5 — партнёрские"),
    )
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    website = models.CharField(_("сайт"), max_length=200, blank=True)
    # Lower-cased name and ИНН: SQLite's LIKE folds case for ASCII only, so Cyrillic search
    # compares against this column (kept by save() and by the bulk paths).
    search_text = models.CharField(max_length=320, blank=True, editable=False, db_index=False)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    objects = scoped_queryset("").as_manager()

    class Meta:
        verbose_name = _("компания")
        verbose_name_plural = _("компании")
        ordering = ["name"]
        constraints = [
            # The same ИНН is one company (seed: the natural key of a client).
            models.UniqueConstraint(fields=["inn"], condition=~models.Q(inn=""), name="company_inn_unique"),
        ]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived columns only; the rules (funnel, ownership) live in companies/services.py.
        self.size_band = size_band_for(self.employees)
        self.search_text = company_search_text(self.name, self.inn)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.inn:
            self.inn = normalize_inn(self.inn)


def company_search_text(name: str, inn: str) -> str:
    return f"{name} {inn}".casefold()[:320]


class BuyingRole(models.TextChoices):
    """Seed 001: the buying centre."""

    FINANCIAL = "financial", _("Финансовый покупатель")
    TECHNICAL = "technical", _("Технический покупатель")
    USER = "user", _("Пользователь")
    COACH = "coach", _("Рекомендатель")
    OTHER = "other", _("Другое")


class Channel(models.TextChoices):
    PHONE = "phone", _("Телефон")
    EMAIL = "email", _("Электронная почта")
    MESSENGER = "messenger", _("Мессенджер")
    MEETING = "meeting", _("Личная встреча")


class Contact(models.Model):
    """A representative (представитель) of a company."""

    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="contacts"
    )
    full_name = models.CharField(_("ФИО"), max_length=200)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    role = models.CharField(
        _("роль в закупке"), max_length=16, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("удобный канал"), max_length=16, choices=Channel.choices, blank=True
    )
    is_active = models.BooleanField(_("работает в компании"), default=True)
    notes = models.TextField(_("заметки"), blank=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("представитель")
        verbose_name_plural = _("представители")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name
