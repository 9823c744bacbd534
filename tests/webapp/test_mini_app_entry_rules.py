"""A signal source's entry rules, changed in the Mini App: read when opened, saved (and kept by the server),
and a bad value refused with the API's sentence, nothing changed."""

from playwright.sync_api import Browser, expect

from tests.webapp.browser import ask_bot, in_telegram, shot


def test_a_sources_entry_rules_are_read_saved_and_refused_when_bad_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    signal = "SOL/USDT LONG\nEntry: 100 - 90 - 80\nTargets: 120000\nStop: 50"
    plan = ask_bot(server, 792, signal, forward_from_chat="Rules Calls")
    assert "Rules Calls" in plan["text"], plan["text"]
    with in_telegram(browser, server, 792) as page:
        page.get_by_role("link", name="Alerts").click()
        page.get_by_role("button", name="Entry rules for Rules Calls").click()
        form = page.get_by_role("form", name="Entry rules for Rules Calls")
        expect(form.get_by_label("Split the amount")).to_have_value("evenly")
        expect(form.get_by_label("Close if a target is reached before any entry fills")).not_to_be_checked()

        form.get_by_label("Split the amount").select_option("custom")
        form.get_by_label("Ratios, one per entry").fill("50/30/20")
        form.get_by_label("Entries expire after, minutes").fill("1440")
        form.get_by_label("Close if a target is reached before any entry fills").check()
        form.get_by_label("Trailing entry, % (spot buys)").fill("2.5")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-saved")).to_contain_text("Saved")
        shot(page, "17-entry-rules")

        form.get_by_label("Entry grace, %").fill("20")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-error")).to_have_text(
            "The entry grace must be between 0% and 10%."
        )
        # Values the API cannot decode are told in the field's own sentence, never in the decoder's words.
        form.get_by_label("Entry grace, %").fill("")
        form.get_by_label("Entries expire after, minutes").fill("99999")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-error")).to_have_text(
            "Entries must expire after a whole number of minutes from 1 to 43,200 (30 days), or never (left empty)."
        )
        form.get_by_label("Entries expire after, minutes").fill("1440")
        form.get_by_label("Trailing entry, % (spot buys)").fill("80")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-error")).to_have_text(
            "A trailing entry needs a percentage above 0 and at most 50."
        )
        form.get_by_label("Trailing entry, % (spot buys)").fill("two")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-error")).to_have_text(
            "The trailing entry must be a percentage above 0 and at most 50, or off (left empty)."
        )
        form.get_by_label("Trailing entry, % (spot buys)").fill("2.5")
        form.get_by_label("Ratios, one per entry").fill("50/thirty/20")
        form.get_by_test_id("entry-rules-save").click()
        expect(form.get_by_test_id("entry-rules-error")).to_contain_text(
            "Every ratio of a custom split must be a number above 0"
        )

        page.reload()  # kept by the server as saved, the refused values left out
        page.get_by_role("link", name="Alerts").click()
        page.get_by_role("button", name="Entry rules for Rules Calls").click()
        expect(form.get_by_label("Split the amount")).to_have_value("custom")
        expect(form.get_by_label("Ratios, one per entry")).to_have_value("50/30/20")
        expect(form.get_by_label("Entries expire after, minutes")).to_have_value("1440")
        expect(form.get_by_label("Entry grace, %")).to_have_value("")
        expect(form.get_by_label("Close if a target is reached before any entry fills")).to_be_checked()
        expect(form.get_by_label("Cancel if the stop is hit before entry")).not_to_be_checked()
        expect(form.get_by_label("Trailing entry, % (spot buys)")).to_have_value("2.5")
