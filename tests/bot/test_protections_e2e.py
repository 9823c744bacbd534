"""The protections of automatic following acting, told in the sandbox chat: a fall of the equity past the
trader's limit pauses it until resumed, stops hit in a row cool it down for a while, and a source whose signals
lost in a row is paused; a signal of the source followed automatically meanwhile waits for a tap."""

from decimal import Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness
from trading.usecases.follow_pauses import finish_cooldowns
from trading.usecases.portfolio import record_all_equity

D = Decimal
HOUR = 3600.0
CALL = "SOL/USDT LONG\nEntry: 148\nTargets: 170\nStop: 140"


async def confirm(chat: UserChat, text: str) -> None:
    [preview] = await chat.ask(text)
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer["answer"] == "Order placed.", (preview["text"], answer)


async def forward(chat: UserChat, harness: Harness, entry: int) -> str:
    """A call of 'Calls' entering at `entry`, the market at 150 (as the clock moved it may have drifted);
    the plan's message."""
    harness.market.set_price("SOL/USDT", D(150))
    [plan] = await chat.ask(CALL.replace("148", str(entry)), forward_from_chat="Calls")
    return str(plan["text"])


async def always_follow(chat: UserChat) -> None:
    """The source 'Calls' followed automatically, from the tap on its first post's plan."""
    [plan] = await chat.ask(CALL, forward_from_chat="Calls")
    answer = await chat.tap(plan["message_id"], button(plan, "Always follow this source"))
    assert answer["answer"] == "Followed."


async def told(chat: UserChat, mark: str) -> list[str]:
    return [str(m["text"]) for m in await chat.messages() if str(m["text"]).startswith(mark)]


async def test_a_drawdown_past_the_limit_pauses_auto_follow_and_the_trader_is_told(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("SOL/USDT", D(150))
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(581)
    [saved] = await chat.ask("/risk drawdown 10%")
    assert "• Pause: at a fall of 10% from the equity's peak" in saved["text"]
    await always_follow(chat)
    await record_all_equity(harness.core)  # the curve's peak
    await confirm(chat, "buy 2 eth")
    harness.clock.advance(HOUR)
    harness.market.set_price("ETH/USDT", D(2400))
    await confirm(chat, "sell 0.5 eth")
    await bot.notices.deliver()
    assert await told(chat, "⏸") == [
        "⏸ Automatic following is paused: your equity fell 12.1% from its peak of 10,000.00 USDT within 48 "
        "hours (the limit is 10%). Signals of the sources you follow automatically are shown to you to follow "
        "or not, never followed on their own. Say 'resume auto follow' when you want it back."
    ]
    orders = await harness.count("orders")
    held = await forward(chat, harness, 147)
    assert held.endswith(
        "Not followed automatically: automatic following is paused: your equity fell 12.1% from its peak of "
        "10,000.00 USDT within 48 hours (the limit is 10%). Tap Follow if the plan is right."
    ), held
    assert await harness.count("orders") == orders

    [resumed] = await chat.ask("resume auto follow")
    assert resumed["text"].startswith("▶️ Automatic following resumes. Lifted: your equity fell 12.1%")
    followed = await forward(chat, harness, 146)
    assert "Followed automatically" in followed and await harness.count("orders") == orders + 1, followed


async def test_stops_hit_in_a_row_cool_auto_follow_down_then_it_resumes(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    harness.market.set_price("SOL/USDT", D(150))
    harness.market.set_price("ETH/USDT", D(3000))
    chat = sandbox.chat(582)
    [saved] = await chat.ask("/risk stopouts 2")
    assert "• Cooldown: 4 hours after 2 stops hit within 24 hours (yours)" in saved["text"]
    await always_follow(chat)
    for _ in range(2):
        await confirm(chat, "buy 0.1 eth sl 2900")
        harness.market.set_price("ETH/USDT", D(2890))
        harness.clock.advance(60)
        await tracker_pass(harness.core, bot.notices)
        harness.market.set_price("ETH/USDT", D(3000))
        harness.clock.advance(2 * HOUR)
    [paused] = await told(chat, "⏸")
    assert paused.startswith("⏸ Automatic following is paused until "), paused
    assert paused.endswith(
        ": 2 stops were hit within 24 hours. Signals of the sources you follow automatically are shown to you "
        "to follow or not, never followed on their own. It resumes on its own then (or say 'resume auto "
        "follow')."
    ), paused
    orders = await harness.count("orders")
    held = await forward(chat, harness, 147)
    assert held.endswith("2 stops were hit within 24 hours. Tap Follow if the plan is right."), held
    assert await harness.count("orders") == orders

    assert await finish_cooldowns(harness.core) == 0  # still cooling down
    harness.clock.advance(4 * HOUR)  # past the cooldown's 4 hours from the second stop
    assert await finish_cooldowns(harness.core) == 1  # the periodic sweep's work
    await bot.notices.deliver()
    assert await told(chat, "▶️") == [
        "▶️ Automatic following resumes: the cooldown (2 stops were hit within 24 hours) is over."
    ]
    followed = await forward(chat, harness, 146)
    assert "Followed automatically" in followed and await harness.count("orders") == orders + 1, followed


async def test_a_sources_losing_streak_pauses_that_source_and_the_trader_is_told(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(583)
    [saved] = await chat.ask("/risk streak 2")
    assert "• A source paused after 2 of its signals lost in a row" in saved["text"], saved["text"]
    harness.market.set_price("SOL/USDT", D(150))
    await always_follow(chat)  # the first call followed: its entry rests at 148
    second = await forward(chat, harness, 149)
    assert "Followed automatically" in second, second
    harness.market.set_price("SOL/USDT", D(139))  # through both entries, then both stops at 140
    for _ in range(5):  # each pass fills what the last one armed; bounded, not timed
        harness.clock.advance(60)
        await tracker_pass(harness.core, bot.notices)
        if await told(chat, "⏸"):
            break
    assert await told(chat, "⏸") == [
        "⏸ Automatic following of Calls is paused: the last 2 signals of Calls closed at a loss. Signals of "
        "Calls are shown to you to follow or not, never followed on their own. Say 'resume auto follow' when "
        "you want it back."
    ]
    orders = await harness.count("orders")
    held = await forward(chat, harness, 147)
    assert "Not followed automatically" in held, held
    assert "the last 2 signals of Calls closed at a loss" in held, held
    assert await harness.count("orders") == orders
