"""Your own protections of automatic following, changed in the Mini App: saved when stricter than the
operator's, refused with the API's sentence (and nothing changed) when laxer, and returned to the operator's."""

from playwright.sync_api import Browser, expect

from tests.webapp.browser import in_telegram, shot


def test_own_protections_are_saved_refused_when_laxer_and_reset_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 790) as page:
        page.get_by_role("link", name="More").click()
        card = page.get_by_test_id("protections")
        form = card.get_by_test_id("protections-form")
        expect(card).to_contain_text("Pauses at a 20% drawdown")
        expect(card).to_contain_text("a source after 3 losses in a row")

        form.get_by_label("Pause following at a drawdown of, %").fill("10")
        form.get_by_label("Pause a source after this many losses in a row").fill("2")
        form.get_by_test_id("protections-save").click()
        expect(form.get_by_test_id("protections-saved")).to_have_text("Saved.")
        expect(card).to_contain_text("Pauses at a 10% drawdown")
        expect(card).to_contain_text("a source after 2 losses in a row")
        shot(page, "16-own-protections")

        form.get_by_label("Pause following at a drawdown of, %").fill("50")
        form.get_by_test_id("protections-save").click()
        expect(form.get_by_test_id("protections-form-error")).to_contain_text(
            "can be at most 20%, the operator's"
        )
        page.reload()
        page.get_by_role("link", name="More").click()
        expect(card).to_contain_text("Pauses at a 10% drawdown")
        expect(form.get_by_label("Pause following at a drawdown of, %")).to_have_value("10")

        form.get_by_label("Cooldown, hours").fill("two")
        form.get_by_test_id("protections-save").click()
        expect(form.get_by_test_id("protections-form-error")).to_have_text(
            "Cooldown: a whole number, please."
        )

        form.get_by_test_id("protections-reset").click()
        expect(form.get_by_test_id("protections-saved")).to_have_text("Back to the operator's protections.")
        expect(card).to_contain_text("Pauses at a 20% drawdown")
        expect(form.get_by_label("Pause a source after this many losses in a row")).to_have_value("")
