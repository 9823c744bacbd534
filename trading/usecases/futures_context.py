"""A futures account and its market as a new order finds them: what a futures preview (an order's, a signal
plan's) prices, margins and checks against."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.futures import FuturesPosition, MarginMode, PositionSide
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_math import settle_currency
from trading.domain.ledger import ZERO
from trading.domain.market import Market, Ticker, parse_symbol
from trading.domain.money import canonical
from trading.domain.risk import (
    OrderExposure,
    RiskContext,
    RiskLimits,
    check_margin_cap,
    check_risk,
    effective_limits,
)
from trading.ports import DerivativesGateway
from trading.usecases.core import Core
from trading.usecases.futures_events import book_reachable_events
from trading.usecases.pricing import free_of
from trading.usecases.routing import derivatives, futures_account

# The margin mode of the positions the core opens: a position's loss stays within its own margin.
MARGIN_MODE = MarginMode.ISOLATED


@dataclass(frozen=True, slots=True)
class FuturesState:
    """The core's book of the account (its venue's events booked first), the user's limits in force and
    today's realised P&L."""

    account: ExchangeAccount
    book: FuturesBook
    limits: RiskLimits
    realised_today: Decimal


@dataclass(frozen=True, slots=True)
class MarketNow:
    """A perpetual as the venue shows it now: its market, price, the account's position there, what the
    account has free for margin, and the funding rate."""

    gateway: DerivativesGateway
    market: Market
    ticker: Ticker
    held: FuturesPosition | None
    free: Decimal
    funding_rate: Decimal

    @property
    def base(self) -> str:
        return self.market.base


async def futures_state(core: Core, user_id: int, account_id: int | None) -> FuturesState:
    async with core.uow(read_only=True) as uow:
        account = await futures_account(uow, user_id, account_id)
    await book_reachable_events(core, account.id)
    async with core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(account.id)
        limits = effective_limits(core.config.limits, await uow.risk_settings.get(user_id))
        today = core.clock.now().date()
        realised_today = sum((await uow.ledgers.pnl_by_day(account.id, today)).values(), ZERO)
    return FuturesState(account, book, limits, realised_today)


async def market_now(core: Core, account_id: int, symbol: str) -> MarketNow:
    gateway = await derivatives(core, account_id)
    market = await gateway.market(symbol)
    held = next(iter(await gateway.positions([symbol])), None)
    free = free_of(await gateway.balances(), settle_currency(symbol))
    funding = await gateway.funding_rate(symbol)
    return MarketNow(gateway, market, await gateway.ticker(symbol), held, free, funding.rate)


def check_one_position(now: MarketNow, side: PositionSide, leverage: Decimal) -> None:
    """One position a market, kept on the terms it was opened on: an opposite one is closed first, and an add
    takes the position's leverage."""
    held = now.held
    if held is None:
        return
    if held.side is not side:
        raise InvalidInput(
            f"Your {now.base} {held.side} of {canonical(held.size)} is open: close it first ('close my "
            f"{now.base.lower()} {held.side}'), as one position a market is kept."
        )
    if held.leverage != leverage:
        raise InvalidInput(
            f"Your {now.base} {side} is open at {canonical(held.leverage)}x: an add keeps its leverage, so ask "
            f"for {canonical(held.leverage)}x."
        )


def opened(
    book: FuturesBook,
    symbol: str,
    side: Side,
    fills: Sequence[tuple[Decimal, Decimal, Decimal]],
    leverage: Decimal,
    margin_mode: MarginMode = MARGIN_MODE,
) -> FuturesBook:
    """The book after the fills (quantity, price, fee) open or add to the position: InsufficientFunds where its
    margin is not there, InvalidInput where the market's brackets refuse the leverage or the size, or an add
    asks for another margin mode than the position's."""
    for quantity, price, fee in fills:
        book = book.apply_fill(
            symbol, side, quantity, price, fee, leverage=leverage, margin_mode=margin_mode
        ).book
    return book


async def marks_of(book: FuturesBook, now: MarketNow) -> dict[str, Decimal]:
    """The marks of the book's positions and of the market priced now (what a cross wallet is valued at)."""
    marks = {s: (await now.gateway.ticker(s)).last for s in book.positions}
    marks[now.market.symbol] = now.ticker.last
    return marks


def check_free(now: MarketNow, needed: Decimal) -> None:
    """The venue's own view: what resting orders hold back there is not free for margin."""
    if needed > now.free:
        currency = now.market.quote
        raise InsufficientFunds(
            f"This needs {needed:,.2f} {currency} of margin and fees; {now.free:,.2f} {currency} is free."
        )


async def check_futures_risk(
    state: FuturesState, now: MarketNow, exposure: OrderExposure, margin: Decimal
) -> None:
    """The risk limits, with the account valued at its marks; `margin`: what the order puts up."""
    book, symbol = state.book, exposure.symbol
    marks = await marks_of(book, now)
    currency = settle_currency(symbol)
    position = book.positions.get(symbol)
    equity = book.equity(currency, marks)
    context = RiskContext(
        currency,
        equity,
        position.size * marks[symbol] if position is not None else ZERO,
        len(book.positions),
        position is not None,
        state.realised_today,
    )
    check_risk(exposure, context, state.limits)
    check_margin_cap(book.margin_in_use(currency), margin, equity, state.limits, currency)


def base_of(symbol: str) -> str:
    return parse_symbol(symbol)[0]
