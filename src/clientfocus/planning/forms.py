from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.planning.models import AccountPlan, VisitStage
from clientfocus.planning.services import PlanFields

_VERDICT = [("", _("не решено")), ("yes", _("да")), ("no", _("нет"))]
_TEXTS = (
    "scale_opportunity",
    "classification",
    "offer_fit",
    "competitors",
    "decision_makers",
    "decider",
    "decision_criteria",
    "key_intervention_points",
    "strategy",
)
_ORDER = (
    "scale_opportunity",
    "classification",
    "offer_fit",
    "win_probability",
    "competitors",
    "decision_makers",
    "decider",
    "decision_criteria",
    "key_intervention_points",
    "within_competitors_reach",
    "high_hopes",
    "strategy",
)


def _verdict(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        f.widget.attrs.setdefault(
            "class", "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
        )


class PlanForm(forms.Form):
    """The nine points and the three questions of seed 002, labelled as the model labels them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meta = AccountPlan._meta
        # Seed 002's order: the nine points, then the three questions, then the review date.
        for name in _ORDER:
            if name == "win_probability":
                field: forms.Field = forms.IntegerField(min_value=0, max_value=100, required=False)
            elif name in ("within_competitors_reach", "high_hopes"):
                field = forms.ChoiceField(choices=_VERDICT, required=False)
            else:
                field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
            field.label = meta.get_field(name).verbose_name
            self.fields[name] = field
        self.fields["review_on"] = forms.DateField(
            label=_("Пересмотреть до"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        _styled(self)

    @classmethod
    def initial_for(cls, plan: AccountPlan) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(plan, name) for name in _TEXTS}
        out["win_probability"] = plan.win_probability
        out["review_on"] = plan.review_on
        for name in ("within_competitors_reach", "high_hopes"):
            value = getattr(plan, name)
            out[name] = "" if value is None else ("yes" if value else "no")
        return out

    def fields_value(self) -> PlanFields:
        d = self.cleaned_data
        return PlanFields(
            review_on=d["review_on"],
            win_probability=d["win_probability"],
            within_competitors_reach=_verdict(d["within_competitors_reach"]),
            high_hopes=_verdict(d["high_hopes"]),
            **{name: d[name] for name in _TEXTS},
        )


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    stage = forms.ChoiceField(label=_("Этап визита"), choices=VisitStage.choices)
    contact = forms.TypedChoiceField(label=_("С кем"), coerce=int, required=False, empty_value=None)
    goal = forms.CharField(label=_("Цель"), max_length=300, required=False)

    def __init__(self, *args: Any, contacts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—"), *[(c.pk, c.full_name) for c in contacts]]
        _styled(self)


class VisitDoneForm(forms.Form):
    outcome = forms.CharField(label=_("Итог"), required=False, max_length=2000)
