"""Dossiers (seed 001; PRODUCT.md, "The selling method"): the template, reads and writes.

The template's sections and questions are defined here, in code, and stored as a numbered
version (DossierTemplate) the first time they are needed: a dossier keeps the version it was
started with, and a new version (TEMPLATE_VERSION + 1 with changed questions) never rewrites
old answers.

Seed 001 asks whether the client's representative takes a kickback («откат»), how much, and
how to tempt them with "discount – commission – kickback". That is commercial bribery (УК РФ,
ст. 204): ClientFocus has no such question, and tests/test_dossiers.py keeps it that way. The
entertainment budget («представительские») is left out for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clientfocus.accounts.models import User
from clientfocus.accounts.services import audit_record
from clientfocus.companies.models import (
    AnswerType,
    Company,
    Contact,
    Dossier,
    DossierAnswer,
    DossierChange,
    DossierKind,
    DossierQuestion,
    DossierSection,
    DossierTemplate,
)

TEMPLATE_VERSION = 1
TEMPLATE_TITLE = _("Досье клиента (В. Травков, статья «Клиентская база данных», часть 4)")

DOSSIER_UNKNOWN_QUESTION = _("В этом досье нет вопроса «{code}»")
DOSSIER_BAD_ANSWER = _("Вопрос «{question}»: {problem}")
DOSSIER_NOT_A_CHOICE = _("такого варианта нет: «{value}»")
DOSSIER_NOT_A_NUMBER = _("нужно число, получено «{value}»")
CONTACT_OF_ANOTHER_COMPANY = _("Представитель не из этой компании")


@dataclass(frozen=True)
class Q:
    code: str
    text: Any
    answer_type: str = AnswerType.LONG_TEXT
    help_text: Any = ""
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class S:
    kind: str
    code: str
    title: Any
    questions: tuple[Q, ...] = field(default_factory=tuple)


C, P = DossierKind.COMPANY, DossierKind.CONTACT
T, L, CH, M, N = AnswerType.TEXT, AnswerType.LONG_TEXT, AnswerType.CHOICE, AnswerType.MULTI, AnswerType.NUMBER

# Seed 001, in its order: about the company, then the commercial proposal (both in the company's
# dossier), and about each representative (a dossier per Contact).
TEMPLATE: tuple[S, ...] = (
    S(C, "sources", _("Информационные источники"), (
        Q("how_learned", _("Откуда мы узнали о компании?"), M, choices=(
            _("Интернет"), _("СМИ"), _("Бизнес-клубы"), _("Торгово-промышленные палаты"),
            _("Контролирующие органы"), _("Выставки"), _("Рекомендации"), _("Другое"),
        )),
        Q("sources_notes", _("Подробнее об источниках"), L),
    )),
    S(C, "industry", _("Отрасль и её потребности"), (
        Q("industry_needs", _("Что нужно отрасли клиента?"), L),
    )),
    S(C, "company", _("Компания-клиент"), (
        Q("locations", _("Где расположена: центральный офис, филиалы?"), L),
        Q("activity", _("Вид деятельности"), CH, choices=(
            _("Добыча сырья"), _("Производство"), _("Торговля"), _("Услуги"),
        )),
        Q("years", _("Сколько лет работает?"), N),
        Q("strategy", _("Стратегия и планы"), L),
        Q("trend", _("Тенденция и динамика развития"), CH, choices=(
            _("Растёт"), _("Стабильна"), _("Сокращается"),
        )),
        Q("financial_health", _("Финансовая состоятельность"), CH, choices=(
            _("Устойчивая"), _("Удовлетворительная"), _("Слабая"),
        )),
        Q("supply", _("Как и по каким каналам идёт снабжение?"), L),
    )),
    S(C, "competitors", _("Конкуренты"), (
        Q("competitors", _("Кто ещё поставляет этой компании и чем они сильны?"), L),
    )),
    S(C, "reputation", _("Репутация"), (
        Q("reputation", _("Что говорят о компании партнёры (слухи, факты)?"), L),
        Q("payment", _("Как компания оплачивает счета?"), CH, choices=(
            _("Вовремя"), _("С задержками"), _("Плохо"),
        )),
    )),
    S(C, "needs", _("Общность, противоречия, потребности"), (
        Q("common_ground", _("Что общего у наших компаний?"), L),
        Q("contradictions", _("Базовые противоречия"), L),
        Q("company_needs", _("Потребности компании-клиента"), L),
    )),
    S(C, "decision", _("Кто принимает решение о покупке"), (
        Q("decision_makers", _("Кто принимает решение о покупке?"), L),
    )),
    S(C, "communication", _("Каналы связи"), (
        Q("channels", _("Через какие каналы поддерживаем связь?"), M, choices=(
            _("Телефон"), _("Электронная почта"), _("Мессенджер"), _("Личные встречи"),
            _("Рассылка"), _("Выставки"), _("Совместные мероприятия"),
        )),
        Q("channels_notes", _("Подробнее о связи"), L),
    )),
    S(C, "offer", _("Коммерческое предложение: аргументы"), (
        Q("arguments", _("Основные аргументы «за» покупку: почему купят у нас?"), L),
    )),
    S(C, "aida", _("Коммерческое предложение: AIDA"), (
        Q("attention", _("Внимание: как будем удерживать внимание?"), L),
        Q("interest", _("Интерес: чем и как заинтересуем?"), L),
        Q("desire", _("Желание: что сделаем, чтобы у клиента возникло желание купить?"), L),
        Q("action", _("Действие: к какому шагу подводим?"), L),
    )),
    S(C, "words", _("Ключевые слова, вопросы и возражения"), (
        Q("key_phrases", _("Ключевые слова и выражения"), L),
        Q("their_questions", _("Какие вопросы задаст представитель, и наши ответы"), L),
        Q("objections", _("Возражения и ответы на них"), L),
        Q("claims", _("Претензии, которые могут прозвучать как возражения, и ответы"), L),
        Q("our_questions", _("Наши вопросы представителю"), L),
    )),
    S(C, "approach", _("Стратегия и путь к представителю"), (
        Q("image", _("Наш имидж: каким нас должны увидеть?"), L),
        Q("strategy_ours", _("Наша стратегия"), L),
        Q("approach_path", _("Контур выхода на представителя"), L),
        Q("support", _("Как поддерживаем связь с клиентом"), L),
    )),
    S(P, "role", _("Роль и репутация представителя"), (
        Q("reputation", _("Репутация представителя"), L),
        Q("buying_role", _("Роль в закупочном центре"), CH, choices=(
            _("Финансовый закупщик — решает о покупке"),
            _("Технологический закупщик — решает о технологическом соответствии"),
            _("Пользователь — решает об удобстве использования"),
        )),
        Q("scenario", _("Сценарий разговора для этой роли"), L),
    )),
    S(P, "type", _("Тип представителя"), (
        Q("personality", _("Тип личности"), CH, choices=(
            _("Аналитик"), _("Лидер"), _("Дружелюбный"), _("Экспрессивный"),
        ), help_text=_("Под него адаптируем сценарий")),
        Q("adaptation", _("Как адаптируем сценарий"), L),
    )),
    S(P, "common", _("Общность и противоречия"), (
        Q("common_ground", _("Что у нас общего с представителем?"), L),
        Q("contradictions", _("Базовые противоречия"), L,
          help_text=_("Например: не любят москвичей, признают только оригинальный товар")),
    )),
    S(P, "needs", _("Личные потребности"), (
        Q("personal_needs", _("Личные потребности представителя"), L),
        Q("alignment", _("Насколько они совпадают с интересами его компании?"), CH, choices=(
            _("Совпадают"), _("Частично"), _("Расходятся"),
        )),
    )),
    S(P, "negotiation", _("Формат переговоров"), (
        Q("format", _("Формат переговоров"), CH, choices=(_("Формальные"), _("Неформальные"))),
        Q("place", _("Где удобнее встречаться?"), T),
    )),
    S(P, "recommenders", _("Рекомендатели"), (
        Q("recommenders", _("Кто может рекомендовать нашу компанию и вас лично?"), L),
    )),
)  # fmt: skip


# --- the template ----------------------------------------------------------------------------------


def template_current() -> DossierTemplate:
    """The stored template of TEMPLATE_VERSION, written from TEMPLATE the first time it is asked for.

    Reference data rather than a data migration, so a database emptied by a test flush or a
    restore of an older backup still gets it.
    """
    found = DossierTemplate.objects.filter(version=TEMPLATE_VERSION).first()
    if found is not None:
        return found
    try:
        # Stored in the source language; pages show it through the catalogues ({% translate %}).
        with transaction.atomic(), translation.override("ru"):
            template = DossierTemplate.objects.create(version=TEMPLATE_VERSION, title=TEMPLATE_TITLE)
            for s_pos, section in enumerate(TEMPLATE):
                stored = DossierSection.objects.create(
                    template=template,
                    kind=section.kind,
                    code=section.code,
                    title=str(section.title),
                    position=s_pos,
                )
                DossierQuestion.objects.bulk_create(
                    DossierQuestion(
                        section=stored,
                        code=q.code,
                        text=str(q.text),
                        help_text=str(q.help_text),
                        answer_type=q.answer_type,
                        choices=[str(c) for c in q.choices],
                        position=q_pos,
                    )
                    for q_pos, q in enumerate(section.questions)
                )
    except IntegrityError:  # another process wrote it first
        return DossierTemplate.objects.get(version=TEMPLATE_VERSION)
    return template


def template_questions(*, template: DossierTemplate, kind: str) -> list[DossierQuestion]:
    return list(
        DossierQuestion.objects.filter(section__template=template, section__kind=kind)
        .select_related("section")
        .order_by("section__position", "position")
    )


# --- reads -------------------------------------------------------------------------------------------


def dossier_for(*, user: Any, company: Company, contact: Contact | None = None) -> Dossier | None:
    qs = Dossier.objects.visible_to(user).filter(company=company)
    return (qs.filter(contact=contact) if contact is not None else qs.filter(contact__isnull=True)).first()


@dataclass(frozen=True)
class DossierView:
    dossier: Dossier | None
    template: DossierTemplate
    kind: str
    sections: list[dict[str, Any]]  # {"section", "questions": [{"question", "value"}], "answered"}
    completeness: int
    history: list[dict[str, Any]]  # {"change", "old", "new"}: who changed what, when


def dossier_view(
    *, user: Any, company: Company, contact: Contact | None = None, history: int = 30
) -> DossierView:
    """A dossier's sections with their answers (an empty one when nothing is written yet)."""
    dossier = dossier_for(user=user, company=company, contact=contact)
    template = dossier.template if dossier else template_current()
    kind = DossierKind.CONTACT if contact is not None else DossierKind.COMPANY
    answers = (
        dict(
            DossierAnswer.objects.visible_to(user).filter(dossier=dossier).values_list("question_id", "value")
        )
        if dossier
        else {}
    )
    sections: dict[int, dict[str, Any]] = {}
    for q in template_questions(template=template, kind=kind):
        entry = sections.setdefault(q.section_id, {"section": q.section, "questions": [], "answered": 0})
        value = answers.get(q.pk)
        entry["questions"].append({"question": q, "value": value})
        entry["answered"] += int(_is_answered(value))
    changes = (
        DossierChange.objects.visible_to(user)
        .filter(dossier=dossier)
        .select_related("question", "changed_by")
        .order_by("-changed_at", "-pk")[:history]
        if dossier
        else []
    )
    return DossierView(
        dossier=dossier,
        template=template,
        kind=kind,
        sections=list(sections.values()),
        completeness=dossier.completeness if dossier else 0,
        history=[
            {"change": c, "old": answer_text(c.old_value), "new": answer_text(c.new_value)} for c in changes
        ],
    )


def answer_text(value: Any) -> str | None:
    """An answer as people read it: choices joined by commas, yes/no in words."""
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(_("да") if value else _("нет"))
    return str(value)


def dossier_completeness_for(*, user: Any, company: Company, contacts: Iterable[Contact]) -> dict[str, Any]:
    """For the company card: the company dossier's completeness and each representative's (None:
    not started)."""
    by_contact = dict(
        Dossier.objects.visible_to(user).filter(company=company).values_list("contact_id", "completeness")
    )
    return {
        "company": by_contact.get(None),
        "contacts": [{"contact": c, "completeness": by_contact.get(c.pk)} for c in contacts],
    }


def dossiers_list(*, user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.visible_to(user).select_related("company", "contact")


# --- writes ------------------------------------------------------------------------------------------


def _is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def _normalise(question: DossierQuestion, value: Any) -> Any:
    """The stored form of an answer (None when empty); raises ValidationError on a bad one."""
    if value is None or value == "" or value == []:
        return None
    kind = question.answer_type
    if kind in (AnswerType.TEXT, AnswerType.LONG_TEXT):
        text = str(value).strip()
        return text[: 300 if kind == AnswerType.TEXT else 10_000] or None
    if kind == AnswerType.CHOICE:
        if value not in question.choices:
            raise ValidationError(
                DOSSIER_BAD_ANSWER.format(
                    question=question.text, problem=DOSSIER_NOT_A_CHOICE.format(value=value)
                )
            )
        return value
    if kind == AnswerType.MULTI:
        values = [value] if isinstance(value, str) else list(value)
        bad = [v for v in values if v not in question.choices]
        if bad:
            raise ValidationError(
                DOSSIER_BAD_ANSWER.format(
                    question=question.text, problem=DOSSIER_NOT_A_CHOICE.format(value=bad[0])
                )
            )
        return [c for c in question.choices if c in values] or None  # the template's order
    if kind == AnswerType.NUMBER:
        try:
            number = float(str(value).replace(",", ".").replace(" ", ""))
        except ValueError:
            raise ValidationError(
                DOSSIER_BAD_ANSWER.format(
                    question=question.text, problem=DOSSIER_NOT_A_NUMBER.format(value=value)
                )
            ) from None
        return int(number) if number.is_integer() else number
    if kind == AnswerType.YES_NO:
        return bool(value)
    return str(value)  # a date, as ISO text


def dossier_save(
    *,
    actor: User,
    company: Company,
    answers: Mapping[str, Any],
    contact: Contact | None = None,
) -> Dossier:
    """Write answers (by question code) to a company's or a representative's dossier.

    The dossier is created on its first answer. Each answer that really changes leaves a
    DossierChange row (who, when, from what, to what); completeness is kept on the dossier.
    """
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise PermissionDenied
    if contact is not None and contact.company_id != company.pk:
        raise ValidationError(CONTACT_OF_ANOTHER_COMPANY)
    kind = DossierKind.CONTACT if contact is not None else DossierKind.COMPANY
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .filter(company=company, **({"contact": contact} if contact else {"contact__isnull": True}))
            .order_by("pk")
            .first()
        )
        if dossier is None:
            dossier = Dossier.objects.create(company=company, contact=contact, template=template_current())
        questions = {q.code: q for q in template_questions(template=dossier.template, kind=kind)}
        unknown = [code for code in answers if code not in questions]
        if unknown:
            raise ValidationError(DOSSIER_UNKNOWN_QUESTION.format(code=unknown[0]))
        new_values = {code: _normalise(questions[code], value) for code, value in answers.items()}
        stored = {a.question_id: a for a in DossierAnswer.objects.filter(dossier=dossier)}
        changed = []
        for code, value in new_values.items():
            question = questions[code]
            current = stored.get(question.pk)
            old = current.value if current else None
            if old == value:
                continue
            if value is None:
                if current is not None:
                    current.delete()
            elif current is None:
                DossierAnswer.objects.create(
                    dossier=dossier, question=question, value=value, updated_by=actor
                )
            else:
                current.value, current.updated_by = value, actor
                current.save(update_fields=["value", "updated_by", "updated_at"])
            DossierChange.objects.create(
                dossier=dossier, question=question, old_value=old, new_value=value, changed_by=actor
            )
            changed.append(code)
        answered = DossierAnswer.objects.filter(dossier=dossier, question__in=questions.values()).count()
        dossier.completeness = round(100 * answered / len(questions)) if questions else 0
        dossier.save(update_fields=["completeness", "updated_at"])
        audit_record(
            actor=actor,
            action="dossier_save",
            obj=dossier,
            details={"kind": kind, "changed": changed, "completeness": dossier.completeness},
        )
    return dossier
