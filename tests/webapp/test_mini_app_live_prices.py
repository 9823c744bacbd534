"""What the Mini App shows of the market as it moves: the ticket's prices kept live by the event stream (the feed
the bot's stops and alerts follow; the page asks for a ticker once), and the open P&L beside the realised."""

import re

from playwright.sync_api import Browser, expect

from tests.patience import PATIENCE_MS
from tests.webapp.browser import in_telegram, shot


def test_the_tickets_prices_follow_the_feed_and_the_portfolio_shows_open_pnl_beside_realised(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 798) as page:
        page.get_by_role("link", name="Trade").click()
        ticker = page.get_by_test_id("ticker")
        expect(ticker).to_contain_text("BTC/USDT: bid ")
        first = ticker.inner_text()
        # The simulated market steps each second: only the stream can change a ticker read once.
        expect(ticker).not_to_have_text(first, timeout=PATIENCE_MS)
        page.fill("#amount", "100")
        page.get_by_test_id("preview").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled")

        page.get_by_role("link", name="Portfolio").click()
        equity = page.get_by_test_id("equity")
        expect(equity).to_contain_text(re.compile(r"Open P&L -?[\d,]+\.\d\d\s*Realised 0\.00"))
        row = page.get_by_test_id("positions").locator("tr").filter(has_text="BTC/USDT")
        expect(row).to_contain_text(re.compile(r"-?[\d,]+\.\d\d \(-?\d+(\.\d+)?%\)"))
        shot(page, "live-prices-open-pnl")
