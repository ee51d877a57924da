from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.planning.models import AccountPlan, Goal, MarketPlan, Metric, VisitStage
from clientfocus.planning.services import GoalFields, MarketPlanFields, PlanFields

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


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.Form):
    """The SMART parts a manager fills. `subject` is "u<id>" (a person) or "t<id>" (a team), from
    the choices accounts.access allows; the metric and subject are fixed once the goal exists."""

    subject = forms.ChoiceField(label=_("Для кого"))
    metric = forms.ChoiceField(label=_("Показатель (M — измеримость)"), choices=Metric.choices)
    specific = forms.CharField(label=_("S — конкретно: чего добиваемся"), max_length=300)
    target = forms.FloatField(label=_("Целевое значение (суммы — в рублях, доли — в процентах)"))
    start = forms.DateField(label=_("Начало"), widget=_date_widget())
    deadline = forms.DateField(label=_("T — срок"), widget=_date_widget())
    relevance = forms.CharField(
        label=_("R — почему это важно, на какой результат работает"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    achievability = forms.CharField(
        label=_("A — почему это достижимо"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, people: Any = (), teams: Any = (), metric: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Editing: the goal's metric is fixed, so the subject and metric fields go.
        self.metric = metric
        editing = metric is not None
        self.fields["subject"].choices = [
            *[(f"u{u.pk}", str(u)) for u in people],
            *[(f"t{t.pk}", _("Команда «%(name)s»") % {"name": t.name}) for t in teams],
        ]
        self.people = {f"u{u.pk}": u for u in people}
        self.teams = {f"t{t.pk}": t for t in teams}
        if editing:
            del self.fields["subject"]
            del self.fields["metric"]
        _styled(self)

    def fields_value(self) -> GoalFields:
        from clientfocus.planning.goals import MONEY_METRICS

        d = self.cleaned_data
        metric = self.metric or d["metric"]
        # Money is typed in roubles and kept in kopecks like all money.
        target = round(d["target"] * 100) if metric in MONEY_METRICS else d["target"]
        return GoalFields(
            specific=d["specific"],
            target=float(target),
            start=d["start"],
            deadline=d["deadline"],
            relevance=d["relevance"],
            achievability=d["achievability"],
        )

    @staticmethod
    def initial_for(goal: Goal) -> dict[str, Any]:
        from clientfocus.planning.goals import MONEY_METRICS

        out = {
            name: getattr(goal, name)
            for name in ("specific", "target", "start", "deadline", "relevance", "achievability")
        }
        target = goal.target / 100 if goal.metric in MONEY_METRICS else goal.target
        # 8000000, not 8000000.0, for a whole number.
        out["target"] = int(target) if float(target).is_integer() else target
        return out


class MarketPlanForm(forms.Form):
    """Seed 001's six questions, the period, the sellers, and a note for the review log."""

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meta = MarketPlan._meta
        self.fields["period_start"] = forms.DateField(label=_("Период с"), widget=_date_widget())
        self.fields["period_end"] = forms.DateField(label=_("Период по"), widget=_date_widget())
        for name in ("where", "whom"):
            self.fields[name] = forms.CharField(
                label=meta.get_field(name).verbose_name,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for name in ("target_industries", "target_regions"):
            self.fields[name] = forms.CharField(
                label=meta.get_field(name).verbose_name,
                required=False,
                max_length=500,
                help_text=_("через запятую"),
            )
        self.fields["use_ideal_profile"] = forms.BooleanField(
            label=meta.get_field("use_ideal_profile").verbose_name, required=False
        )
        self.fields["who"] = forms.CharField(
            label=meta.get_field("who").verbose_name, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["sellers"] = forms.TypedMultipleChoiceField(
            label=_("Менеджеры команды в плане"),
            coerce=int,
            required=False,
            choices=[(u.pk, str(u)) for u in members],
            widget=forms.CheckboxSelectMultiple,
        )
        for name in ("from_where", "when", "with_what"):
            self.fields[name] = forms.CharField(
                label=meta.get_field(name).verbose_name,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["note"] = forms.CharField(
            label=_("Заметка к пересмотру"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        _styled(self)
        self.fields["use_ideal_profile"].widget.attrs["class"] = "form-check-input"
        self.fields["sellers"].widget.attrs["class"] = "form-check-input"

    @staticmethod
    def initial_for(plan: MarketPlan | None, *, today: Any) -> dict[str, Any]:
        from clientfocus.planning.services import MARKET_PLAN_PARTS

        if plan is None:
            start = today.replace(day=1)
            return {
                "period_start": start,
                "period_end": start.replace(year=start.year + 1) - dt.timedelta(days=1),
                "use_ideal_profile": True,
            }
        out = {name: getattr(plan, name) for name in MARKET_PLAN_PARTS}
        out["sellers"] = list(plan.sellers.values_list("pk", flat=True))
        return out

    def fields_value(self) -> MarketPlanFields:
        d = self.cleaned_data
        return MarketPlanFields(
            period_start=d["period_start"],
            period_end=d["period_end"],
            where=d["where"],
            whom=d["whom"],
            target_industries=d["target_industries"],
            target_regions=d["target_regions"],
            use_ideal_profile=d["use_ideal_profile"],
            who=d["who"],
            from_where=d["from_where"],
            when=d["when"],
            with_what=d["with_what"],
            seller_ids=tuple(d["sellers"]),
        )
