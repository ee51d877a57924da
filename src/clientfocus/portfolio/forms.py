from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.analytics import Settings

# The settings an admin edits on the settings page, with their labels (PRODUCT.md defaults).
EDITABLE: list[tuple[str, Any]] = [
    ("pareto_share", _("Доля выручки ключевых клиентов (Парето)")),
    ("category_a_share", _("Категория A: потенциал не ниже доли уровня A")),
    ("category_b_share", _("Категория B: потенциал не ниже доли уровня A")),
    ("lookalike_k", _("Похожих компаний для потенциала (k)")),
    ("lookalike_percentile", _("Процентиль выручки похожих компаний")),
    ("temperature_red", _("Температура: красный от")),
    ("temperature_orange", _("Температура: оранжевый от")),
    ("temperature_yellow", _("Температура: жёлтый от")),
    ("quadrant_split_quantile", _("Граница квадрантов (квантиль, 0,5 — медиана)")),
    ("cadence_a_days", _("Каденция A, дней")),
    ("cadence_b_days", _("Каденция B, дней")),
    ("cadence_c_days", _("Каденция C, дней")),
    ("cadence_d_days", _("Каденция D, дней")),
    ("alert_drop", _("Сигнал о падении: изменение за 3 месяца к прошлому году не выше")),
]

# The weekly plan (seed 003): how much a seller fits in a day; stored on AnalysisSettings.
CAPACITY: list[tuple[str, Any, int]] = [
    ("meetings_per_day", _("План недели: визитов в день"), 4),
    ("calls_per_day", _("План недели: звонков и писем в день"), 10),
]

NOT_ANALYSIS = {"report_as_of", *(name for name, _label, _default in CAPACITY)}


class AnalysisSettingsForm(forms.Form):
    report_as_of = forms.DateField(
        label=_("Дата отчётов (пусто — сегодня)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, settings: Settings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = settings.to_dict()
        for name, label in EDITABLE:
            default = getattr(Settings(), name)
            field: forms.Field
            if isinstance(default, int) and not isinstance(default, bool):
                field = forms.IntegerField(label=label, min_value=1, initial=values[name])
            else:
                field = forms.FloatField(label=label, initial=values[name])
            field.help_text = _("по умолчанию: %(value)s") % {"value": default}
            self.fields[name] = field
        # The weekly plan's day capacity (model fields, not analysis thresholds: no recompute needed).
        for name, label, default in CAPACITY:
            self.fields[name] = forms.IntegerField(
                label=label, min_value=1, max_value=100, initial=default, required=False
            )
            self.fields[name].help_text = _("по умолчанию: %(value)s") % {"value": default}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            Settings.from_dict({k: v for k, v in data.items() if k not in NOT_ANALYSIS and v is not None})
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data
