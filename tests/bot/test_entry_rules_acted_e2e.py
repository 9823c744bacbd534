"""A source's entry rules acting on a forwarded signal followed in the sandbox chat: the first entry at market,
an entry within the grace taken at market, entries expiring unfilled, and the stop hit before any entry fills;
each told to the trader in chat, with the plan's orders filled or cancelled."""

import re
from decimal import Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness
from trading.domain.enums import OrderRole, OrderStatus, OrderType
from trading.domain.orders import Order

D = Decimal
FIRST = "BTC/USDT LONG\nEntry: 66500\nTarget: 68000\nStop: 65000"
LADDER = "BTC/USDT LONG\nEntry 1: 66800\nEntry 2: 66000\nEntry 3: 65500\nTargets: 68000\nStop: 64000"


async def source_with(chat: UserChat, *rules: str) -> None:
    """The source 'Crypto Calls' known from a first forward, then each of `rules` set on it in chat."""
    await chat.ask(FIRST, forward_from_chat="Crypto Calls")
    [sources] = await chat.ask("/sources")
    found = re.search(r"• #(\d+) ", sources["text"])
    assert found is not None
    for rule in rules:
        [saved] = await chat.ask(f"/source {found.group(1)} {rule}")
        assert saved["text"].startswith("Saved."), saved["text"]


async def follow(chat: UserChat, text: str) -> tuple[str, str]:
    """Forward `text` from the source, tap Follow; the plan's message as shown, and once followed."""
    [plan] = await chat.ask(text, forward_from_chat="Crypto Calls")
    assert (await chat.tap(plan["message_id"], button(plan, "Follow")))["answer"] == "Followed."
    return str(plan["text"]), str((await chat.message(plan["message_id"]))["text"])


async def entries(harness: Harness) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        return sorted(
            (o for o in await uow.orders.with_status(list(OrderStatus)) if o.role is OrderRole.ENTRY),
            key=lambda o: o.id,
        )


async def told(chat: UserChat, mark: str) -> list[str]:
    return [str(m["text"]) for m in await chat.messages() if str(m["text"]).startswith(mark)]


async def test_the_first_entry_at_market_fills_at_once_and_a_waiting_one_is_told_when_it_fills(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(571)
    await source_with(chat, "entry first-at-market on")
    _, result = await follow(chat, LADDER)
    assert result.startswith("✅ Order #1: buy 0.00049 BTC, filled: 0.00049 at 67,003.35 USDT"), result
    assert "✅ Order #2: buy 0.0005 BTC, open." in result and "✅ Order #3: buy 0.0005 BTC, open." in result
    first, *rest = await entries(harness)
    assert first.order_type is OrderType.MARKET and first.status is OrderStatus.FILLED
    assert [e.status for e in rest] == [OrderStatus.OPEN] * 2

    harness.market.set_price("BTC/USDT", D(65900))
    harness.clock.advance(1)
    await tracker_pass(harness.core, bot.notices)
    assert await told(chat, "📥") == ["📥 Entry 2 of 3 filled (BTC/USDT): bought 0.0005 BTC at 66,000.00."]
    assert [e.status for e in await entries(harness)] == [
        OrderStatus.FILLED,
        OrderStatus.FILLED,
        OrderStatus.OPEN,
    ]


async def test_an_entry_the_market_is_just_short_of_is_taken_at_market_within_the_grace(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(572)
    await source_with(chat, "entry grace 1%")
    plan, result = await follow(chat, LADDER)  # 66,800 is 0.3% short of the market, 66,000 1.5%
    assert "Entry 1: 0.00049 at 67,003.35 (market), 32.83 USDT" in plan, plan
    assert "Entry 2: 0.0005 at 66,000.00 (limit)" in plan and "Split evenly; entry grace 1%." in plan
    assert result.startswith("✅ Order #1: buy 0.00049 BTC, filled: 0.00049 at 67,003.35 USDT"), result
    first, *rest = await entries(harness)
    assert first.order_type is OrderType.MARKET and first.status is OrderStatus.FILLED
    assert [e.status for e in rest] == [OrderStatus.OPEN] * 2


async def test_entries_still_waiting_at_the_expiry_are_cancelled_and_told(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(573)
    await source_with(chat, "entry expiry 24h")
    plan, _ = await follow(chat, LADDER)
    assert "Entries not filled expire after 1d." in plan, plan
    harness.clock.advance(23 * 3600)
    await tracker_pass(harness.core, bot.notices)
    assert await told(chat, "⌛") == []
    assert [e.status for e in await entries(harness)] == [OrderStatus.OPEN] * 3
    harness.clock.advance(3600)
    await tracker_pass(harness.core, bot.notices)
    assert await told(chat, "⌛") == [
        "⌛ BTC/USDT buy signal from Crypto Calls: not filled within 1d, so its 3 waiting entries (#1, #2, #3) "
        "were cancelled."
    ]
    assert [e.status for e in await entries(harness)] == [OrderStatus.CANCELLED] * 3


async def test_the_stop_hit_before_any_entry_fills_cancels_the_waiting_entry_told_once(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("BTC/USDT", D(67000))
    chat = sandbox.chat(574)
    await source_with(chat, "entry cancel-on-stop on")
    plan, result = await follow(chat, "BTC/USDT LONG\nBuy above 67500\nTarget: 69000\nStop: 66500")
    assert "Entry 1: 0.00148 at 67,500.00 (stop)" in plan, plan
    assert "Entries not filled are cancelled if the stop is hit before any fills." in plan
    assert result == "✅ Order #1: buy 0.00148 BTC, open.", result
    for price in (66400, 66300):  # through the stop, then further: told once
        harness.market.set_price("BTC/USDT", D(price))
        harness.clock.advance(1)
        await tracker_pass(harness.core, bot.notices)
    assert await told(chat, "⌛") == [
        "⌛ BTC/USDT buy signal from Crypto Calls: the stop (66,500.00) was hit before any entry filled, so its "
        "entry (#1) was cancelled."
    ]
    [entry] = await entries(harness)
    assert entry.order_type is OrderType.STOP and entry.status is OrderStatus.CANCELLED and entry.filled == 0
