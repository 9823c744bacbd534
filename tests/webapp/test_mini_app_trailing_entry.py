"""A trailing entry set from the ticket page: previewed with what it buys, confirmed and listed while it waits,
a bad percentage refused with the API's sentence (nothing changed), and cancelled from its row."""

from playwright.sync_api import Browser, expect

from tests.webapp.browser import in_telegram, shot


def test_a_trailing_entry_is_set_listed_refused_when_bad_and_cancelled_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 793) as page:
        page.get_by_role("link", name="Trade").click()
        form = page.get_by_role("form", name="Trailing entry")
        form.get_by_label("Coin", exact=True).fill("BTC")
        form.get_by_label("Amount (coins)").fill("0.001")
        form.get_by_label("Buy when it turns up, %").fill("4")
        # A level far below the simulated market: the entry waits whatever the market does meanwhile.
        form.get_by_label("Once at or below (price)").fill("1")
        form.get_by_test_id("trailing-entry-preview").click()
        shown = form.get_by_test_id("trailing-entry-shown")
        expect(shown).to_contain_text("0.001 BTC/USDT")
        expect(shown).to_contain_text("4% from its low")
        form.get_by_test_id("trailing-entry-confirm").click()
        waiting = form.get_by_test_id("trailing-entry-waiting")
        expect(waiting).to_have_count(1)
        expect(waiting).to_contain_text("BTC/USDT: up 4% from its low, once at or below 1.00")
        expect(waiting.get_by_test_id("trailing-entry-until")).to_contain_text("(until ")  # a week on
        shot(page, "18-trailing-entry")

        form.get_by_label("Buy when it turns up, %").fill("70")
        form.get_by_test_id("trailing-entry-preview").click()
        expect(form.get_by_test_id("trailing-entry-error")).to_have_text(
            "A trailing entry needs a percentage above 0 and at most 50."
        )
        expect(form.get_by_test_id("trailing-entry-shown")).to_have_count(0)

        page.reload()  # kept by the server; the refused one left out
        page.get_by_role("link", name="Trade").click()
        expect(waiting).to_have_count(1)
        waiting.get_by_role("button", name="Cancel the BTC/USDT trailing entry").click()
        expect(waiting).to_have_count(0)
