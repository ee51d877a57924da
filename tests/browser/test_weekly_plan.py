"""A seller builds next week's plan in a real browser, moves an item, downloads the .ics and the
test reads it back; then asks a falling client for feedback from My day."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_seller_builds_moves_and_downloads_the_weekly_plan(page_for, tmp_path):
    import icalendar

    from clientfocus.accounts.models import User
    from clientfocus.activities.models import WeeklyPlan
    from clientfocus.activities.weekly import next_week_start

    anna = User.objects.get(username="anna")
    week = next_week_start(dt.date.today())
    page = page_for("anna")
    page.click("nav >> text=Планирование")
    page.click("nav .dropdown-menu >> text=План недели")
    page.wait_for_selector("[data-testid=week-picker]")
    page.goto(f"{page.base}/activities/week/?seller={anna.pk}&week={week.isoformat()}")
    with page.expect_navigation():
        page.click("[data-testid=week-build]")
    page.wait_for_selector("[data-testid=week-grid]")
    plan = WeeklyPlan.objects.get(seller=anna, week_start=week)
    scheduled = plan.items.filter(date__isnull=False).count()
    assert scheduled > 0
    assert page.locator("[data-testid=week-grid] [data-testid=item]").count() == scheduled
    shot(page, "weekly-plan")

    # Move the first Monday item to Friday (another kind of slot may be full: pick a call).
    monday = page.locator(f"[data-testid=day-{week.isoformat()}] [data-testid=item]").first
    company = monday.get_attribute("data-company")
    friday = week + dt.timedelta(days=4)
    monday.locator("select[name=date]").select_option(friday.isoformat())
    monday.locator("select[name=kind]").select_option("email")
    with page.expect_navigation():
        monday.locator("[data-testid=item-edit] button").click()
    page.wait_for_selector(
        f"[data-testid=day-{friday.isoformat()}] [data-testid=item][data-company='{company}']"
    )
    item = plan.items.get(company__name=company)
    assert (item.date, item.kind) == (friday, "email")
    plan.refresh_from_db()
    assert plan.edited is True

    with page.expect_download() as info:
        page.click("[data-testid=week-ics]")
    download = info.value
    assert download.suggested_filename == f"plan-anna-{week.isoformat()}.ics"
    path = tmp_path / "plan.ics"
    download.save_as(path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == scheduled
    moved = [e for e in events if str(e["SUMMARY"]).endswith(f": {company}")]
    assert len(moved) == 1 and moved[0].decoded("DTSTART").date() == friday
    assert str(moved[0]["SUMMARY"]).startswith("Письмо")
    assert len({str(e["UID"]) for e in events}) == scheduled
    assert cal.walk("VTIMEZONE")
    shot(page, "weekly-plan-moved")


def test_seller_asks_a_falling_client_for_feedback(page_for):
    from clientfocus.activities.models import FeedbackRequest

    page = page_for("anna")
    button = page.locator("[data-testid=alerts] [data-testid=feedback-request]")
    if button.count() == 0:
        pytest.skip("the demo portfolio gave anna no falling-revenue alert")
    with page.expect_navigation():
        button.first.click()
    page.wait_for_selector("[data-testid=alerts] [data-testid=feedback-state]")
    assert FeedbackRequest.objects.filter(seller__username="anna").count() == 1
    assert page.locator("[data-testid=alerts] a[href^='mailto:']").count() >= 1
    shot(page, "my-day-feedback")
