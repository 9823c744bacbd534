"""A signal source's settings in the Mini App: its market, risk per trade, automatic following and stop mode,
saved and kept by the server; a risk out of range refused with the API's sentence, the saved one kept."""

from playwright.sync_api import Browser, expect

from tests.webapp.browser import ask_bot, in_telegram, shot

SIGNAL = "ETH/USDT LONG\nEntry: 100\nTargets: 120000, 130000\nStop: 50"


def test_a_sources_settings_are_saved_and_a_risk_out_of_range_is_refused(
    browser: Browser, server: str
) -> None:
    plan = ask_bot(server, 796, SIGNAL, forward_from_chat="Swing Calls")
    assert "Swing Calls" in plan["text"], plan["text"]
    with in_telegram(browser, server, 796) as page:
        page.get_by_role("link", name="Alerts").click()
        sources = page.get_by_test_id("sources")
        sources.get_by_role("button", name="Settings of Swing Calls").click()
        form = sources.get_by_test_id("source-settings-form")
        expect(form.get_by_label("Market")).to_have_value("auto")
        expect(form.get_by_label("Stop mode")).to_have_value("none")

        form.get_by_label("Market").select_option("futures")
        form.get_by_label("Risk per trade, %").fill("1.5")
        form.get_by_label("Follow automatically").check()
        form.get_by_label("Stop mode").select_option("trailing")
        form.get_by_label("Trailing distance, %").fill("3")
        form.get_by_test_id("source-settings-save").click()
        expect(form.get_by_test_id("source-settings-saved")).to_have_text("Saved.")
        expect(sources.get_by_role("button", name="Stop auto")).to_be_visible()
        shot(page, "17-source-settings")

        page.reload()  # kept by the server, not only on the page
        page.get_by_role("link", name="Alerts").click()
        sources.get_by_role("button", name="Settings of Swing Calls").click()
        expect(form.get_by_label("Market")).to_have_value("futures")
        expect(form.get_by_label("Risk per trade, %")).to_have_value("1.5")
        expect(form.get_by_label("Follow automatically")).to_be_checked()
        expect(form.get_by_label("Stop mode")).to_have_value("trailing")
        expect(form.get_by_label("Trailing distance, %")).to_have_value("3")

        form.get_by_label("Risk per trade, %").fill("20")
        form.get_by_test_id("source-settings-save").click()
        expect(sources.get_by_test_id("source-settings-error")).to_contain_text("at most 10%")
        page.reload()
        page.get_by_role("link", name="Alerts").click()
        sources.get_by_role("button", name="Settings of Swing Calls").click()
        expect(form.get_by_label("Risk per trade, %")).to_have_value("1.5")
