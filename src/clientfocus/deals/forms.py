from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientfocus.companies.models import Status
from clientfocus.deals.models import NeedType, Stage
from clientfocus.deals.services import DealFields

_VERDICT = [("", _("не оценено")), ("yes", _("да")), ("no", _("нет"))]


def _verdict(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def verdict_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class DealForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=200)
    amount = forms.DecimalField(label=_("Сумма, ₽"), min_value=0, max_digits=16, decimal_places=2, initial=0)
    need_type = forms.ChoiceField(label=_("Потребность клиента"), required=False)
    expected_close = forms.DateField(
        label=_("Ожидаемое закрытие"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    next_step = forms.CharField(label=_("Следующий шаг"), max_length=200, required=False)
    client_gain = forms.CharField(
        label=_("Что выигрывает клиент"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    client_wins = forms.ChoiceField(label=_("Клиент в выигрыше?"), choices=_VERDICT, required=False)
    our_gain = forms.CharField(
        label=_("Что выигрываем мы"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    we_win = forms.ChoiceField(label=_("Мы в выигрыше?"), choices=_VERDICT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need_type"].choices = [("", "—"), *NeedType.choices]
        for f in self.fields.values():
            f.widget.attrs.setdefault(
                "class", "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            )

    @classmethod
    def for_deal(cls, deal: Any) -> DealForm:
        return cls(
            initial={
                "title": deal.title,
                "amount": Decimal(deal.amount_minor) / 100,
                "need_type": deal.need_type,
                "expected_close": deal.expected_close,
                "next_step": deal.next_step,
                "client_gain": deal.client_gain,
                "our_gain": deal.our_gain,
                "client_wins": verdict_initial(deal.client_wins),
                "we_win": verdict_initial(deal.we_win),
            }
        )

    def fields_value(self) -> DealFields:
        d = self.cleaned_data
        return DealFields(
            title=d["title"],
            amount_minor=int((d["amount"] or Decimal(0)) * 100),
            need_type=d["need_type"] or "",
            expected_close=d["expected_close"],
            next_step=d["next_step"],
            client_gain=d["client_gain"],
            our_gain=d["our_gain"],
            client_wins=_verdict(d["client_wins"]),
            we_win=_verdict(d["we_win"]),
        )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Этап"), choices=Stage.choices)
    note = forms.CharField(label=_("Комментарий"), max_length=300, required=False)


class CompanyStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), choices=Status.choices)


class LiquidateForm(forms.Form):
    on = forms.DateField(
        label=_("Дата ликвидации"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
