"""Dossiers (seed 001): the versioned template, completeness, history — and no kickback question."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientfocus.accounts.models import AuditEntry
from clientfocus.companies import dossiers
from clientfocus.companies.models import (
    DossierChange,
    DossierKind,
    DossierQuestion,
    DossierTemplate,
)

pytestmark = pytest.mark.django_db

# Counted from seed 001 as companies/dossiers.py lays it out: the company's dossier (about the
# company 19 + the commercial proposal 14) and a representative's.
COMPANY_QUESTIONS = 33
CONTACT_QUESTIONS = 12
BRIBERY_WORDS = ("откат", "вознагражд", "комиссионн", "kickback", "представительск")


def test_the_template_follows_seed_001():
    template = dossiers.template_current()
    assert (template.version, dossiers.template_current()) == (dossiers.TEMPLATE_VERSION, template)
    company = dossiers.template_questions(template=template, kind=DossierKind.COMPANY)
    contact = dossiers.template_questions(template=template, kind=DossierKind.CONTACT)
    assert (len(company), len(contact)) == (COMPANY_QUESTIONS, CONTACT_QUESTIONS)
    codes = {q.code for q in company}
    # PRODUCT.md's list: how we learned of it … who decides, communication channels; the proposal.
    assert {"how_learned", "industry_needs", "locations", "activity", "years", "strategy", "trend"} <= codes
    assert {"financial_health", "supply", "competitors", "reputation", "payment", "decision_makers"} <= codes
    assert {"channels", "arguments", "attention", "interest", "desire", "action", "key_phrases"} <= codes
    assert {"their_questions", "objections", "claims", "our_questions", "approach_path"} <= codes
    assert {q.code for q in contact} >= {
        "buying_role",
        "personality",
        "personal_needs",
        "alignment",
        "format",
    }
    types = {q.code: q.answer_type for q in company + contact}
    assert (types["how_learned"], types["activity"], types["years"], types["supply"]) == (
        "multi",
        "choice",
        "number",
        "long_text",
    )


def test_the_template_has_no_kickback_question():
    """Seed 001 asks whether the representative takes a kickback («откат»): that is bribery."""
    dossiers.template_current()
    written = [
        str(text).casefold()
        for section in dossiers.TEMPLATE
        for text in (
            section.title,
            *(t for q in section.questions for t in (q.text, q.help_text, *q.choices)),
        )
    ]
    stored = [
        text.casefold()
        for q in DossierQuestion.objects.select_related("section")
        for text in (q.text, q.help_text, q.section.title, *q.choices)
    ]
    for word in BRIBERY_WORDS:
        assert not [t for t in written + stored if word in t], word
    assert not DossierQuestion.objects.filter(code__icontains="kick").exists()


def test_completeness_and_history(cast):
    alice, bob = cast["users"]["alice"], cast["users"]["bob"]
    company = cast["portfolios"]["alice"].company
    dossier = dossiers.dossier_save(
        actor=alice,
        company=company,
        answers={"competitors": "«Кабель-Сервис»", "activity": "Производство", "years": "12"},
    )
    assert dossier.completeness == 9  # 3 of 33 = 9.09%
    assert dossier.template == DossierTemplate.objects.get(version=1)
    # bob (her manager) changes one answer, repeats one unchanged, clears one.
    dossiers.dossier_save(
        actor=bob,
        company=company,
        answers={"competitors": "«Кабель-Сервис», «Провод-М»", "activity": "Производство", "years": None},
    )
    dossier.refresh_from_db()
    assert dossier.completeness == 6  # 2 of 33 = 6.06%
    history = [
        (c.changed_by.username, c.question.code, c.old_value, c.new_value)
        for c in DossierChange.objects.filter(dossier=dossier).order_by("pk")
    ]
    assert history == [
        ("alice", "competitors", None, "«Кабель-Сервис»"),
        ("alice", "activity", None, "Производство"),
        ("alice", "years", None, 12),
        ("bob", "competitors", "«Кабель-Сервис»", "«Кабель-Сервис», «Провод-М»"),
        ("bob", "years", 12, None),
    ]
    assert AuditEntry.objects.filter(action="dossier_save", object_id=str(dossier.pk)).count() == 2


def test_a_representatives_dossier(cast):
    alice = cast["users"]["alice"]
    portfolio = cast["portfolios"]["alice"]
    dossier = dossiers.dossier_save(
        actor=alice,
        company=portfolio.company,
        contact=portfolio.contact,
        answers={
            "buying_role": "Финансовый закупщик — решает о покупке",
            "personality": "Аналитик",
            "personal_needs": "Рост внутри компании",
            "alignment": "Совпадают",
            "format": "Формальные",
            "recommenders": "Главный инженер «Ромашки»",
        },
    )
    assert (dossier.contact, dossier.completeness) == (portfolio.contact, 50)  # 6 of 12
    company_dossier = dossiers.dossier_save(
        actor=alice, company=portfolio.company, answers={"trend": "Растёт"}
    )
    assert company_dossier.pk != dossier.pk and company_dossier.contact is None
    other = cast["portfolios"]["erin"].contact
    with pytest.raises(ValidationError) as exc:
        dossiers.dossier_save(actor=alice, company=portfolio.company, contact=other, answers={})
    assert exc.value.messages == [dossiers.CONTACT_OF_ANOTHER_COMPANY]


def test_answers_are_checked(cast):
    alice = cast["users"]["alice"]
    company = cast["portfolios"]["alice"].company
    with pytest.raises(ValidationError) as exc:
        dossiers.dossier_save(actor=alice, company=company, answers={"trend": "Взлетает"})
    assert exc.value.messages == ["Вопрос «Тенденция и динамика развития»: такого варианта нет: «Взлетает»"]
    with pytest.raises(ValidationError) as exc:
        dossiers.dossier_save(actor=alice, company=company, answers={"kickback": "10%"})
    assert exc.value.messages == ["В этом досье нет вопроса «kickback»"]
    with pytest.raises(ValidationError) as exc:
        dossiers.dossier_save(actor=alice, company=company, contact=None, answers={"personality": "Аналитик"})
    assert exc.value.messages == ["В этом досье нет вопроса «personality»"]
    assert not DossierChange.objects.exists()


def test_another_sellers_dossier_cannot_be_written(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dossiers.dossier_save(
            actor=cast["users"]["erin"],
            company=cast["portfolios"]["alice"].company,
            answers={"trend": "Растёт"},
        )
    assert not DossierChange.objects.exists()


def test_filling_a_dossier_through_the_page(client, cast):
    alice = cast["users"]["alice"]
    portfolio = cast["portfolios"]["alice"]
    client.force_login(alice)
    url = reverse("companies:dossier", args=[portfolio.company.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="dossier-completeness">0%' in page
    assert "Откуда мы узнали о компании?" in page and "откат" not in page.casefold()
    response = client.post(
        reverse("companies:dossier_save", args=[portfolio.company.pk]),
        {
            "section": "sources",
            "q_how_learned": ["СМИ", "Выставки"],
            "q_sources_notes": "Выставка «Кабель-2026»",
        },
    )
    assert response["Location"] == f"{url}#s-sources"
    page = client.get(url).content.decode()
    assert 'data-testid="dossier-completeness">6%' in page  # 2 of 33
    assert "Выставка «Кабель-2026»" in page and "Смирнова" in page  # the history names who
    card = client.get(reverse("companies:detail", args=[portfolio.company.pk])).content.decode()
    assert 'data-testid="company-dossier-completeness">6%' in card
    contact_url = reverse("companies:contact_dossier", args=[portfolio.contact.pk])
    client.post(
        reverse("companies:contact_dossier_save", args=[portfolio.contact.pk]),
        {"section": "negotiation", "q_format": "Неформальные", "q_place": "Кафе у офиса"},
    )
    assert 'data-testid="dossier-completeness">17%' in client.get(contact_url).content.decode()  # 2 of 12
    # A bad choice comes back as a message, and nothing is written.
    response = client.post(
        reverse("companies:dossier_save", args=[portfolio.company.pk]),
        {"section": "company", "q_trend": "Взлетает"},
        follow=True,
    )
    assert "Тенденция и динамика развития" in response.content.decode()
    assert DossierChange.objects.count() == 4


def test_the_dossier_and_profile_pages_render_in_english(client, cast):
    """The strings come from the catalogues (the lead engineer adds their translations)."""
    client.force_login(cast["users"]["alice"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in (
        reverse("companies:dossier", args=[cast["portfolios"]["alice"].company.pk]),
        reverse("companies:contact_dossier", args=[cast["portfolios"]["alice"].contact.pk]),
        reverse("companies:profiles"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="en">' in response.content.decode()


def test_a_new_template_version_leaves_earlier_dossiers_as_they_were(cast, monkeypatch):
    alice = cast["users"]["alice"]
    first = dossiers.dossier_save(
        actor=alice, company=cast["portfolios"]["alice"].company, answers={"trend": "Растёт"}
    )
    # Version 2 drops every section but the competitors.
    monkeypatch.setattr(dossiers, "TEMPLATE_VERSION", 2)
    monkeypatch.setattr(dossiers, "TEMPLATE", tuple(s for s in dossiers.TEMPLATE if s.code == "competitors"))
    second = dossiers.dossier_save(
        actor=cast["users"]["erin"],
        company=cast["portfolios"]["erin"].company,
        answers={"competitors": "Нет"},
    )
    assert (first.template.version, second.template.version) == (1, 2)
    assert second.completeness == 100  # 1 of 1 in version 2
    # alice's dossier keeps answering version 1's questions.
    first = dossiers.dossier_save(actor=alice, company=first.company, answers={"years": 7})
    assert (first.template.version, first.completeness) == (1, 6)  # 2 of 33
    assert DossierTemplate.objects.count() == 2


def test_history_reads_like_the_answers(client, cast):
    alice = cast["users"]["alice"]
    company = cast["portfolios"]["alice"].company
    dossiers.dossier_save(actor=alice, company=company, answers={"how_learned": ["Выставки", "СМИ"]})
    view = dossiers.dossier_view(user=alice, company=company)
    assert [(h["change"].question.code, h["old"], h["new"]) for h in view.history] == [
        ("how_learned", None, "СМИ, Выставки")  # the template's order
    ]
    assert view.completeness == 3  # 1 of 33
