"""Browser tests: Playwright driving Debian's Chromium against a live server.

They run wherever /usr/bin/chromium exists (CI installs it: see .ci/run) and are skipped
elsewhere with a message that says so. Screenshots of every page land in var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CLIENTFOCUS_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(
    os.environ.get("CLIENTFOCUS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def demo_world(transactional_db):
    """A small demo portfolio (the real generator) and its analysis."""
    from clientfocus.portfolio.demo import DemoSpec, demo_load
    from clientfocus.portfolio.services import analysis_recompute

    as_of = dt.date.today()
    demo_load(DemoSpec(companies=120, lines=6_000, seed=7, as_of=as_of), progress=False)
    analysis_recompute(actor=None, as_of=as_of)


@pytest.fixture
def page_for(browser, live_server, demo_world):
    """page_for("anna") -> a logged-in page (Russian by default)."""
    from clientfocus.portfolio.demo import DEMO_PASSWORD

    contexts = []

    def login(username: str):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("form[action='/login/'] button[type=submit]")
        page.base = live_server.url  # type: ignore[attr-defined]
        return page

    yield login
    for c in contexts:
        c.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
