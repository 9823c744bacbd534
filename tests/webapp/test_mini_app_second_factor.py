"""The dashboard outside Telegram and the second factor in a real browser: a user signs in with the Login
Widget's data (signed by the sandbox, as there is no Telegram here to show the widget), sets up a second factor
from the settings card with the secret shown there, and then raising a risk limit asks for a code (here a recovery
code, which is not tied to the clock) while tightening one does not."""

import pyotp
from playwright.sync_api import Browser, expect

from tests.webapp.browser import new_page, shot


def test_widget_sign_in_then_a_second_factor_guards_raising_a_limit(browser: Browser, server: str) -> None:
    with new_page(browser, 420, 860) as page:
        page.goto(f"{server}/app/login")
        page.fill("#sandbox-user", "9101")
        page.get_by_test_id("sandbox-sign-in").click()
        expect(page.get_by_test_id("equity")).to_contain_text("10,000.00 USDT")

        page.goto(f"{server}/app/more")
        page.get_by_test_id("enrol").click()
        secret = page.get_by_test_id("totp-secret").inner_text()
        expect(page.get_by_test_id("totp-uri")).to_contain_text(f"secret={secret}")
        page.fill("#second-factor-first", pyotp.TOTP(secret).now())
        page.get_by_test_id("second-factor-on").click()
        codes = page.get_by_test_id("recovery-codes").locator("code")
        expect(codes).to_have_count(10)
        recovery = codes.first.inner_text()
        expect(page.get_by_test_id("second-factor-state")).to_contain_text("10 recovery codes left")
        shot(page, "second-factor-on")

        page.goto(f"{server}/app/risk")
        page.fill("#max-order", "100")
        page.get_by_test_id("risk-save").click()
        expect(page.get_by_test_id("risk-saved")).to_have_text("Saved.")
        page.fill("#max-order", "200")
        page.get_by_test_id("risk-save").click()
        expect(page.get_by_test_id("risk-error")).to_contain_text("needs a code from your authenticator app")
        page.fill("#max-order", "200")
        page.fill("#risk-code", recovery)
        page.get_by_test_id("risk-save").click()
        expect(page.get_by_test_id("risk-saved")).to_have_text("Saved.")
        expect(page.get_by_test_id("risk-effective")).to_contain_text("200")
        shot(page, "second-factor-risk")
