"""Stops that move, set from the Portfolio's control in a real browser: break-even after target 1 and the
trailing take-profit, each previewed with where it moves the stop (at the position's own targets), confirmed,
and then shown in force, with the stop it keeps, as Portfolio loads. The trailing stop's own test is in
test_mini_app.py."""

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.webapp.browser import in_telegram, shot


def bought_with_targets(page: Page, server: str) -> str:
    """A BTC buy from the ticket with a 5% stop and targets 5% and 10% up; its first target, as shown."""
    page.get_by_role("link", name="Trade").click()
    expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
    page.fill("#amount", "100")
    page.fill("#stop", "5")
    page.fill("#targets", "5, 10")
    page.get_by_test_id("preview").click()
    first = page.get_by_test_id("targets").inner_text().split(maxsplit=1)[1].split(", ")[0]
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("placed")).to_contain_text("filled")
    page.goto(f"{server}/app/")
    return first


def previewed(control: Locator, kind: str, percent: str | None = None) -> Locator:
    """What the preview says the mode does with the stop then."""
    control.get_by_test_id("stop-mode").click()
    control.get_by_test_id("stop-mode-kind").select_option(kind)
    if percent is not None:
        control.get_by_test_id("stop-mode-percent").fill(percent)
    control.get_by_test_id("stop-mode-preview").click()
    return control.get_by_test_id("stop-mode-preview-shown").get_by_test_id("stop-mode-then")


def in_force(said: str) -> re.Pattern[str]:
    """The line a mode in force shows, with its stop at BTC/USDT's precision (to the cent)."""
    return re.compile(re.escape(f"In force: {said}") + r" · stop \d{1,3}(?:,\d{3})*\.\d{2}$")


def test_break_even_after_target_1_is_previewed_at_the_entry_confirmed_and_shown_in_force(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 795) as page:
        target = bought_with_targets(page, server)
        control = page.get_by_test_id("stop-mode-BTC")
        then = previewed(control, "break_even")
        expect(then).to_contain_text(f"once target 1 ({target}) is reached")
        entry = then.inner_text().split("to your entry ")[1].split(" once")[0]
        shot(page, "19-break-even")
        control.get_by_test_id("stop-mode-confirm").click()
        expect(control.get_by_test_id("stop-mode-done")).to_contain_text("Your BTC stop now moves")
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_text(
            in_force(f"Break-even, to your entry {entry} once target 1 ({target}) is reached")
        )


def test_a_trailing_take_profit_is_previewed_confirmed_and_shown_in_force(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 796) as page:
        target = bought_with_targets(page, server)
        control = page.get_by_test_id("stop-mode-BTC")
        then = previewed(control, "trailing_take_profit", "3")
        said = f"closes the position on a 3% fall back from its best once target 1 ({target}) is reached"
        expect(then).to_contain_text(said)
        shot(page, "20-trailing-take-profit")
        control.get_by_test_id("stop-mode-confirm").click()
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_text(
            in_force(f"Trailing take-profit, {said}")
        )


def test_the_mode_in_force_shows_as_portfolio_loads_and_follows_a_new_one(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 797) as page:
        bought_with_targets(page, server)
        control = page.get_by_test_id("stop-mode-BTC")
        expect(page.get_by_test_id("positions")).to_contain_text("BTC/USDT")
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_count(0)  # no mode yet
        previewed(control, "trailing", "3")
        control.get_by_test_id("stop-mode-confirm").click()
        trailing = in_force("Trailing stop, trails 3% below the highest price")
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_text(trailing)

        page.goto(f"{server}/app/")  # loaded afresh: shown without opening the control
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_text(trailing)
        expect(control.get_by_test_id("stop-mode-kind")).to_have_count(0)
        shot(page, "21-stop-mode-in-force")

        previewed(control, "moving_target")
        control.get_by_test_id("stop-mode-confirm").click()
        expect(control.get_by_test_id("stop-mode-in-force")).to_have_text(
            in_force("Moving target, behind each target reached (to your entry after the first)")
        )
