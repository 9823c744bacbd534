"""A limit on the wrong side of the market in the Mini App's ticket: never confirmed as it stands, offered as a
breakout (a stop that waits for the price) or at market, as the chat offers it."""

import re
from decimal import Decimal

from playwright.sync_api import Browser, expect

from tests.webapp.browser import in_telegram, shot


def test_a_buy_limit_above_the_market_is_offered_as_a_breakout_or_at_market_in_the_ticket(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 793) as page:
        page.get_by_role("link", name="Trade").click()
        page.fill("#symbol", "ETH")
        page.locator("#symbol").dispatch_event("change")
        ticker = page.get_by_test_id("ticker")
        expect(ticker).to_contain_text("ETH/USDT")
        ask = Decimal(re.sub(r"[^\d.]", "", ticker.inner_text().split("ask")[1]))
        above = str(int(ask) + 500)
        page.fill("#amount", "0.01")
        page.select_option("#unit", "base")
        page.select_option("#type", "limit")
        page.fill("#price", above)
        page.get_by_test_id("preview").click()
        warning = page.get_by_test_id("fills-at-once")
        expect(warning).to_contain_text("it would fill at once")
        expect(page.get_by_test_id("confirm")).to_have_count(0)  # not confirmed as it stands
        shot(page, "18-wrong-side-limit")

        page.get_by_test_id("as-breakout").click()
        expect(page.get_by_test_id("draft")).to_contain_text("buy 0.01 ETH/USDT (stop)")
        expect(warning).to_have_count(0)
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("buy 0.01 ETH/USDT")

        page.fill("#price", above)
        page.select_option("#type", "limit")
        page.get_by_test_id("preview").click()
        page.get_by_test_id("at-market").click()
        expect(page.get_by_test_id("draft")).to_contain_text("buy 0.01 ETH/USDT (market)")
