"""The ideal customer profile in a real browser: the guided builder, then keyboard scoring."""

from __future__ import annotations

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _build(page) -> None:
    page.click("nav >> text=Планирование")
    page.click("nav .dropdown-menu >> text=Идеальный клиент")
    page.click("[data-testid=profile-new]")
    page.wait_for_selector("[data-testid=builder-steps]")
    page.fill("#id_clients", "ООО «Ромашка»\nАО «Северный кабель»")
    page.fill("#id_traits", "Доверяет моей компании\nИнновационный менеджмент\nЛояльный к поставщикам")
    page.click("[data-testid=step-next]")
    page.wait_for_selector("text=Шаг 2. Ваши худшие клиенты и их черты")
    page.fill("#id_clients", "ООО «Тугодум»")
    page.fill("#id_traits", "Медленно принимает решения\nСекретничает и не желает сотрудничать")
    page.click("[data-testid=step-next]")
    page.wait_for_selector("text=Шаг 3. Противоположность каждой плохой черты")
    page.get_by_label("Медленно принимает решения →").fill("Быстро принимает решения")
    page.get_by_label("Секретничает и не желает сотрудничать →").fill("Открыт, делится информацией")
    page.click("[data-testid=step-next]")
    page.wait_for_selector("[data-testid=candidates]")
    boxes = page.locator("[data-testid=candidates] input[type=checkbox]")
    assert boxes.count() == 5
    for i in range(5):
        boxes.nth(i).check()
    page.locator("[data-testid=candidates] input[type=number]").first.fill("2")
    shot(page, "profile-builder")
    page.click("[data-testid=step-next]")
    page.wait_for_selector("[data-testid=chosen-traits]")
    assert page.locator("[data-testid=chosen-traits] li").count() == 5
    assert "Быстро принимает решения" in page.locator("[data-testid=chosen-traits]").inner_text()
    page.click("[data-testid=profile-activate]")
    page.wait_for_selector("[data-testid=score-grid]")


def test_a_seller_builds_the_profile_and_scores_with_the_keyboard(page_for):
    from clientfocus.activities.models import Activity, State
    from clientfocus.companies.models import IdealProfile, ProfileScore

    page = page_for("anna")
    _build(page)
    profile = IdealProfile.objects.get(is_active=True)
    assert (profile.version, profile.team.name) == (1, "Отдел продаж")

    rows = page.locator("[data-testid=score-grid] tbody tr")
    first, second = (int(rows.nth(i).get_attribute("data-company")) for i in (0, 1))
    page.click(f"[data-testid=cell-{first}-1]")
    # Row 1: +5 on trait 1 (weight 2), −3 on trait 2; then down, two left, +4, Tab, 0.
    page.keyboard.press("5")
    page.keyboard.press("-")
    page.keyboard.press("3")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("4")
    page.keyboard.press("Tab")
    page.keyboard.press("0")
    # Fit row 1: (2·5 + 1·(−3)) / (5·3) = 7/15 = 47%; row 2: (2·4 + 0) / (5·3) = 8/15 = 53%.
    page.wait_for_function(f"document.querySelector('[data-testid=fit-{first}]').innerText.startsWith('47%')")
    page.wait_for_function(
        f"document.querySelector('[data-testid=fit-{second}]').innerText.startsWith('53%')"
    )
    shot(page, "profile-grid")
    scores = {(s.company_id, s.trait.rank): s.score for s in ProfileScore.objects.select_related("trait")}
    assert scores == {(first, 1): 5, (first, 2): -3, (second, 1): 4, (second, 3): 0}
    # The two mismatches (−3 and 0) each got a planned touch.
    planned = Activity.objects.filter(state=State.PLANNED, subject__startswith="Профиль клиента:")
    assert sorted(planned.values_list("company_id", flat=True)) == sorted([first, second])
    # Delete clears a score; the fit follows.
    page.click(f"[data-testid=cell-{first}-2]")
    page.keyboard.press("Delete")
    page.wait_for_function(
        f"document.querySelector('[data-testid=fit-{first}]').innerText.startsWith('100%')"
    )
    assert not ProfileScore.objects.filter(company_id=first, trait__rank=2).exists()

    # The company card shows the fit.
    page.click(f"[data-testid=score-grid] tbody tr[data-company='{first}'] a")
    page.wait_for_selector("[data-testid=company-fit]")
    assert page.locator("[data-testid=company-fit-value]").inner_text().startswith("100%")


def test_a_seller_fills_a_dossier(page_for):
    from clientfocus.companies.models import Dossier

    page = page_for("anna")
    page.click("nav >> text=Компании")
    page.locator("table a[href^='/companies/']").first.click()
    page.click("[data-testid=company-dossiers] >> text=Досье компании")
    page.wait_for_selector("[data-testid=dossier-completeness]")
    section = page.locator("[data-testid=section-company]")
    section.get_by_label("Вид деятельности").select_option("Производство")
    section.get_by_label("Сколько лет работает?").fill("12")
    section.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=dossier-completeness]").inner_text() == "6%"  # 2 of 33
    assert "Производство" in page.locator("[data-testid=dossier-history]").inner_text()
    assert Dossier.objects.get().completeness == 6
    shot(page, "dossier")
