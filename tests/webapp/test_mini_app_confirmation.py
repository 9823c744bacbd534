"""What the Mini App shows once an order is placed: the stop and targets it placed, as the chat repeats them."""

from playwright.sync_api import Browser, expect

from tests.webapp.browser import in_telegram


def test_a_confirmed_ticket_shows_the_stop_and_target_it_placed(browser: Browser, server: str) -> None:
    with in_telegram(browser, server, 2121) as page:
        page.get_by_role("link", name="Trade").click()
        expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
        page.fill("#amount", "100")
        page.fill("#stop", "5")
        page.fill("#targets", "10")
        page.get_by_test_id("preview").click()
        stop = page.get_by_test_id("stop").inner_text().split()[1]
        target = page.get_by_test_id("targets").inner_text().split()[1]
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled")
        legs = page.get_by_test_id("placed").get_by_test_id("leg")
        expect(legs).to_have_count(2)
        texts = " | ".join(legs.all_inner_texts())
        assert "Stop #" in texts and f"at {stop}" in texts, texts
        assert "Target #" in texts and f"at {target}" in texts, texts
