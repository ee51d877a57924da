"""A seller and a manager use every page of the workspace in a real browser."""

from __future__ import annotations

import re

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_seller_day_portfolio_company_and_language(page_for):
    from clientfocus.activities.models import Activity

    page = page_for("anna")
    # Russian by default, even though the browser asks for English.
    assert page.title().startswith("Мой день")
    assert page.locator("[data-testid=due-list]").is_visible()
    shot(page, "my-day")

    page.click("nav >> text=Портфель")
    page.wait_for_selector("[data-testid=portfolio-table]")
    total = page.locator("[data-testid=portfolio-count]").inner_text()
    page.select_option("[data-testid=filter-category]", "A")
    page.wait_for_function(
        "t => document.querySelector('[data-testid=portfolio-count]').innerText !== t", arg=total
    )
    assert "category=A" in page.url
    badges = page.locator("[data-testid=portfolio-table] tbody .cf-cat").all_inner_texts()
    assert badges and set(badges) == {"A"}
    shot(page, "portfolio")

    # Export the filtered view: the workbook holds exactly the A companies on the page.
    with page.expect_download() as download:
        page.click("[data-testid=export] >> text=XLSX")
    import io

    from openpyxl import load_workbook

    with open(download.value.path(), "rb") as f:  # a download has no file extension
        sheet = load_workbook(io.BytesIO(f.read()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    category = next(i for i, h in enumerate(header) if h in {"Категория", "Category"})
    shown = int(page.locator("[data-testid=portfolio-count]").inner_text().split()[0])
    assert len(rows) - 1 == shown and {r[category] for r in rows[1:]} == {"A"}

    page.locator("[data-testid=portfolio-table] tbody a").first.click()
    page.wait_for_selector("[data-testid=company-analysis]")
    company_url = page.url
    company_id = int(re.search(r"/companies/(\d+)/", company_url).group(1))
    before = Activity.objects.filter(company_id=company_id).count()
    page.select_option("#id_kind", "visit")
    page.fill("#id_subject", "Визит к главному инженеру")
    page.click("[data-testid=activity-form] button[type=submit]")
    page.wait_for_selector("#timeline >> text=Визит к главному инженеру")
    assert Activity.objects.filter(company_id=company_id).count() == before + 1
    shot(page, "company")

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("text=Why, and what to do").is_visible()
    page.click("nav >> text=My day")
    assert page.title().startswith("My day")
    shot(page, "my-day-en")


def test_manager_team_analysis_and_temperature_map(page_for):
    page = page_for("manager")
    page.click("nav >> text=Команда")
    page.wait_for_selector("[data-testid=team-table]")
    rows = page.locator("[data-testid=team-table] tbody tr")
    assert rows.count() >= 3
    shot(page, "team")
    rows.first.locator("a").first.click()
    page.wait_for_selector("[data-testid=portfolio-table]")
    assert "seller=" in page.url

    page.click("nav >> text=Анализ")
    page.wait_for_selector("[data-testid=temperature-map]")
    assert "дают 80% выручки" in page.locator("[data-testid=pareto-text]").inner_text()
    # Every chart drew (Chart.js marks its canvases).
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length === 3")
    shot(page, "analysis")
    cell = page.locator("[data-testid=temperature-map] a.cf-cell").first
    name = cell.get_attribute("aria-label")
    cell.click()
    page.wait_for_selector("[data-testid=company-analysis]")
    assert page.locator("h1").inner_text() == name


def test_admin_changes_settings_and_recomputes(page_for):
    from clientfocus.portfolio.models import Snapshot
    from clientfocus.portfolio.services import analysis_settings

    page = page_for("admin")
    page.click("nav >> text=Настройки")
    page.wait_for_selector("[data-testid=settings-form]")
    page.fill("#id_cadence_a_days", "21")
    page.click("[data-testid=settings-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert analysis_settings().cadence_a_days == 21
    before = Snapshot.objects.count()
    page.click("[data-testid=recompute-now]")
    page.wait_for_selector(".alert-success")
    assert Snapshot.objects.count() == before + 1
    shot(page, "settings")
