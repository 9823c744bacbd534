"""Rebalancing in chat, end to end: previewed with its trades and fees, confirmed, placed sales first."""

from decimal import Decimal

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.enums import Side


async def test_a_rebalance_is_previewed_then_placed_sales_first(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(951)
    [refused] = await chat.ask("rebalance to 50% btc 30% eth")
    assert refused["text"] == "The shares add up to 80%, not 100%: nothing was done."
    await chat.confirmed("buy 0.5 eth")
    [preview] = await chat.ask("rebalance to 5% eth 20% btc 75% usdt")
    text = preview["text"]
    assert text.startswith("📝 Rebalance") and "• sell" in text and "• buy" in text and "Fees in all" in text
    assert text.index("• sell") < text.index("• buy")
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer == {"ok": True, "answer": "Rebalanced."}, answer
    done = await chat.message(preview["message_id"])
    assert done["text"].startswith("Rebalanced:"), done["text"]
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(951)
        assert user is not None
        orders = sorted(await uow.orders.for_user(user.id), key=lambda o: o.id)
    assert [(o.symbol, o.side) for o in orders[1:]] == [("ETH/USDT", Side.SELL), ("BTC/USDT", Side.BUY)]
    assert all(o.filled > Decimal(0) for o in orders)


async def test_a_rebalance_past_a_drift_is_previewed_set_up_run_and_told_then_listed_and_stopped(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(952)
    [preview] = await chat.ask("rebalance to 50% btc 30% eth 20% usdt when drift over 5%")
    text = preview["text"]
    assert text.startswith("📝 Rebalance #1: rebalance 10,000.00 USDT to BTC 50%, ETH 30%, USDT 20% when"), (
        text
    )
    assert "drift over 5 points (checked every hour)" in text and "Now: USDT 100.0%, 80.0 points" in text
    assert "A run now would:" in text and "• buy" in text and "First check:" in text
    assert await harness.count("orders") == 0
    await chat.tap(preview["message_id"], button(preview, "Confirm"))
    set_up = await chat.message(preview["message_id"])
    assert set_up["text"].startswith("✅ Rebalance #1 is set up"), set_up["text"]
    [run] = await chat.reply()  # the first check is due at once: the bot's queue runs it and tells
    assert run["text"].startswith("⚖️ Rebalance #1, run due") and "80.0 points off, rebalanced:" in run["text"]
    assert run["text"].count("filled") == 2, run["text"]
    [listed] = await chat.ask("my automations")
    assert "Rebalance #1: rebalance to BTC 50%, ETH 30%, USDT 20% when drift over 5 points" in listed["text"]
    [paused] = await chat.ask("pause the rebalance")
    assert paused["text"].startswith("⏸ Rebalance #1") and "paused" in paused["text"], paused["text"]
    [stopped] = await chat.ask("stop plan 1")
    assert stopped["text"] == "⏹ Rebalance #1 is stopped: nothing more runs."
    assert await harness.count("orders") == 2
