"""The Mini App end to end: `tsbot web` in its own process, Debian's Chromium driven by Playwright, signed
in with Mini App init data as Telegram (or the sandbox) hands it over in the launch URL."""

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.webapp.live import BOT_TOKEN, live_server
from webapp.frontend import DEFAULT_DIST
from webapp.init_data import sign_init_data

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    assert (DEFAULT_DIST / "index.html").is_file(), "build the Mini App first: make (npm run build)"
    with live_server(sqlite_template, tmp_path) as base:
        yield base


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mini-app-{name}.png"), full_page=True)


def test_portfolio_then_an_order_previewed_confirmed_and_cancelled_then_an_alert(server: str) -> None:
    init_data = sign_init_data(BOT_TOKEN, {"id": 777, "first_name": "Grace"}, int(time.time()))
    with sync_playwright() as p:
        p.selectors.set_test_id_attribute("data-test")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 420, "height": 860})
            page.route(
                "https://telegram.org/**", lambda route: route.abort()
            )  # no network here; init data is in the URL

            page.goto(f"{server}/app/#tgWebAppData={quote(init_data)}")
            expect(page.get_by_test_id("equity")).to_contain_text("10,000.00 USDT")
            expect(page.get_by_test_id("positions")).to_contain_text("No open positions.")
            _shot(page, "1-portfolio")

            page.get_by_role("link", name="Trade").click()
            expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
            page.fill("#amount", "0.1")
            page.select_option("#unit", "base")
            page.select_option("#type", "limit")
            page.fill("#price", "1000")
            page.get_by_test_id("preview").click()
            expect(page.get_by_test_id("draft")).to_contain_text("buy 0.1 BTC/USDT (limit)")
            expect(page.get_by_test_id("cost")).to_have_text("100.00")
            _shot(page, "2-preview")
            page.get_by_test_id("confirm").click()
            expect(page.get_by_test_id("placed")).to_contain_text("open")

            page.goto(f"{server}/app/orders")  # a deep link: the server answers with the app's page
            card = page.locator("[data-test^=order-]")
            expect(card).to_have_count(1)
            expect(card.get_by_test_id("status")).to_have_text("open")
            _shot(page, "3-open-order")
            card.get_by_test_id("cancel").click()
            expect(page.get_by_test_id("no-orders")).to_be_visible()
            _shot(page, "4-cancelled")

            page.get_by_role("link", name="Alerts").click()
            expect(page.get_by_test_id("alerts")).to_contain_text("No alerts.")
            page.get_by_label("Alert price").fill("1000000")
            page.get_by_role("button", name="Add").click()
            expect(page.get_by_test_id("alerts")).to_contain_text("BTC/USDT above 1,000,000.00")
            _shot(page, "5-alert")
        finally:
            browser.close()
