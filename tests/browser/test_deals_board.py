"""A seller drags a deal across the pipeline board in a real browser; a manager opens a key-account plan."""

from __future__ import annotations

import pytest
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where a person grabs a card: its top edge, not its centre, which may sit on another card's
# button once the board reflows.
GRIP = {"x": 12, "y": 6}


def test_seller_drags_a_deal_forward_and_to_lost(page_for):
    from clientfocus.deals.models import Deal, DealStageChange, Stage

    page = page_for("anna")
    page.click("nav >> text=Сделки")
    page.wait_for_selector("[data-testid=pipeline-board]")
    shot(page, "deals-board")

    card = page.locator("[data-testid=column-QUALIFYING] .cf-deal[draggable=true]").first
    deal_id = int(card.get_attribute("data-deal"))
    before = int(page.locator("[data-testid=count-PROOF]").inner_text())
    page.drag_and_drop(f"[data-testid=deal-{deal_id}]", "[data-testid=column-PROOF]", source_position=GRIP)
    page.wait_for_selector(f"[data-testid=column-PROOF] [data-testid=deal-{deal_id}]")
    assert int(page.locator("[data-testid=count-PROOF]").inner_text()) == before + 1
    assert Deal.objects.get(pk=deal_id).stage == Stage.PROOF
    change = DealStageChange.objects.filter(deal_id=deal_id).last()
    assert (change.from_stage, change.to_stage) == ("QUALIFYING", "PROOF")

    # A drop on an earlier column is refused in the browser (and would be by the server).
    page.drag_and_drop(
        f"[data-testid=deal-{deal_id}]", "[data-testid=column-PROSPECTING]", source_position=GRIP
    )
    page.wait_for_timeout(300)
    assert Deal.objects.get(pk=deal_id).stage == Stage.PROOF

    # LOST takes a card from any stage.
    page.drag_and_drop(f"[data-testid=deal-{deal_id}]", "[data-testid=column-LOST]", source_position=GRIP)
    page.wait_for_selector(f"[data-testid=column-LOST] [data-testid=deal-{deal_id}]")
    assert Deal.objects.get(pk=deal_id).stage == Stage.LOST

    # The button fallback does the same without dragging.
    other = page.locator("[data-testid=column-PROSPECTING] .cf-deal[draggable=true]").first
    other_id = int(other.get_attribute("data-deal"))
    page.click(f"[data-testid=advance-{other_id}]")
    page.wait_for_selector(f"[data-testid=column-QUALIFYING] [data-testid=deal-{other_id}]")
    assert Deal.objects.get(pk=other_id).stage == Stage.QUALIFYING
    shot(page, "deals-board-after")

    page.click(f"[data-testid=deal-{deal_id}] a >> nth=0")
    page.wait_for_selector("[data-testid=deal-history]")
    assert page.locator("[data-testid=deal-history] tbody tr").count() >= 2
    shot(page, "deal")


def test_manager_opens_key_accounts_without_a_plan_and_writes_one(page_for):
    from clientfocus.planning.models import AccountPlan

    page = page_for("manager")
    page.click("nav >> text=Планирование")
    page.click("nav .dropdown-menu >> text=Ключевые клиенты")
    page.click("[data-testid=without-plan-tab]")
    page.wait_for_selector("[data-testid=key-accounts-table]")
    page.locator("[data-testid=key-accounts-table] tbody a.btn").first.click()
    page.wait_for_selector("[data-testid=plan-form]")
    page.fill("#id_strategy", "Стать основным поставщиком")
    page.select_option("#id_high_hopes", "yes")
    with page.expect_navigation():
        page.click("[data-testid=plan-form] button[type=submit]")
    assert AccountPlan.objects.filter(strategy="Стать основным поставщиком", high_hopes=True).count() == 1
    page.click("[data-testid=visit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=visits] >> text=Зондирование")
    shot(page, "account-plan")
