"""SMART goals, the market plan and best-practice groups in a real browser (the manager's day)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_a_goal_reviews_the_market_plan_and_opens_the_groups(page_for):
    from clientfocus.accounts.models import User
    from clientfocus.planning.goals import metric_value
    from clientfocus.planning.models import Goal, MarketPlanReview

    anna = User.objects.get(username="anna")
    page = page_for("manager")

    # A SMART goal for Anna: revenue over the next quarter, measured from the data.
    page.click("nav >> text=Планирование")
    page.click("nav .dropdown-menu >> text=Ключевые клиенты")
    page.click("[data-testid=planning-subnav] >> text=Цели SMART")
    page.click("[data-testid=goal-new]")
    page.select_option("#id_subject", f"u{anna.pk}")
    page.select_option("#id_metric", "revenue")
    page.fill("#id_specific", "Выручка Анны за квартал — 8 млн ₽")
    # The quarter began a month ago: the baseline is what Anna has sold since (about 2 million).
    start = dt.date.today() - dt.timedelta(days=30)
    page.fill("#id_start", start.isoformat())
    page.fill("#id_target", "1000000")
    page.click("[data-testid=goal-save]")
    assert "цель должна быть больше исходного значения" in page.inner_text("[data-testid=form-errors]")
    page.fill("#id_target", "8000000")
    page.fill("#id_relevance", "План отдела на квартал")
    page.fill("#id_achievability", "В прошлом квартале было 6,3 млн ₽")
    shot(page, "goal-new")
    page.click("[data-testid=goal-save]")
    page.wait_for_selector("[data-testid=goal-title]")
    goal = Goal.objects.get()
    # 8 000 000 ₽ typed, kept in kopecks; the baseline is today's revenue of Anna's companies.
    assert (goal.seller, goal.metric, goal.target) == (anna, "revenue", 800_000_000.0)
    assert goal.baseline == metric_value(goal, as_of=dt.date.today())
    assert page.inner_text("[data-testid=goal-title]") == "Выручка Анны за квартал — 8 млн ₽"
    # Set today: nothing yet of the way, and the pace starts today too — on track.
    assert page.get_attribute(f"[data-testid=goal-progress-{goal.pk}]", "data-state") == "on_track"
    assert "Сумма продаж" in page.inner_text("[data-testid=goal-definition]")
    page.wait_for_function("document.querySelector('canvas[data-goal-chart]').dataset.drawn === '1'")
    shot(page, "goal")
    page.click("[data-testid=planning-subnav] >> text=Цели SMART")
    assert "Выручка Анны за квартал" in page.inner_text("[data-testid=goals-table]")
    shot(page, "goals")

    # The market plan from the team page: create it, then the review is in the log.
    page.click("nav >> text=Команда")
    page.click("[data-testid=team-planning-links] a[data-testid^=market-plan-link]")
    page.fill("#id_where", "Новосибирск и Томск")
    page.fill("#id_whom", "Строительство и оптовая торговля, 50–500 человек")
    page.fill("#id_with_what", "Учебник продаж, выставка «Сибстройэкспо»")
    page.locator("[data-testid=market-plan-form] input[name=sellers]").first.check()
    page.fill("#id_note", "Первый план на год")
    page.click("[data-testid=market-plan-save]")
    page.wait_for_selector("text=Первый план на год")
    # A quarterly review: one part changes, the log says which and keeps the note.
    page.fill("#id_where", "Новосибирск, Томск и Омск")
    page.fill("#id_note", "Добавили Омск: открываем представительство")
    page.click("[data-testid=market-plan-save]")
    page.wait_for_selector("text=Добавили Омск: открываем представительство")
    first, review = MarketPlanReview.objects.order_by("pk")
    assert (review.by.username, review.changed, first.note) == ("manager", ["where"], "Первый план на год")
    log = page.inner_text("[data-testid=market-plan-reviews]")
    assert "Изменено: Где ищем: территории" in log and "План составлен" in log
    shot(page, "market-plan")

    # Best-practice groups, linked from the team page (which shows the plan's next review).
    page.click("nav >> text=Команда")
    assert "пересмотр до" in page.inner_text("[data-testid=team-planning-links]")
    shot(page, "team-planning")
    page.click("[data-testid=groups-link]")
    page.wait_for_selector("[data-testid=group]")
    assert page.locator("[data-testid=group] .cf-best").count() >= 1
    shot(page, "groups")
