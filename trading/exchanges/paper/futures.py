"""The paper exchange's futures account as a DerivativesGateway: linear perpetuals on the simulated market's
pairs (trading.exchanges.paper.perpetuals), in one-way mode, booked with the futures book's arithmetic
(trading.domain.futures_ledger), which the venue keeps in its own tables.

On every call the venue first matches the account's resting orders, then settles on its own what is due: the
funding of each open position at every funding time it has met since the last (at the mark then), and the
liquidation of a position whose margin the mark has used up, closed at the mark. Both are recorded as the
account's events (account_events), which the core books and tells its trader.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from trading.domain.accounts import AssetBalance
from trading.domain.errors import InsufficientFunds, InvalidInput, InvalidOrder
from trading.domain.futures import FundingRate, FuturesPosition, MarginMode, PositionMode
from trading.domain.futures_events import FuturesEvent, Liquidated
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_math import settle_currency
from trading.domain.ledger import ZERO
from trading.domain.market import BookLevel, Market
from trading.domain.money import canonical
from trading.exchanges.paper.perpetuals import (
    PerpetualMarkets,
    funding_times,
    next_funding_at,
    simulated_rate,
)
from trading.exchanges.paper.store import PaperFuturesSession, PaperOrder, PaperStore, PerpetualTerms
from trading.exchanges.paper.venue import PaperVenue
from trading.ports import Clock, MarketData

# A symbol's settings before the trader sets any.
DEFAULT_TERMS = PerpetualTerms(Decimal(1), MarginMode.ISOLATED)


@dataclass(frozen=True, slots=True)
class FuturesAccount:
    book: FuturesBook
    terms: Mapping[str, PerpetualTerms]

    def terms_of(self, symbol: str) -> PerpetualTerms:
        return self.terms.get(symbol, DEFAULT_TERMS)


def _terms_asked(
    account: FuturesAccount, symbol: str, leverage: Decimal | None, margin_mode: MarginMode | None
) -> PerpetualTerms:
    """The symbol's terms with those asked for. A position keeps the terms it was opened on, as Binance's do: a
    change waits until it is closed (InvalidOrder)."""
    terms = account.terms_of(symbol)
    wanted = replace(terms, leverage=leverage or terms.leverage, margin_mode=margin_mode or terms.margin_mode)
    position = account.book.positions.get(symbol)
    if position is not None and (position.leverage, position.margin_mode) != (
        wanted.leverage,
        wanted.margin_mode,
    ):
        raise InvalidOrder(
            f"Your {symbol} {position.side} is open at {canonical(position.leverage)}x "
            f"{position.margin_mode}: its leverage and margin mode stay until it is closed."
        )
    return wanted


class PaperFuturesExchange(PaperVenue[FuturesAccount, PaperFuturesSession]):
    def __init__(self, account_id: int, store: PaperStore, pairs: MarketData, clock: Clock) -> None:
        self._perpetuals = PerpetualMarkets(pairs)
        super().__init__(account_id, self._perpetuals, clock)
        self._store = store

    # DerivativesGateway

    async def holds_stops(self, symbol: str) -> bool:
        """The core holds a position's stop and targets and sends them reduce-only when reached, as on spot."""
        return False

    async def position_mode(self) -> PositionMode:
        return PositionMode.ONE_WAY

    async def set_leverage(self, symbol: str, leverage: Decimal) -> None:
        market = await self.market(symbol)
        assert market.max_leverage is not None
        if not 1 <= leverage <= market.max_leverage or leverage != leverage.to_integral_value():
            raise InvalidOrder(
                f"{symbol} takes a whole leverage from 1x to {market.max_leverage}x, not {canonical(leverage)}x."
            )
        await self._set_terms(symbol, leverage=leverage)

    async def set_margin_mode(self, symbol: str, mode: MarginMode) -> None:
        await self.market(symbol)
        await self._set_terms(symbol, margin_mode=mode)

    async def _set_terms(
        self, symbol: str, *, leverage: Decimal | None = None, margin_mode: MarginMode | None = None
    ) -> None:
        async with self._session(read_only=True) as session:
            terms, positions = await session.perpetuals(self._account_id)
        seen = FuturesAccount(FuturesBook(positions=positions), terms)
        if _terms_asked(seen, symbol, leverage, margin_mode) == seen.terms_of(symbol):
            return  # as asked already, as every futures order asks them: nothing to write, no lock taken
        async with self._session() as session:
            account = await self._load(session)
            wanted = _terms_asked(account, symbol, leverage, margin_mode)
            if wanted != account.terms_of(symbol):
                await self._save(session, replace(account, terms={**account.terms, symbol: wanted}))
                await session.commit()

    async def positions(self, symbols: Sequence[str] | None = None) -> Sequence[FuturesPosition]:
        account, _ = await self._current()
        held = [s for s in sorted(account.book.positions) if symbols is None or s in symbols]
        marks = await self._marks(account.book)
        now = self._clock.now()
        return [account.book.view(symbol, marks, now) for symbol in held]

    async def funding_rate(self, symbol: str) -> FundingRate:
        ticker = await self.ticker(symbol)
        now = self._clock.now()
        return FundingRate(symbol, simulated_rate(ticker), ticker.last, next_funding_at(now))

    async def account_events(self, since: datetime | None) -> Sequence[FuturesEvent]:
        """Funding settled and positions liquidated at `since` or later (all, where None), oldest first."""
        await self._current()  # what is due now is settled first
        async with self._session(read_only=True) as session:
            return await session.events_since(self._account_id, since)

    # The account

    def _session(self, *, read_only: bool = False) -> PaperFuturesSession:
        return self._store.futures_session(read_only=read_only)

    async def _load(self, session: PaperFuturesSession) -> FuturesAccount:
        wallets = await session.balances(self._account_id)
        terms, positions = await session.perpetuals(self._account_id)
        return FuturesAccount(FuturesBook(wallets=wallets, positions=positions), terms)

    async def _save(self, session: PaperFuturesSession, state: FuturesAccount) -> None:
        await session.set_balances(self._account_id, state.book.wallets)
        await session.set_perpetuals(self._account_id, state.terms, state.book.positions)

    def _settle(
        self, state: FuturesAccount, order: PaperOrder, level: BookLevel, fee: Decimal
    ) -> FuturesAccount:
        symbol, terms = order.symbol, state.terms_of(order.symbol)
        try:
            fill = state.book.apply_fill(
                symbol,
                order.side,
                level.amount,
                level.price,
                fee,
                leverage=terms.leverage,
                margin_mode=terms.margin_mode,
                reduce_only=order.reduce_only,
            )
        except InvalidInput as error:  # the venue cancels what the account cannot take now
            raise InsufficientFunds(error.message) from None
        before, after = state.book.positions.get(symbol), fill.book.positions.get(symbol)
        if after is None:
            terms = replace(terms, funded_until=None)
        elif before is None or before.side is not after.side:  # it pays from the first funding time after now
            terms = replace(terms, funded_until=self._clock.now())
        return FuturesAccount(fill.book, {**state.terms, symbol: terms})

    def _fillable(self, state: FuturesAccount, order: PaperOrder) -> Decimal:
        if not order.reduce_only:
            return order.remaining
        position = state.book.positions.get(order.symbol)
        if position is None or position.side.closing_side is not order.side:
            return ZERO
        return min(order.remaining, position.size)

    def _check_funds(
        self,
        order: PaperOrder,
        market: Market,
        slices: list[BookLevel],
        state: FuturesAccount,
        reserved: Mapping[str, Decimal],
    ) -> None:
        if order.reduce_only:  # it only ever releases margin; a venue takes it below the minimum notional too
            if order.quantity <= 0:
                raise InvalidOrder(
                    f"A reduce-only {order.side} of {order.symbol} has no position to reduce: it was not placed."
                )
            return
        reference = self._reference(order, market, slices)
        terms = state.terms_of(order.symbol)
        fee = order.quantity * reference * market.taker_fee
        try:
            after = state.book.apply_fill(
                order.symbol,
                order.side,
                order.quantity,
                reference,
                fee,
                leverage=terms.leverage,
                margin_mode=terms.margin_mode,
            ).book
        except InvalidInput as error:
            raise InvalidOrder(error.message) from None
        currency = settle_currency(order.symbol)
        held_back = reserved.get(currency, ZERO)
        if after.available(currency) < held_back:
            needed = state.book.available(currency) - after.available(currency)
            raise InsufficientFunds(
                f"This order needs {needed:,.2f} {currency} of margin and fees; "
                f"{state.book.available(currency) - held_back:,.2f} {currency} is available."
            )

    def _reservation(self, order: PaperOrder, market: Market, state: FuturesAccount) -> tuple[str, Decimal]:
        """A resting order that may open holds back its margin and fee; a reduce-only one, nothing."""
        currency = settle_currency(order.symbol)
        if order.reduce_only or order.price is None:
            return currency, ZERO
        notional = order.remaining * order.price
        return currency, notional / state.terms_of(order.symbol).leverage + notional * market.taker_fee

    def _balances_of(self, state: FuturesAccount, reserved: Mapping[str, Decimal]) -> dict[str, AssetBalance]:
        """The wallet of each settle currency; free: what is not margin in use or held back by resting orders."""
        book = state.book
        return {
            currency: AssetBalance(currency, book.available(currency) - reserved.get(currency, ZERO), wallet)
            for currency, wallet in sorted(book.wallets.items())
        }

    # What the venue settles on its own

    async def _marks(self, book: FuturesBook) -> dict[str, Decimal]:
        return {symbol: await self._perpetuals.mark(symbol) for symbol in book.positions}

    async def _anything_due(self, state: FuturesAccount) -> bool:
        now = self._clock.now()
        marks = await self._marks(state.book)
        return any(
            funding_times(state.terms_of(symbol).funded_until or now, now)
            or state.book.liquidates(symbol, marks[symbol], marks)
            for symbol in state.book.positions
        )

    async def _settle_due(
        self, session: PaperFuturesSession, state: FuturesAccount
    ) -> tuple[FuturesAccount, bool]:
        settled, events = await self._fund(state)
        settled, liquidations = await self._liquidate(settled)
        events += liquidations
        if settled == state:
            return state, False
        await session.add_events(self._account_id, events)
        return settled, True

    async def _fund(self, state: FuturesAccount) -> tuple[FuturesAccount, list[FuturesEvent]]:
        """Each open position's funding at every funding time since it was last settled, at the mark now."""
        now = self._clock.now()
        book, terms, events = state.book, dict(state.terms), []
        for symbol in sorted(book.positions):
            symbol_terms = state.terms_of(symbol)
            settled_until = symbol_terms.funded_until or now
            for at in funding_times(settled_until, now):
                ticker = await self.ticker(symbol)
                effect = book.apply_funding(symbol, simulated_rate(ticker), ticker.last, at)
                book, settled_until = effect.book, at
                events.append(FuturesEvent("", effect.payment))
            terms[symbol] = replace(symbol_terms, funded_until=settled_until)
        return FuturesAccount(book, terms), events

    async def _liquidate(self, state: FuturesAccount) -> tuple[FuturesAccount, list[FuturesEvent]]:
        """Close, at the mark, every position the marks have taken past its maintenance margin (one at a time:
        a cross liquidation changes what backs the others)."""
        book, terms, events = state.book, dict(state.terms), []
        marks = await self._marks(book)
        while reached := [s for s in sorted(book.positions) if book.liquidates(s, marks[s], marks)]:
            symbol = reached[0]
            position = book.positions[symbol]
            effect = book.liquidate(symbol, marks[symbol], marks)
            book = effect.book
            terms[symbol] = replace(terms[symbol], funded_until=None)
            detail = Liquidated(
                symbol,
                position.side,
                position.size,
                marks[symbol],
                effect.realised_pnl,
                effect.clearance_fee,
                self._clock.now(),
            )
            events.append(FuturesEvent("", detail))
        return FuturesAccount(book, terms), events
