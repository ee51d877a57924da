from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.exchange import Kind, fields_of
from clientfocus.imports.models import ImportJob
from clientfocus.imports.models import Kind as KindChoice
from clientfocus.imports.selectors import saved_mappings


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Файл CSV или XLSX"))
    kind = forms.ChoiceField(label=_("Что в файле"), choices=KindChoice.choices, initial=KindChoice.SALES)


class MappingForm(forms.Form):
    """The sheet, the kind, one choice per target field (a file header or nothing), the options."""

    kind = forms.ChoiceField(label=_("Что в файле"), choices=KindChoice.choices)
    sheet = forms.ChoiceField(label=_("Лист"), required=False)
    saved = forms.TypedChoiceField(
        label=_("Сохранённое сопоставление"), required=False, coerce=int, empty_value=None
    )
    skip_bad_rows = forms.BooleanField(label=_("Пропускать строки с ошибками"), required=False)
    create_companies = forms.BooleanField(label=_("Создавать клиентов, которых ещё нет"), required=False)

    def __init__(self, *args: Any, job: ImportJob, user: Any, **kwargs: Any) -> None:
        self.job = job
        initial = {
            "kind": job.kind,
            "sheet": job.sheet,
            "skip_bad_rows": job.skip_bad_rows,
            "create_companies": job.create_companies,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        sheet, saved = self.fields["sheet"], self.fields["saved"]
        assert isinstance(sheet, forms.ChoiceField) and isinstance(saved, forms.ChoiceField)
        sheet.choices = [("", "—")] + [(s, s) for s in job.sheets]
        saved.choices = [("", "—")] + [(m.pk, m.name) for m in saved_mappings(user=user, kind=job.kind)]
        headers = [("", "—")] + [(h, h) for h in job.headers]
        current = (job.mapping or {}).get("columns", {})
        for f in fields_of(Kind(job.kind)).values():
            self.fields[f"col_{f.name}"] = forms.ChoiceField(
                label=f.label_ru, choices=headers, required=False, initial=current.get(f.name, "")
            )

    def columns(self) -> dict[str, str]:
        return {
            name[4:]: value for name, value in self.cleaned_data.items() if name.startswith("col_") and value
        }

    def sheet_changed(self) -> bool:
        return (self.cleaned_data.get("sheet") or "") != (self.job.sheet or "")


class SaveMappingForm(forms.Form):
    name = forms.CharField(label=_("Название сопоставления"), max_length=100)
