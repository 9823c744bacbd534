"""Futures through the sandbox, as a new user: shorts and leverage in chat, a forwarded short signal at 10x
planned with its liquidation price, followed into a short the portfolio shows, its targets and stop tracked;
funding and a liquidation told; and a spot-only user refused a short, keeping every coin."""

from decimal import ROUND_DOWN, Decimal

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.harness import Harness
from trading.usecases.exchange_accounts import remove_account
from trading.usecases.reporting import TrackingEvents
from trading.usecases.routing import NO_FUTURES_ACCOUNT

D = Decimal
SHORT_SIGNAL = "ETH/USDT SHORT\nEntry: 2990\nTargets: 2900, 2800\nStop: 3080\nLeverage: 10x"


async def market_to(harness: Harness, bot: TelegramBot, symbol: str, price: Decimal) -> TrackingEvents:
    harness.market.set_price(symbol, price)
    harness.clock.advance(1)
    return await tracker_pass(harness.core, bot.notices)


async def confirm(chat: UserChat, text: str) -> str:
    """Asks for an order, confirms its preview; the preview's text."""
    [preview] = await chat.ask(text)
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer["answer"] == "Order placed.", (preview["text"], answer)
    return str(preview["text"])


async def portfolio_text(chat: UserChat) -> str:
    [shown] = await chat.ask("portfolio")
    return str(shown["text"])


async def test_shorts_longs_closes_and_reductions_in_chat(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(801)
    harness.market.set_price("ETH/USDT", D(3000))
    harness.market.set_price("BTC/USDT", D(67000))
    [no_stop] = await chat.ask("short 0.1 eth 5x")
    assert "A leveraged trade (5x) needs a stop loss" in no_stop["text"] and no_stop["reply_markup"] is None

    shorted = await confirm(chat, "short 0.1 eth 5x sl 3300")
    assert shorted.startswith("📝 Short 0.1 ETH") and "at 5x, market (futures)" in shorted
    for part in ("Leverage: 5x isolated", "Margin: 6", "Stop: 3,300.00", "% beyond the stop", "Funding: "):
        assert part in shorted, (part, shorted)
    assert "• ETH short 0.1 at 5x: entry 2,99" in await portfolio_text(chat)
    closing = await confirm(chat, "close my eth short")
    assert closing.startswith("📝 Close your ETH short: buy back 0.1 ETH")
    assert "ETH short" not in await portfolio_text(chat)

    [refused] = await chat.ask("long btc 10x with 200 usdt sl 60k")
    assert (
        "would be liquidated at 60,5" in refused["text"] and "before its stop at 60,000.00" in refused["text"]
    )
    longed = await confirm(chat, "long btc 10x with 200 usdt sl 64k")
    assert longed.startswith("📝 Long 0.0") and "Leverage: 10x isolated" in longed
    size = D(longed.split()[2])
    half = (size / 2).quantize(D("0.00001"), ROUND_DOWN)  # BTC's amount step
    reduced = await confirm(chat, "reduce my btc long by half")
    assert reduced.startswith(f"📝 Reduce your BTC long: sell {half:f} BTC")
    assert f"• BTC long {size - half:f} at 10x" in await portfolio_text(chat)


async def test_a_forwarded_short_signal_at_10x_is_followed_shown_and_tracked(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(802)
    harness.market.set_price("ETH/USDT", D(3000))
    [plan] = await chat.ask(SHORT_SIGNAL, forward_from_chat="Short Calls")
    text = plan["text"]
    assert text.startswith("📡 Signal from Short Calls: short ETH/USDT:USDT (futures)"), text
    liquidation = next(line for line in text.splitlines() if line.startswith("Liquidation: "))
    assert liquidation.startswith("Liquidation: 3,2") and liquidation.endswith("% beyond the stop)")
    assert "Leverage: 10x isolated" in text and "Margin 9" in text and "Stop: 3,080.00" in text
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed."
    held = await portfolio_text(chat)
    assert "• ETH short 0." in held and " at 10x: entry 2,99" in held and "liq. 3,2" in held

    await market_to(harness, bot, "ETH/USDT", D(2890))
    [target] = await chat.reply()
    assert target["text"].startswith("🎯 ETH/USDT:USDT target 1 of 2 hit at 2,8"), target["text"]
    assert "bought back 0.1658 ETH" in target["text"] and "(+" in target["text"]

    await market_to(harness, bot, "ETH/USDT", D(3090))
    stop, closed = await chat.reply(2)
    assert stop["text"].startswith("🛑 ETH/USDT:USDT stop hit at 3,0") and "bought back" in stop["text"]
    assert closed["text"].startswith("🏁 Signal ETH/USDT:USDT sell from Short Calls closed:")
    assert "ETH short" not in await portfolio_text(chat)


async def test_funding_and_a_liquidation_are_told(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(803)
    harness.market.set_price("ETH/USDT", D(3000))
    await confirm(chat, "short 1 eth 20x sl 3100")
    harness.clock.advance(7 * 3600)  # from 09:30 past 16:00 UTC, a funding time
    await market_to(harness, bot, "ETH/USDT", D(3000))
    [funding] = await chat.reply()
    assert funding["text"].startswith("💸 Funding on your ETH short: "), funding["text"]
    assert " USDT (rate " in funding["text"]

    # A jump past the stop (held by the bot) and the liquidation price at once: the venue liquidates first.
    await market_to(harness, bot, "ETH/USDT", D(3400))
    [liquidated] = await chat.reply()
    assert liquidated["text"].startswith("⚠️ Your ETH short of 1 ETH was liquidated at 3,")
    assert "USDT of margin lost. Its stop and targets were cancelled." in liquidated["text"]
    assert "ETH short" not in await portfolio_text(chat)


async def test_a_spot_only_user_is_refused_a_short_signal_and_keeps_every_coin(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(804)
    await confirm(chat, "buy 0.01 eth")
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(804)
        assert user is not None
        [_, futures] = await uow.accounts.for_user(user.id)
    await remove_account(harness.core, user.id, futures.id)
    trading = ("order_drafts", "orders", "fills", "positions", "balances", "paper_orders", "paper_balances")
    before = [await harness.count(table) for table in trading]
    [refused] = await chat.ask(SHORT_SIGNAL, forward_from_chat="Short Calls")
    assert refused["text"] == NO_FUTURES_ACCOUNT and refused["reply_markup"] is None
    [refused_chat] = await chat.ask("short 0.01 eth")
    assert refused_chat["text"] == NO_FUTURES_ACCOUNT
    assert [await harness.count(table) for table in trading] == before
    assert "• ETH/USDT: 0.01 at" in await portfolio_text(chat)


async def test_a_source_set_to_spot_has_its_short_refused_and_a_risk_set_in_chat(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(809)
    harness.market.set_price("ETH/USDT", D(3000))
    await confirm(chat, "buy 0.2 eth")
    long_signal = (
        SHORT_SIGNAL.replace("SHORT", "LONG", 1).replace("2900, 2800", "3100, 3200").replace("3080", "2900")
    )
    [long] = await chat.ask(long_signal, forward_from_chat="Spot Calls")
    assert long["text"].startswith("📡 Signal from Spot Calls: long ETH/USDT:USDT (futures)"), long["text"]
    [listed] = await chat.ask("/sources")
    number = listed["text"].split("• #")[1].split()[0]
    assert "market auto (shorts and leverage on futures), sized from the amount" in listed["text"]
    [saved] = await chat.ask(f"/source {number} market spot")
    assert (
        saved["text"] == f"Saved: #{number} Spot Calls, market spot (shorts refused), sized from the amount."
    )
    [refused] = await chat.ask(SHORT_SIGNAL.replace("2990", "2995"), forward_from_chat="Spot Calls")
    assert refused["reply_markup"] is None
    assert "Spot Calls is set to spot, where a short would sell coins you hold" in refused["text"]
    assert "• ETH/USDT: 0.2 at " in await portfolio_text(chat)  # every coin kept
    [spot_long] = await chat.ask(long_signal.replace("2990", "2985"), forward_from_chat="Spot Calls")
    assert spot_long["text"].startswith("📡 Signal from Spot Calls: buy ETH/USDT\n"), spot_long["text"]
    assert "The signal's 10x is not taken: this trades spot, at 1x." in spot_long["text"]
    [risk] = await chat.ask(f"/source {number} risk 1%")
    assert risk["text"].endswith("market spot (shorts refused), sized from 1% risk.")
    [wrong] = await chat.ask(f"/source {number} risk lots")
    assert wrong["text"].startswith("'lots' is not a percent.")
