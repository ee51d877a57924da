"""Screenshots of the main pages for the README (docs/screenshots/), from a running server.

    .venv/bin/clientfocus serve --port 8011 &      # with the demo portfolio loaded
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8011

Drives Debian's Chromium with Playwright, logged in as the demo seller and manager.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGES = [
    ("anna", "my-day", "/", 1000),
    ("anna", "portfolio", "/portfolio/", 1000),
    ("anna", "company", None, 1300),
    ("manager", "analysis", "/analysis/", 2000),
    ("manager", "team", "/team/", 600),
]


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pages = {}
        for user in ("anna", "manager"):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", "clientfocus-demo")
            with page.expect_navigation():
                page.click("form[action='/login/'] button[type=submit]")
            pages[user] = page
        for user, name, path, height in PAGES:
            page = pages[user]
            if path is None:  # the seller's biggest client
                page.goto(f"{base}/portfolio/")
                page.locator("[data-testid=portfolio-table] tbody a").first.click()
            else:
                page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.set_viewport_size({"width": 1400, "height": height})
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(OUT / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
