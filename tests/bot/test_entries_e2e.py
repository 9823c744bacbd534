"""Entries through the sandbox: a limit on the wrong side of the market is offered as a breakout or a market
order instead of filling at once, and an entry that rested is told when it fills."""

from decimal import Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, button
from tests.harness import Harness
from trading.domain.enums import OrderStatus, OrderType

D = Decimal


async def test_a_buy_limit_above_the_market_is_offered_as_a_breakout_or_at_market(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(541)
    [preview] = await chat.ask("buy 0.01 eth at 3200")
    assert "⚠️ 3,200.00 is above the price now (3,00" in preview["text"]
    labels = [b["text"] for row in preview["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["🚀 Buy once it rises to 3,200.00", "⚡ Buy at market now", "✖️ Cancel"]

    await chat.tap(preview["message_id"], button(preview, "🚀"))
    [breakout] = await chat.reply()
    replaced = await chat.message(preview["message_id"])
    assert replaced["text"].endswith("Replaced: a new preview follows.") and replaced["reply_markup"] is None
    assert breakout["text"].startswith("📝 Buy 0.01 ETH") and "stop at 3,200.00" in breakout["text"]
    assert "⚠️" not in breakout["text"]
    assert (await chat.tap(breakout["message_id"], button(breakout, "Confirm")))["answer"] == "Order placed."
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(541)
        assert user is not None
        [order] = await uow.orders.for_user(user.id)
    assert (order.order_type, order.price, order.status) == (OrderType.STOP, D(3200), OrderStatus.OPEN)


async def test_the_old_preview_of_a_wrong_side_limit_cannot_be_placed_twice(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(542)
    await chat.confirmed("buy 0.02 eth")
    [preview] = await chat.ask("sell 0.01 eth at 2800")
    assert "is below the price now" in preview["text"]
    await chat.tap(preview["message_id"], button(preview, "⚡ Sell at market now"))
    [market] = await chat.reply()
    assert market["text"].startswith("📝 Sell 0.01 ETH") and ", market" in market["text"]
    again = await chat.tap(preview["message_id"], button(preview, "🚀"))
    assert again["ok"] and "preview" in again["answer"].lower()  # the first preview was cancelled
    assert await harness.count("orders") == 1  # the buy


async def test_a_resting_buy_limit_is_told_when_it_fills(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(543)
    await chat.confirmed("buy 0.01 eth at 2900")
    harness.market.set_price("ETH/USDT", D(2890))
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)
    [told] = await chat.reply()
    assert told["text"].startswith("📥 Order #1 filled (ETH/USDT): bought 0.01 ETH at 2,")
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)  # told once
    assert [m for m in await chat.messages() if m["text"].startswith("📥")] == [told]


async def test_each_entry_of_a_followed_signal_is_told_as_one_of_its_entries(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(544)
    signal = "BTC/USDT LONG\nEntry 1: 66500\nEntry 2: 66000\nTargets: 68000, 69000\nStop: 65000"
    [plan] = await chat.ask(signal, forward_from_chat="Crypto Calls")
    assert (await chat.tap(plan["message_id"], button(plan, "Follow")))["answer"] == "Followed."
    harness.market.set_price("BTC/USDT", D(66400))
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)
    [first] = await chat.reply()
    assert first["text"].startswith("📥 Entry 1 of 2 filled (BTC/USDT): bought 0.")
    assert first["text"].endswith("at 66,500.00.") or " at 66,4" in first["text"]
    harness.market.set_price("BTC/USDT", D(65900))
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)
    [second] = await chat.reply()
    assert second["text"].startswith("📥 Entry 2 of 2 filled (BTC/USDT): bought 0.")


async def test_a_short_limit_below_the_market_is_offered_as_a_breakout_on_futures(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(545)
    [preview] = await chat.ask("short 0.1 eth 5x at 2900 sl 3200")
    assert preview["text"].startswith("📝 Short 0.1 ETH") and "Leverage: 5x" in preview["text"]
    assert "⚠️ 2,900.00 is below the price now (2,99" in preview["text"]
    labels = [b["text"] for row in preview["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["🚀 Sell once it falls to 2,900.00", "⚡ Sell at market now", "✖️ Cancel"]

    await chat.tap(preview["message_id"], button(preview, "🚀"))
    [breakout] = await chat.reply()
    assert breakout["text"].startswith("📝 Short 0.1 ETH") and "⚠️" not in breakout["text"]
    assert (await chat.tap(breakout["message_id"], button(breakout, "Confirm")))["answer"] == "Order placed."
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(545)
        assert user is not None
        [order] = await uow.orders.for_user(user.id)
    assert (order.symbol, order.order_type, order.price) == ("ETH/USDT:USDT", OrderType.STOP, D(2900))
    assert order.status is OrderStatus.OPEN
