"""A channel's follow-ups to a signal the trader followed, forwarded to the bot: a report is told and trades
nothing; an instruction (move the stop, close) is previewed on that signal, to confirm as any request."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness

SIGNAL = "BTC/USDT LONG\nEntry: 67100-66900\nTargets: 68000, 69000\nStop: 65000"
CHANNEL = "Crypto Calls"


async def followed(chat: UserChat) -> None:
    [plan] = await chat.ask(SIGNAL, forward_from_chat=CHANNEL)
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."


async def test_a_report_is_told_and_trades_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(630)
    await followed(chat)
    orders = await harness.count("orders")
    [told] = await chat.ask("#BTC Target 1 ✅ reached", forward_from_chat=CHANNEL)
    assert told["text"] == (
        "Crypto Calls reports a target hit on BTC. Your orders for that signal keep their own targets and stop: "
        "nothing else was traded."
    )
    assert await harness.count("orders") == orders and await harness.count("order_drafts") == 2


async def test_the_stop_to_the_entry_is_previewed_at_the_signal_s_mean_entry(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(631)
    await followed(chat)
    harness.market.set_price("BTC/USDT", Decimal(68500))  # in profit: the entry is below the price
    [preview] = await chat.ask("Move SL to entry", forward_from_chat=CHANNEL)
    assert "BTC stop" in preview["text"] and "→ 67,000.00" in preview["text"]
    assert button(preview, "Confirm")


async def test_a_follow_up_about_a_signal_not_followed_does_nothing(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(632)
    [told] = await chat.ask("Close BTC now", forward_from_chat="Other Channel")
    assert (
        told["text"]
        == "Other Channel says: close the trade, about a signal you do not follow. Nothing was traded."
    )
    assert told["reply_markup"] is None
    for table in ("orders", "order_drafts", "signals", "signal_sources"):
        assert await harness.count(table) == 0, table
