from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.activities.models import Kind, State


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид"))
    state = forms.ChoiceField(label=_("Состояние"))
    date = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.TypedChoiceField(label=_("Представитель"), coerce=int, required=False, empty_value=None)
    subject = forms.CharField(label=_("Тема"), max_length=200, required=False)
    outcome = forms.CharField(label=_("Результат"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, contacts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices
        self.fields["state"].choices = [(State.DONE, State.DONE.label), (State.PLANNED, State.PLANNED.label)]
        self.fields["contact"].choices = [("", "—"), *[(c.pk, c.full_name) for c in contacts]]
