"""The Mini App end to end: `tsbot run` in its own process (the web app, the bot and the sandbox that stands in
for Telegram), Debian's Chromium driven by Playwright. A user signs in as a person would: inside Telegram with
the init data the sandbox hands the Mini App in its launch URL, or in a browser through the one-time link the
bot's /dashboard command sends."""

import re
from decimal import Decimal

import httpx
from playwright.sync_api import Browser, expect

from tests.patience import PATIENCE_S
from tests.webapp.browser import ask_bot, button, in_telegram, new_page, shot


def test_portfolio_then_an_order_previewed_confirmed_and_cancelled_then_an_alert(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 777) as page:
        expect(page.get_by_test_id("equity")).to_contain_text("10,000.00 USDT")
        expect(page.get_by_test_id("positions")).to_contain_text("No open positions.")
        shot(page, "1-portfolio")

        page.get_by_role("link", name="Trade").click()
        expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
        page.fill("#amount", "0.1")
        page.select_option("#unit", "base")
        page.select_option("#type", "limit")
        page.fill("#price", "1000")
        page.get_by_test_id("preview").click()
        expect(page.get_by_test_id("draft")).to_contain_text("buy 0.1 BTC/USDT (limit)")
        expect(page.get_by_test_id("cost")).to_have_text("100.00")
        shot(page, "2-preview")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("open")

        page.goto(f"{server}/app/orders")  # a deep link: the server answers with the app's page
        card = page.locator("[data-test^=order-]")
        expect(card).to_have_count(1)
        expect(card.get_by_test_id("status")).to_have_text("open")
        shot(page, "3-open-order")
        card.get_by_test_id("cancel").click()
        expect(page.get_by_test_id("no-orders")).to_be_visible()
        shot(page, "4-cancelled")

        page.get_by_role("link", name="Alerts").click()
        expect(page.get_by_test_id("alerts")).to_contain_text("No alerts.")
        page.get_by_label("Alert price").fill("1000000")
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_test_id("alerts")).to_contain_text("BTC/USDT above 1,000,000.00")
        shot(page, "5-alert")

        signal = "ETH/USDT LONG\nEntry: 100\nTargets: 120000, 130000\nStop: 50"
        plan = ask_bot(server, 777, signal, forward_from_chat="Crypto Calls")
        assert "Crypto Calls" in plan["text"], plan["text"]
        page.reload()
        sources = page.get_by_test_id("sources")
        expect(sources).to_contain_text("Crypto Calls")
        sources.get_by_role("button", name="Auto-follow").click()
        break_even = page.get_by_label("Stop to entry after target 1 for Crypto Calls")
        expect(break_even).not_to_be_checked()
        break_even.check()
        page.reload()  # kept by the server, not only on the page
        expect(page.get_by_label("Stop to entry after target 1 for Crypto Calls")).to_be_checked()
        expect(sources.get_by_role("button", name="Stop auto")).to_be_visible()
        shot(page, "6-source-followed")


def test_a_buy_in_the_ticket_takes_its_stop_and_targets_as_distances_shown_as_prices(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 778) as page:
        page.get_by_role("link", name="Trade").click()
        page.fill("#amount", "100")
        page.fill("#stop", "5")
        page.fill("#targets", "5, 10")
        page.get_by_test_id("preview").click()
        expect(page.get_by_test_id("stop")).to_contain_text("(5.00% away)")
        stop = float(page.get_by_test_id("stop").inner_text().split()[1].replace(",", ""))
        low, high = (
            float(t.replace(",", ""))
            for t in page.get_by_test_id("targets").inner_text().split(maxsplit=1)[1].split(", ")
        )
        assert stop < low < high and round(high / low, 2) == round(1.10 / 1.05, 2), (stop, low, high)
        shot(page, "7-ticket-with-stop")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled")

        page.goto(f"{server}/app/orders")
        legs = page.locator("[data-test^=order-]")
        expect(legs).to_have_count(3)  # the stop and both targets, armed with the filled buy
        stop_card = legs.filter(has_text="stop loss")
        expect(stop_card).to_contain_text(f"{stop:,.2f}")
        moved = round(stop * 1.01, 2)  # closer, still below the price
        stop_card.get_by_test_id("move").click()
        stop_card.get_by_label("New stop price").fill(f"{moved:.2f}")
        stop_card.get_by_test_id("preview-move").click()
        expect(stop_card.get_by_test_id("move-preview")).to_contain_text(f"{stop:,.2f} → {moved:,.2f}")
        shot(page, "8-stop-move")
        stop_card.get_by_test_id("confirm-move").click()
        expect(stop_card).to_contain_text(f"@ {moved:,.2f}")
        expect(stop_card.get_by_test_id("status")).to_have_text("armed")
        page.get_by_role("link", name="Trade").click()
        page.select_option("#side", "sell")
        expect(page.locator("#stop")).to_have_count(0)  # a sale closes what is held: no stop to give


def test_a_signal_not_yet_followed_is_planned_and_followed_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    """Forwarded to the bot and left there; planned again in the Mini App, which cancels the chat's plan."""
    signal = "ETHUSDT LONG\nEntry: 100\nTP1 120000\nSL 60\nLev 2x"
    chat_plan = ask_bot(server, 780, signal, forward_from_chat="Lev Calls")
    assert "(futures)" in chat_plan["text"] and "Leverage: 2x" in chat_plan["text"], chat_plan["text"]
    with in_telegram(browser, server, 780) as page:
        page.get_by_role("link", name="Alerts").click()
        card = page.locator("[data-test^=signal-]").filter(has_text="buy ETH")
        expect(card).to_have_count(1)
        card.get_by_label("Amount to follow buy ETH with").fill("200")
        card.get_by_test_id("plan").click()
        plan = card.get_by_test_id("signal-plan")
        expect(plan).to_contain_text("Entry 1:")
        expect(plan).to_contain_text("Target 1: 120,000.00")
        expect(card.get_by_test_id("leverage")).to_contain_text("Futures at 2x")
        assert float(card.get_by_test_id("plan-cost").inner_text().replace(",", "")) <= 400  # the notional
        shot(page, "9-signal-plan")
        card.get_by_test_id("follow").click()
        expect(card.get_by_test_id("followed")).to_contain_text("open")  # a limit buy at 100, resting
        shot(page, "10-signal-followed")
        expect(page.get_by_text("followed", exact=True)).to_be_visible()  # the recent signals say so too
    stale = httpx.post(
        f"{server}/sandbox/api/chats/780/callbacks",
        json={"message_id": chat_plan["message_id"], "data": button(chat_plan, "Follow")},
        timeout=PATIENCE_S,
    ).json()
    assert "cancelled" in stale["answer"]  # the chat's preview no longer places a second plan


def test_the_dashboard_link_from_the_bot_signs_in_once_then_risk_settings_are_saved(
    browser: Browser, server: str
) -> None:
    answer = ask_bot(server, 779, "/dashboard")
    found = re.search(r"(http\S+/app/login\?code=\S+)", answer["text"])
    assert found, answer["text"]
    link = found.group(1)
    with new_page(browser, 1024, 800) as page:
        page.route("https://telegram.org/**", lambda route: route.abort())  # a plain browser tab
        page.goto(link)
        expect(page.get_by_test_id("equity")).to_contain_text("10,000.00 USDT")
        shot(page, "link-1-signed-in")

        page.get_by_role("link", name="More").click()
        page.get_by_test_id("edit-risk").click()
        expect(page.get_by_test_id("eff-order")).to_have_text("5,000.00")  # the operator's default
        page.fill("#max-order", "250")
        page.fill("#max-share", "20")
        page.get_by_test_id("risk-save").click()
        expect(page.get_by_test_id("risk-saved")).to_have_text("Saved.")
        expect(page.get_by_test_id("eff-order")).to_have_text("250.00")
        expect(page.get_by_test_id("eff-share")).to_have_text("20%")
        page.fill("#max-order", "999999")
        page.get_by_test_id("risk-save").click()
        expect(page.get_by_test_id("risk-error")).to_contain_text("at most 5,000.00 USDT")
        expect(page.get_by_test_id("eff-order")).to_have_text("250.00")
        shot(page, "link-2-risk-settings")

        page.get_by_role("link", name="Trade").click()
        expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
        page.fill("#amount", "300")
        page.select_option("#unit", "quote")
        page.get_by_test_id("preview").click()
        expect(page.get_by_test_id("ticket-error")).to_contain_text("your limit per order is 250.00 USDT")
        shot(page, "link-3-refused-by-own-limit")

    # The link signs in once: a second browser that opens it is refused and asked to sign in.
    with new_page(browser, 1280, 720) as again:
        again.route("https://telegram.org/**", lambda route: route.abort())
        again.goto(link)
        expect(again.locator("p.error").first).to_contain_text("This log-in link is unknown, used or expired")
        expect(again.get_by_role("heading", name="Sign in")).to_be_visible()
        shot(again, "link-4-used-twice")


def test_an_automation_set_up_in_chat_is_paused_and_stopped_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    preview = ask_bot(server, 781, "buy 50 usdt of eth every monday at 9:00")
    assert preview["text"].startswith("📝 Buy 50 USDT of ETH every Monday at 09:00 UTC"), preview["text"]
    httpx.post(
        f"{server}/sandbox/api/chats/781/callbacks",
        json={"message_id": preview["message_id"], "data": button(preview, "Confirm")},
        timeout=PATIENCE_S,
    ).raise_for_status()
    with in_telegram(browser, server, 781) as page:
        page.get_by_role("link", name="More").click()
        card = page.get_by_test_id("automations")
        expect(card).to_contain_text("#1 buy 50 USDT of ETH every Monday at 09:00 UTC")
        expect(card).to_contain_text("active, runs 0")
        card.get_by_role("button", name="Pause").click()
        expect(card).to_contain_text("paused")
        shot(page, "11-automations")
        card.get_by_test_id("stop-1").click()
        expect(card).to_contain_text("None yet")


def test_a_futures_short_is_ticketed_with_its_liquidation_then_its_stop_moved_reduced_and_closed(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 782) as page:
        page.get_by_role("link", name="Trade").click()
        expect(page.locator("#account option")).to_have_count(2)
        page.select_option("#account", label="Paper futures (futures)")
        page.fill("#symbol", "ETH")
        page.locator("#symbol").dispatch_event("change")
        page.select_option("#side", "sell")
        page.fill("#leverage", "50")  # above the most allowed (20x): capped, and said
        page.fill("#amount", "0.2")
        page.select_option("#unit", "base")
        expect(page.locator("#stop-unit option").first).to_have_text("% above")  # a short's stop is above
        page.fill("#stop", "2")
        page.get_by_test_id("preview").click()
        draft = page.get_by_test_id("draft")
        expect(draft).to_contain_text("short 0.2 ETH/USDT:USDT (market, futures)")
        expect(draft.get_by_test_id("leverage")).to_contain_text("20x isolated")
        expect(draft.get_by_test_id("capped")).to_contain_text(
            "You asked for 50x: capped at the most allowed, 20x."
        )
        expect(draft.get_by_test_id("margin")).to_contain_text("USDT")
        expect(draft.get_by_test_id("liquidation")).to_contain_text("% beyond the stop)")
        shot(page, "12-futures-ticket")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled: sell 0.2 ETH/USDT:USDT")

        page.get_by_role("link", name="Portfolio").click()
        position = page.get_by_test_id("position-ETH")
        expect(position).to_contain_text("ETH short 0.2 at 20x")
        expect(position.get_by_test_id("liquidation")).not_to_contain_text("none")
        stop = float(position.get_by_test_id("stops").inner_text().split()[1].replace(",", ""))
        moved = round(stop * 0.995, 2)  # closer to the price, still above it
        position.get_by_test_id("move-stop").click()
        position.get_by_label("New stop price for the ETH short").fill(f"{moved:.2f}")
        position.get_by_test_id("preview-action").click()
        preview = position.get_by_test_id("action-preview")
        expect(preview.get_by_test_id("stop-move")).to_contain_text(f"{stop:,.2f} → {moved:,.2f}")
        expect(preview.get_by_test_id("liquidation")).to_contain_text("% beyond the stop)")
        shot(page, "13-futures-stop-move")
        preview.get_by_test_id("confirm-action").click()
        expect(position.get_by_test_id("stops")).to_have_text(f"Stop {moved:,.2f}")

        position.get_by_test_id("reduce").click()
        position.get_by_label("Reduce the ETH short by").fill("50")
        position.get_by_test_id("preview-action").click()
        expect(position.get_by_test_id("closing")).to_contain_text("Reduce your ETH short: buy back 0.1 ETH")
        reduction = position.get_by_test_id("action-preview")
        expect(reduction.get_by_test_id("liquidation")).to_contain_text("Liquidation after")
        position.get_by_test_id("confirm-action").click()
        expect(position).to_contain_text("ETH short 0.1 at 20x")

        position.get_by_test_id("close").click()
        expect(position.get_by_test_id("closing")).to_contain_text("Close your ETH short: buy back 0.1 ETH")
        shot(page, "14-futures-close")
        position.get_by_test_id("confirm-action").click()
        expect(page.get_by_test_id("no-futures-positions")).to_be_visible()
        shot(page, "15-futures-closed")


def test_protections_pause_and_the_kill_switch_previews_then_confirms_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    preview = ask_bot(server, 782, "buy 0.1 eth sl 100")
    httpx.post(
        f"{server}/sandbox/api/chats/782/callbacks",
        json={"message_id": preview["message_id"], "data": button(preview, "Confirm")},
        timeout=PATIENCE_S,
    ).raise_for_status()
    with in_telegram(browser, server, 782) as page:
        page.get_by_role("link", name="More").click()
        card = page.get_by_test_id("protections")
        expect(card.get_by_test_id("following")).to_have_text("Automatic following: running")
        card.get_by_test_id("pause").click()
        expect(card.get_by_test_id("following")).to_have_text("Automatic following: paused")
        expect(card.get_by_test_id("pause-reason")).to_have_text(
            "automatic following is paused: you paused it"
        )
        card.get_by_test_id("resume").click()
        expect(card.get_by_test_id("following")).to_have_text("Automatic following: running")

        card.get_by_test_id("cancel-all").click()
        expect(card.get_by_test_id("cancel-preview")).to_contain_text("1 open order(s) to cancel.")
        expect(card.get_by_test_id("cancel-preview")).to_contain_text("1 of them protect a position")
        card.get_by_role("button", name="Keep them").click()
        card.get_by_test_id("close-all").click()
        expect(card.get_by_test_id("close-preview")).to_contain_text("sell ETH/USDT 0.1")
        expect(card.get_by_test_id("close-preview")).to_contain_text("1 order(s) cancelled first")
        shot(page, "12-close-all-preview")
        card.get_by_test_id("confirm-close").click()
        expect(card.get_by_test_id("kill-switch-outcome")).to_have_text("ETH/USDT: sell 0.1, filled")
        card.get_by_test_id("close-all").click()
        expect(card.get_by_test_id("close-preview")).to_contain_text("You hold no positions")
        shot(page, "13-closed-all")


def test_a_positions_stop_is_set_to_trail_from_the_portfolio(browser: Browser, server: str) -> None:
    with in_telegram(browser, server, 781) as page:
        page.get_by_role("link", name="Trade").click()
        expect(page.get_by_test_id("ticker")).to_contain_text("BTC/USDT")
        page.fill("#amount", "100")
        page.fill("#stop", "5")
        page.get_by_test_id("preview").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("placed")).to_contain_text("filled")

        page.goto(f"{server}/app/")
        control = page.get_by_test_id("stop-mode-BTC")
        control.get_by_test_id("stop-mode").click()
        control.get_by_test_id("stop-mode-percent").fill("2")
        control.get_by_test_id("stop-mode-preview").click()
        shown = control.get_by_test_id("stop-mode-preview-shown")
        expect(shown).to_contain_text(" now")
        moved = shown.inner_text().split("→ ")[1].split(" now")[0]
        shot(page, "9-trailing-stop")
        control.get_by_test_id("stop-mode-confirm").click()
        expect(control.get_by_test_id("stop-mode-done")).to_contain_text(
            "Your BTC stop now moves with the market."
        )

        page.goto(f"{server}/app/orders")
        stop_order = page.locator("[data-test^=order-]").filter(has_text="stop loss")
        expect(stop_order).to_contain_text("armed")
        # The simulated market keeps moving after the preview; a trailing stop only ever rises.
        assert _stop_price(stop_order.inner_text()) >= _amount(moved)
        shot(page, "9-trailing-stop-placed")


def _amount(shown: str) -> Decimal:
    return Decimal(shown.replace(",", ""))


def _stop_price(card_text: str) -> Decimal:
    return _amount(card_text.split("stop @ ")[1].split(" ")[0])


def test_a_rebalance_is_previewed_and_placed_then_set_up_on_a_drift_in_the_mini_app(
    browser: Browser, server: str
) -> None:
    with in_telegram(browser, server, 783) as page:
        page.get_by_role("link", name="More").click()
        card = page.get_by_test_id("rebalance")
        card.get_by_test_id("asset-0").fill("btc")
        card.get_by_test_id("share-0").fill("40")
        card.get_by_test_id("share-1").fill("50")
        card.get_by_test_id("rebalance-preview").click()
        expect(card.get_by_test_id("rebalance-error")).to_contain_text("add up to 90%, not 100%")
        card.get_by_test_id("add-coin").click()
        card.get_by_test_id("asset-2").fill("eth")
        card.get_by_test_id("share-2").fill("10")
        card.get_by_test_id("rebalance-preview").click()
        trades = card.get_by_test_id("rebalance-trades")
        expect(trades).to_contain_text("buy")
        expect(trades).to_contain_text("BTC/USDT")
        expect(trades).to_contain_text("ETH/USDT")
        shot(page, "16-rebalance-preview")
        card.get_by_test_id("rebalance-confirm").click()
        expect(card.get_by_test_id("rebalance-outcome").first).to_contain_text("BTC/USDT, filled")
        expect(card.get_by_test_id("rebalance-outcome")).to_have_count(2)

        card.get_by_test_id("when").select_option("drift")
        card.get_by_test_id("drift").fill("5")
        card.get_by_test_id("rebalance-preview").click()
        expect(card.get_by_test_id("rebalance-trades")).to_contain_text(
            "rebalance to BTC 40%, USDT 50%, ETH 10% when drift over 5 points (checked every hour)"
        )
        card.get_by_test_id("rebalance-confirm").click()
        expect(card.get_by_test_id("rebalance-outcome")).to_contain_text("Rebalance #1 is set up")
        expect(page.get_by_test_id("automations")).to_contain_text(
            "#1 rebalance to BTC 40%, USDT 50%, ETH 10% when drift over 5 points"
        )
        shot(page, "17-rebalance-automation")
