"""/risk in chat, end to end through the sandbox: the limits shown, one changed, a preview refused by it."""

from decimal import Decimal

from bot.telegram.runtime import COMMANDS, TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.risk_sizing import NEEDS_A_STOP


async def test_risk_shows_changes_refuses_and_resets(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(601)
    [shown] = await chat.ask("/risk")
    text = shown["text"]
    assert "Per order: 10,000,000.00 USDT" in text and "(yours)" not in text
    assert "Open positions: 100" in text and "/risk max_order 500" in text

    [saved] = await chat.ask("/risk max_order 20")
    assert saved["text"].startswith("Saved.") and "Per order: 20.00 USDT (yours)" in saved["text"]
    assert await harness.count("risk_settings") == 1

    [refused] = await chat.ask("buy $50 of ETH")
    assert "your limit per order is 20.00 USDT" in refused["text"] and refused["reply_markup"] is None

    [share] = await chat.ask("/risk share 25%")
    assert "one market: 25% (yours)" in share["text"] and "20.00 USDT (yours)" in share["text"]

    [too_loose] = await chat.ask("/risk positions 1000")
    assert (
        too_loose["text"] == "The number of open positions allowed can be at most 100, the operator's limit."
    )
    [not_a_number] = await chat.ask("/risk daily_loss lots")
    assert not_a_number["text"].startswith("'lots' is not a number.")
    [unknown] = await chat.ask("/risk colour 3")
    assert unknown["text"].startswith("I know these limits:")
    [leverage] = await chat.ask("/risk leverage 3x")
    assert "Leverage on futures: up to 3x (yours)" in leverage["text"]

    [one_back] = await chat.ask("/risk max_order default")
    assert "Per order: 10,000,000.00 USDT\n" in one_back["text"] and "25% (yours)" in one_back["text"]
    [reset] = await chat.ask("/risk reset")
    assert reset["text"].startswith("Back to the operator's limits.") and "(yours)" not in reset["text"]
    assert await harness.count("risk_settings") == 0

    [preview] = await chat.ask("buy $50 of ETH")
    assert button(preview, "Confirm")


async def test_a_users_limit_is_theirs_alone(sandbox: Sandbox, bot: TelegramBot, harness: Harness) -> None:
    careful, other = sandbox.chat(602), sandbox.chat(603)
    await careful.ask("/risk max_order 20")
    [preview] = await other.ask("buy $50 of ETH")
    assert button(preview, "Confirm")
    [refused] = await careful.ask("buy $50 of ETH")
    assert "your limit per order is 20.00 USDT" in refused["text"]


async def test_a_margin_cap_refuses_a_futures_preview_past_it(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(604)
    harness.market.set_price("BTC/USDT", Decimal(67000))
    [saved] = await chat.ask("/risk margin 1%")
    assert "Futures margin in use: up to 1% of equity (yours)" in saved["text"]
    [refused] = await chat.ask("long btc 10x with 200 usdt sl 64k")
    assert refused["reply_markup"] is None
    assert refused["text"].startswith("This needs 19") and "on top of the 0.00 USDT in use" in refused["text"]
    assert "past your cap of 1% of your futures equity (100.00 USDT)." in refused["text"]
    [too_loose] = await chat.ask("/risk margin 150%")
    assert (
        too_loose["text"]
        == "The largest share of futures equity held as margin must be above 0% and at most 100%."
    )
    await chat.ask("/risk margin default")
    [preview] = await chat.ask("long btc 10x with 200 usdt sl 64k")
    assert button(preview, "Confirm")


async def test_an_order_sized_from_risk_is_previewed_with_its_risk_and_one_without_a_stop_asked_back(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(605)
    harness.market.set_price("BTC/USDT", Decimal(67000))
    harness.market.set_price("ETH/USDT", Decimal(3100))
    [asked] = await chat.ask("long btc 10x risk 1%")
    assert asked["text"] == NEEDS_A_STOP and asked["reply_markup"] is None
    [long] = await chat.ask("long btc 10x risk 1% sl 64000")
    at_risk = next(line for line in long["text"].splitlines() if line.startswith("Sized from 1% risk: "))
    assert 99 < Decimal(at_risk.split()[4]) <= 100 and at_risk.endswith(" USDT at risk")
    assert "Leverage: 10x isolated" in long["text"] and button(long, "Confirm")
    [spot] = await chat.ask("buy eth risk 2% of my equity stop 3000")
    assert spot["text"].startswith("📝 Buy ") and "Sized from 2% risk: 19" in spot["text"]
    answer = await chat.tap(spot["message_id"], button(spot, "Confirm"))
    assert answer["answer"] == "Order placed."


def test_risk_is_in_the_command_menu() -> None:
    assert "risk" in [command.command for command in COMMANDS]
