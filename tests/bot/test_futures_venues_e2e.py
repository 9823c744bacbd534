"""Futures on derivatives venues through the sandbox, as a new user: a futures account added in chat on the
Binance USDⓈ-M stand-in (or on Bybit's), a forwarded short signal at 10x planned with its liquidation price and
followed into a short there (leverage and margin mode set at the venue, the entry under its client order id, the
stop resting reduce-only), shown in the portfolio, its target and stop tracked. ccxt's real client against the
stand-ins, on SQLite and PostgreSQL. ETH trades at 3000 / 3000.50 on each stand-in."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from bot.server import tracker_pass
from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, UserChat, button
from tests.exchanges.conftest import FuturesVenue, _binance_usdm, _bybit
from tests.harness import Harness
from tests.standins.venue import SimOrder
from trading.domain.enums import OrderRole
from trading.domain.orders import Order

D = Decimal
SHORT_SIGNAL = "ETH/USDT SHORT\nEntry: 2990\nTargets: 2900, 2800\nStop: 3080\nLeverage: 10x"


@pytest.fixture
async def venues(harness: Harness) -> AsyncIterator[dict[str, FuturesVenue]]:
    """The stand-ins, which the app's Exchanges reach instead of Binance USDⓈ-M and Bybit."""
    made = {"binanceusdm": _binance_usdm(), "bybit": _bybit()}
    for venue in made.values():
        await venue.standin.start()
    harness.exchanges.venue_config = lambda exchange, testnet: made[exchange].config(testnet=testnet)
    yield made
    for venue in made.values():
        await venue.standin.close()


async def up_to_testnet(chat: UserChat, answer: str, venue: FuturesVenue) -> dict[str, Any]:
    """The /accounts conversation on a futures venue up to its last question, Testnet or Live."""
    [listing] = await chat.ask("/accounts")
    await chat.tap(listing["message_id"], button(listing, "Add an account"))
    await chat.reply()
    [ask_key] = await chat.ask(answer)
    assert "Send the API key" in ask_key["text"], ask_key["text"]
    await chat.ask(venue.credentials.api_key)
    [ask_testnet] = await chat.ask(venue.credentials.secret)
    return ask_testnet


async def add_futures_account(chat: UserChat, answer: str, venue: FuturesVenue) -> str:
    """The conversation carried through, then the paper futures account removed, so that the venue's is the
    user's futures account. What the bot said when it added it."""
    ask_testnet = await up_to_testnet(chat, answer, venue)
    added = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Live"))
    assert added["answer"] == "Account added.", added
    [listing] = await chat.ask("/accounts")
    removed = await chat.tap(listing["message_id"], button(listing, "Remove Paper futures"))
    assert removed["answer"] == "Account removed."
    return str((await chat.message(ask_testnet["message_id"]))["text"])


async def follow_short_signal(chat: UserChat) -> str:
    """The short signal forwarded and followed; its plan's text."""
    [plan] = await chat.ask(SHORT_SIGNAL, forward_from_chat="Short Calls")
    answer = await chat.tap(plan["message_id"], button(plan, "Follow"))
    assert answer["answer"] == "Followed.", (plan["text"], answer)
    return str(plan["text"])


async def orders_of(harness: Harness, telegram_id: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        return sorted(await uow.orders.for_user(user.id), key=lambda order: order.id)


def at_venue(venue: FuturesVenue, order: Order) -> SimOrder:
    [placed] = venue.account.orders_with_client_id(order.client_order_id)
    return placed


async def portfolio_text(chat: UserChat) -> str:
    [shown] = await chat.ask("portfolio")
    return str(shown["text"])


def line_of(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


async def market_to(harness: Harness, bot: TelegramBot, venue: FuturesVenue, bid: str, ask: str) -> None:
    """The venue's ETH market moves (the resting stops it reaches fill there), then a tracker pass tells."""
    venue.account.move("ETHUSDT", D(bid), D(ask))
    await tracker_pass(harness.core, bot.notices)


def the_short_at(venue: FuturesVenue, orders: list[Order]) -> tuple[Order, dict[str, Any]]:
    """The signal's entry and what the venue holds for it: the position, the leverage and margin mode set."""
    [entry] = [order for order in orders if order.role is OrderRole.ENTRY]
    account = venue.account
    held = {
        "size": account.positions["ETHUSDT"].size,
        "leverage": account.leverage["ETHUSDT"],
        "isolated": account.isolated["ETHUSDT"],
    }
    return entry, held


async def test_a_short_signal_at_10x_is_followed_on_binance_usdm_shown_and_tracked(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, FuturesVenue]
) -> None:
    chat, venue = sandbox.chat(811), venues["binanceusdm"]
    added = await add_futures_account(chat, "binanceusdm", venue)
    assert added == (
        "Added Binanceusdm futures; its keys are stored encrypted and its futures book starts from the "
        "collateral in its wallet there."
    )

    plan = await follow_short_signal(chat)
    assert plan.startswith("📡 Signal from Short Calls: short ETH/USDT:USDT (futures)"), plan
    assert line_of(plan, "Liquidation: ").startswith("Liquidation: 3,2"), plan
    assert "Leverage: 10x isolated" in plan and "Stop: 3,080.00" in plan

    orders = await orders_of(harness, 811)
    entry, held = the_short_at(venue, orders)
    sent = at_venue(venue, entry)
    assert (sent.side, sent.reduce_only, sent.status) == ("sell", False, "filled")
    assert held == {"size": -entry.filled, "leverage": 10, "isolated": True}
    [stop] = [order for order in orders if order.role is OrderRole.STOP_LOSS]
    resting = at_venue(venue, stop)
    assert (resting.kind, resting.side, resting.price, resting.quantity, resting.reduce_only) == (
        "stop",
        "buy",
        D(3080),
        entry.filled,
        True,
    )
    shown = line_of(await portfolio_text(chat), "• ETH short")
    assert shown.startswith(f"• ETH short {entry.filled:f} at 10x: entry 3,000.00") and "liq. 3,2" in shown

    await market_to(harness, bot, venue, "2889.50", "2890.00")
    [target] = await chat.reply()
    assert target["text"].startswith("🎯 ETH/USDT:USDT target 1 of 2 hit at 2,890"), target["text"]
    [sold] = [o for o in await orders_of(harness, 811) if o.role is OrderRole.TAKE_PROFIT and o.filled]
    assert at_venue(venue, sold).reduce_only and at_venue(venue, stop).status == "canceled"

    await market_to(harness, bot, venue, "3090.00", "3090.50")
    stopped, closed = await chat.reply(2)
    assert stopped["text"].startswith("🛑 ETH/USDT:USDT stop hit at 3,090.50"), stopped["text"]
    assert closed["text"].startswith("🏁 Signal ETH/USDT:USDT sell from Short Calls closed:")
    assert venue.account.positions["ETHUSDT"].size == 0
    assert "ETH short" not in await portfolio_text(chat)


async def test_a_short_signal_at_10x_is_followed_on_bybit(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, FuturesVenue]
) -> None:
    chat, venue = sandbox.chat(812), venues["bybit"]
    added = await add_futures_account(chat, "bybit futures", venue)
    assert added.startswith("Added Bybit futures; ")

    plan = await follow_short_signal(chat)
    assert line_of(plan, "Liquidation: ").startswith("Liquidation: 3,2"), plan

    orders = await orders_of(harness, 812)
    entry, held = the_short_at(venue, orders)
    assert at_venue(venue, entry).side == "sell"
    assert held == {"size": -entry.filled, "leverage": 10, "isolated": True}
    [stop] = [order for order in orders if order.role is OrderRole.STOP_LOSS]
    assert at_venue(venue, stop).reduce_only
    shown = line_of(await portfolio_text(chat), "• ETH short")
    assert shown.startswith(f"• ETH short {entry.filled:f} at 10x: entry 3,000.00") and "liq. 3,2" in shown


async def test_a_futures_account_in_hedge_mode_is_refused_in_chat_and_nothing_is_stored(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness, venues: dict[str, FuturesVenue]
) -> None:
    chat, venue = sandbox.chat(813), venues["bybit"]
    venue.account.hedge_mode = True
    ask_testnet = await up_to_testnet(chat, "bybit futures", venue)
    before = await harness.count("exchange_accounts")

    answer = await chat.tap(ask_testnet["message_id"], button(ask_testnet, "Live"))

    refusal = (
        "Your Bybit account is in hedge mode, which tsbot does not trade; switch its position mode to one-way at "
        "the venue, then add it again."
    )
    assert answer["answer"] == refusal
    told = await chat.message(ask_testnet["message_id"])
    assert told["text"] == f"{refusal} Nothing was stored; tap Add an account to try again."
    assert await harness.count("exchange_accounts") == before
