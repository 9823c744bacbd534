"""A followed signal tracked to its end through the sandbox: the break-even toggle, target and stop messages from
the tracker's pass, the outcome recorded once and shown by /sources."""

from collections.abc import Callable
from decimal import Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness
from trading.domain.enums import OrderRole, OrderStatus
from trading.usecases.reporting import TrackingEvents

D = Decimal
SIGNAL = "BTC/USDT LONG\nEntry: 67100\nTargets: 68000, 69000\nStop: 65000"


async def follow_signal(chat: UserChat, harness: Harness, *, stop_to_entry: bool) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    [plan] = await chat.ask(SIGNAL, forward_from_chat="Crypto Calls")
    if stop_to_entry:
        answer = await chat.tap(plan["message_id"], button(plan, "Stop to entry after TP1: off"))
        assert answer["answer"] == "The stop moves to the entry after target 1."
        plan = await chat.message(plan["message_id"])
        button(plan, "Stop to entry after TP1: on")  # the keyboard re-rendered with the new state
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."


async def market_to(harness: Harness, bot: TelegramBot, price: Decimal) -> TrackingEvents:
    harness.market.set_price("BTC/USDT", price)
    harness.clock.advance(1)
    return await tracker_pass(harness.core, bot.notices)


async def stop_leg(harness: Harness) -> tuple[OrderStatus, Decimal | None]:
    async with harness.core.uow() as uow:
        [user] = [u for u in [await uow.users.by_telegram_id(701)] if u]
        orders = await uow.orders.for_user(user.id, limit=100)
    [stop] = [o for o in orders if o.role is OrderRole.STOP_LOSS]
    return stop.status, stop.price


async def test_target_one_moves_the_stop_to_entry_then_the_stop_closes_a_win(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    chat = sandbox.chat(701)
    await follow_signal(chat, harness, stop_to_entry=True)
    entry = (await chat.message(chat.seen))["text"]
    assert entry.count("✅ Order #") == 1

    await market_to(harness, bot, D(68100))
    [target] = await chat.reply()
    assert target["text"].startswith("🎯 BTC/USDT target 1 of 2 hit at 68,")
    assert "sold 0.0" in target["text"] and "USDT)." in target["text"] and "(+" in target["text"]
    status, stop_price = await stop_leg(harness)
    assert status is OrderStatus.ARMED and stop_price is not None and D(66900) < stop_price < D(67200)
    assert f"Stop moved to entry {stop_price:,.2f}." in target["text"]

    await market_to(harness, bot, stop_price - 40)
    stop, closed = await chat.reply(2)
    assert stop["text"].startswith("🛑 BTC/USDT stop hit at 66,9") and "(−" in stop["text"]  # slippage
    assert closed["text"].startswith("🏁 Signal BTC/USDT buy from Crypto Calls closed: win, +")

    restarted = harness_factory()  # the tracker started again: nothing is told twice
    assert await market_to(restarted, bot, stop_price - 80) == TrackingEvents((), ())
    [stats] = await chat.ask("/sources")
    assert "Crypto Calls: 1 signals, 1 followed, win rate 100% (1 won, 0 lost), P&L +" in stats["text"]
    pnl = closed["text"].split("win, ")[1].split()[0]
    assert f"P&L {pnl}\n" in stats["text"]  # the same P&L


async def test_a_stop_without_break_even_closes_a_loss(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(702)
    await follow_signal(chat, harness, stop_to_entry=False)
    await market_to(harness, bot, D(68100))
    [target] = await chat.reply()
    assert target["text"].startswith("🎯 BTC/USDT target 1 of 2 hit") and "Stop moved" not in target["text"]

    await market_to(harness, bot, D(64900))
    stop, closed = await chat.reply(2)
    assert stop["text"].startswith("🛑 BTC/USDT stop hit at 64,") and "(−" in stop["text"]
    assert closed["text"].startswith("🏁 Signal BTC/USDT buy from Crypto Calls closed: loss, −")
    [stats] = await chat.ask("/sources")
    assert "win rate 0% (0 won, 1 lost), P&L −" in stats["text"]
