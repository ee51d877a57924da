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


# --- the ideal customer profile (seed 000) -----------------------------------------------------


class IdealProfile(models.Model):
    """A team's ideal customer profile (портрет идеального клиента), one version of it.

    Seed 000: best clients and their traits, worst clients and theirs, the opposite of each bad
    trait, then the five traits that matter most. A team has at most one active version; earlier
    versions stay (read-only) so old scores can still be read against the profile they used.
    """

    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("команда"), on_delete=models.CASCADE, related_name="profiles"
    )
    version = models.PositiveIntegerField(_("версия"))
    is_active = models.BooleanField(_("действующий"), default=False)
    activated_at = models.DateTimeField(_("введён в действие"), null=True, blank=True)
    best_clients = models.TextField(_("лучшие клиенты"), blank=True)
    worst_clients = models.TextField(_("худшие клиенты"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("профиль идеального клиента")
        verbose_name_plural = _("профили идеального клиента")
        ordering = ["team", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["team", "version"], name="idealprofile_team_version_unique"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(is_active=True), name="idealprofile_one_active_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.activated_at is None


class TraitSource(models.TextChoices):
    BEST = "best", _("черта лучших клиентов")
    WORST = "worst", _("черта худших клиентов")


class ProfileTrait(models.Model):
    """A trait noted in the builder; the chosen ones (rank 1–5) make the profile."""

    profile = models.ForeignKey(
        IdealProfile, verbose_name=_("профиль"), on_delete=models.CASCADE, related_name="traits"
    )
    source = models.CharField(_("откуда"), max_length=8, choices=TraitSource.choices)
    text = models.CharField(_("черта"), max_length=200)
    # Seed 000, step 5: a bad trait enters the profile as its opposite.
    opposite = models.CharField(_("противоположная черта"), max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField(_("место в профиле"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("вес"), default=1)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("черта профиля")
        verbose_name_plural = _("черты профиля")
        ordering = ["profile", "rank", "source", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "rank"],
                condition=models.Q(rank__isnull=False),
                name="profiletrait_rank_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What the profile says: a best client's trait as it is, a worst client's as its opposite."""
        return (self.opposite or self.text) if self.source == TraitSource.WORST else self.text


class ProfileScore(models.Model):
    """How well one company matches one trait of a profile, −5…+5 (seed 000, step 6)."""

    trait = models.ForeignKey(
        ProfileTrait, verbose_name=_("черта"), on_delete=models.CASCADE, related_name="scores"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="profile_scores"
    )
    score = models.SmallIntegerField(_("оценка"))
    # A score ≤ 0 is a mismatch; its planned action (an Activity) is kept here.
    action = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("запланированное действие"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто оценил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    scored_at = models.DateTimeField(_("когда"), auto_now=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("оценка по профилю")
        verbose_name_plural = _("оценки по профилю")
        ordering = ["company", "trait"]
        constraints = [
            models.UniqueConstraint(fields=["trait", "company"], name="profilescore_trait_company_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=-5, score__lte=5), name="profilescore_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.trait}: {self.score:+d}"


# --- dossiers (seed 001) -----------------------------------------------------------------------


class DossierKind(models.TextChoices):
    COMPANY = "company", _("досье компании")
    CONTACT = "contact", _("досье представителя")


class AnswerType(models.TextChoices):
    TEXT = "text", _("строка")
    LONG_TEXT = "long_text", _("текст")
    CHOICE = "choice", _("один вариант")
    MULTI = "multi", _("несколько вариантов")
    NUMBER = "number", _("число")
    DATE = "date", _("дата")
    YES_NO = "yes_no", _("да или нет")


class DossierTemplate(models.Model):
    """One version of the dossier's questions (companies/dossiers.py defines them in code)."""

    version = models.PositiveIntegerField(_("версия"), unique=True)
    title = models.CharField(_("название"), max_length=200)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("шаблон досье")
        verbose_name_plural = _("шаблоны досье")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class DossierSection(models.Model):
    template = models.ForeignKey(
        DossierTemplate, verbose_name=_("шаблон"), on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("чьё досье"), max_length=8, choices=DossierKind.choices)
    code = models.SlugField(_("код"), max_length=60)
    title = models.CharField(_("раздел"), max_length=200)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("раздел досье")
        verbose_name_plural = _("разделы досье")
        ordering = ["template", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "kind", "code"], name="dossiersection_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class DossierQuestion(models.Model):
    section = models.ForeignKey(
        DossierSection, verbose_name=_("раздел"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("код"), max_length=60)
    text = models.CharField(_("вопрос"), max_length=300)
    help_text = models.CharField(_("подсказка"), max_length=300, blank=True)
    answer_type = models.CharField(_("тип ответа"), max_length=12, choices=AnswerType.choices)
    choices = models.JSONField(_("варианты"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вопрос досье")
        verbose_name_plural = _("вопросы досье")
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="dossierquestion_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Dossier(models.Model):
    """What we know about a company (contact is empty) or about one of its representatives."""

    company = models.ForeignKey(
        Company, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="dossiers"
    )
    contact = models.OneToOneField(
        Contact,
        verbose_name=_("представитель"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dossier",
    )
    template = models.ForeignKey(DossierTemplate, verbose_name=_("шаблон"), on_delete=models.PROTECT)
    completeness = models.PositiveSmallIntegerField(_("заполнено, %"), default=0)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = scoped_queryset("company__").as_manager()

    class Meta:
        verbose_name = _("досье")
        verbose_name_plural = _("досье")
        ordering = ["company", "contact"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(contact__isnull=True), name="dossier_one_per_company"
            ),
        ]

    def __str__(self) -> str:
        return str(self.contact or self.company)

    @property
    def kind(self) -> str:
        return DossierKind.CONTACT if self.contact_id else DossierKind.COMPANY


class DossierAnswer(models.Model):
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("досье"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(DossierQuestion, verbose_name=_("вопрос"), on_delete=models.PROTECT)
    value = models.JSONField(_("ответ"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    objects = scoped_queryset("dossier__company__").as_manager()

    class Meta:
        verbose_name = _("ответ досье")
        verbose_name_plural = _("ответы досье")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "question"], name="dossieranswer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class DossierChange(models.Model):
    """History: who changed which answer of a dossier, when, from what to what."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("досье"), on_delete=models.CASCADE, related_name="changes"
    )
    question = models.ForeignKey(DossierQuestion, verbose_name=_("вопрос"), on_delete=models.PROTECT)
    old_value = models.JSONField(_("было"), null=True, blank=True)
    new_value = models.JSONField(_("стало"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    objects = scoped_queryset("dossier__company__").as_manager()

    class Meta:
        verbose_name = _("изменение досье")
        verbose_name_plural = _("история досье")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.changed_by}: {self.question}"
