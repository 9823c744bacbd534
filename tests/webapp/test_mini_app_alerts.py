"""Price alerts in the Mini App: at a price, kept to the market's own digits, and on a move in percent from the
price now ("notify me if eth goes up 5%" in chat)."""

import re
from decimal import Decimal

from playwright.sync_api import Browser, expect

from tests.webapp.browser import in_telegram, shot


def test_alerts_at_a_price_to_its_digits_and_on_a_move_in_percent_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 794) as page:
        page.get_by_role("link", name="Alerts").click()
        alerts = page.get_by_test_id("alerts")
        expect(alerts).to_contain_text("No alerts.")
        page.get_by_label("Alert market").fill("DOGE")
        page.get_by_label("Alert price").fill("0.1123")
        page.get_by_role("button", name="Add").click()
        expect(alerts).to_contain_text(re.compile(r"DOGE/USDT (above|below) 0\.1123"))  # not 0.11

        page.get_by_label("Alert market").fill("ETH")
        page.get_by_label("Alert on").select_option("up")
        page.get_by_label("Alert price").fill("5")
        page.get_by_role("button", name="Add").click()
        row = alerts.locator(".row", has_text="ETH/USDT above")
        expect(row).to_have_count(1)
        page.get_by_label("Alert on").select_option("down")
        page.get_by_label("Alert price").fill("5")
        page.get_by_role("button", name="Add").click()
        expect(alerts.locator(".row", has_text="ETH/USDT below")).to_have_count(1)
        shot(page, "19-alerts-percent")
        up = Decimal(re.sub(r"[^\d.]", "", row.inner_text().split("above")[1]))
        down_row = alerts.locator(".row", has_text="ETH/USDT below").inner_text()
        down = Decimal(re.sub(r"[^\d.]", "", down_row.split("below")[1]))
        # 5% above and 5% below the price when each was set: 1.05 / 0.95 apart, give or take the market's drift
        # between the two (the simulated market moves on)
        assert Decimal("1.08") < up / down < Decimal("1.13")
