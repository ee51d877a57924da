"""Import jobs (one per file brought in, from the web wizard or the command line) and the
column mappings people save by name.

A job keeps its own progress: the phase, the chunks committed so far (a crash leaves the job
resumable from the next chunk), the counts, and the first problems found (the full report is a
CSV file in the job's folder, var/imports/<job id>/, under generated names only).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A running job reports at least every chunk (seconds apart); ten silent minutes mean it died.
STALLED_AFTER = dt.timedelta(minutes=10)


class Kind(models.TextChoices):
    COMPANIES = "companies", _("Компании")
    CONTACTS = "contacts", _("Представители")
    SALES = "sales", _("Продажи")
    ACTIVITIES = "activities", _("Касания")


class ImportJob(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Файл загружен")
        CHECKING = "checking", _("Проверяется")
        CHECKED = "checked", _("Проверен")
        REFUSED = "refused", _("Отклонён: ошибки в строках")
        RUNNING = "running", _("Загружается")
        DONE = "done", _("Готово")
        FAILED = "failed", _("Ошибка")

    class Source(models.TextChoices):
        WEB = "web", _("Веб")
        CLI = "cli", _("Командная строка")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто загрузил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    source = models.CharField(_("откуда"), max_length=8, choices=Source.choices, default=Source.WEB)
    kind = models.CharField(_("что загружается"), max_length=16, choices=Kind.choices, default=Kind.SALES)
    # Shown to people only; never used to build a path (uploads are stored as "source.dat").
    original_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    # The command line reads the file where the caller put it; a web upload lives in the job folder.
    cli_path = models.TextField(_("путь к файлу (командная строка)"), blank=True)
    file_size = models.BigIntegerField(_("размер, байт"), default=0)
    sheets = models.JSONField(_("листы"), default=list, blank=True)
    sheet = models.CharField(_("лист"), max_length=255, blank=True)
    headers = models.JSONField(_("заголовки"), default=list, blank=True)
    mapping = models.JSONField(_("сопоставление колонок"), default=dict, blank=True)
    skip_bad_rows = models.BooleanField(_("пропускать ошибочные строки"), default=False)
    create_companies = models.BooleanField(_("создавать новых клиентов"), default=False)
    as_of = models.DateField(_("сегодня для проверки дат"), null=True, blank=True)
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.NEW)
    phase = models.CharField(_("этап"), max_length=16, blank=True)
    rows_read = models.BigIntegerField(_("строк прочитано"), default=0)
    rows_bad = models.BigIntegerField(_("строк с ошибками"), default=0)
    rows_good = models.BigIntegerField(_("строк без ошибок"), default=0)
    rows_added = models.BigIntegerField(_("записей добавлено"), default=0)
    rows_updated = models.BigIntegerField(_("записей обновлено"), default=0)
    rows_unchanged = models.BigIntegerField(_("уже было загружено"), default=0)
    companies_created = models.BigIntegerField(_("создано компаний"), default=0)
    chunks_total = models.IntegerField(_("частей всего"), default=0)
    chunks_done = models.IntegerField(_("частей записано"), default=0)
    error_count = models.BigIntegerField(_("ошибок"), default=0)
    problems = models.JSONField(_("первые ошибки"), default=list, blank=True)
    preview = models.JSONField(_("первые строки"), default=list, blank=True)
    message_code = models.CharField(_("код сообщения"), max_length=64, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончен"), null=True, blank=True)
    seconds = models.FloatField(_("секунд"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка файла")
        verbose_name_plural = _("загрузки файлов")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED, self.State.REFUSED}

    @property
    def stalled(self) -> bool:
        """Still "running" but silent for STALLED_AFTER: its process died (a restart, a crash)."""
        from django.utils import timezone

        running = self.state in {self.State.CHECKING, self.State.RUNNING}
        return running and self.updated_at is not None and timezone.now() - self.updated_at > STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if self.chunks_total:
            return int(100 * self.chunks_done / self.chunks_total)
        return 0


class SavedMapping(models.Model):
    """A column mapping saved by name ("1С: реализация"), reused for the next file of that shape."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("чьё"), on_delete=models.CASCADE, related_name="mappings"
    )
    kind = models.CharField(_("что загружается"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=100)
    columns = models.JSONField(_("колонки"), default=dict)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("сохранённое сопоставление")
        verbose_name_plural = _("сохранённые сопоставления")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="saved_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
