"""The paper exchange's order flow, shared by its spot and futures accounts: one account's orders, books
persisted through a PaperStore, matched against the simulated market.

Resting orders are matched lazily: every call first lets the market come through the account's open orders,
at most once a second for each (the book replenishes between seconds, so large orders fill over time). What an
account holds and how a trade moves it is the subclass's: balances of coins on spot (gateway.PaperExchange), a
wallet and margined positions on futures (futures.PaperFuturesExchange).
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Generic, TypeVar

from trading.domain.accounts import PAPER, AssetBalance
from trading.domain.enums import OrderStatus, OrderType
from trading.domain.errors import InsufficientFunds, InvalidInput, InvalidOrder, OrderNotFound
from trading.domain.ledger import ZERO
from trading.domain.market import BookLevel, Market, Ticker
from trading.domain.orders import ExchangeOrder, ExchangeTrade, OrderRequest
from trading.exchanges.paper.matching import fills_for, triggered
from trading.exchanges.paper.store import PaperOrder, PaperSession
from trading.ports import Clock, MarketData

BOOK_DEPTH = 20
FEE_SCALE = Decimal("1e-12")

StateT = TypeVar("StateT")
SessionT = TypeVar("SessionT", bound=PaperSession)


class PaperVenue(ABC, Generic[StateT, SessionT]):
    """`StateT`: what the account holds, as read in one session of `SessionT`."""

    name = PAPER

    def __init__(self, account_id: int, market: MarketData, clock: Clock) -> None:
        self._account_id = account_id
        self._market = market
        self._clock = clock

    # What each kind of account keeps, and how a trade moves it.

    @abstractmethod
    def _session(self, *, read_only: bool = False) -> SessionT: ...

    @abstractmethod
    async def _load(self, session: SessionT) -> StateT:
        """What the account holds; locked until commit (serialising its orders) unless the session only reads."""

    @abstractmethod
    async def _save(self, session: SessionT, state: StateT) -> None: ...

    @abstractmethod
    def _settle(self, state: StateT, order: PaperOrder, level: BookLevel, fee: Decimal) -> StateT:
        """The state after one trade of the order; InsufficientFunds where the account cannot take it."""

    @abstractmethod
    def _check_funds(
        self,
        order: PaperOrder,
        market: Market,
        slices: list[BookLevel],
        state: StateT,
        reserved: Mapping[str, Decimal],
    ) -> None:
        """Raise where the account cannot take the new order (its first slices now, the rest resting)."""

    @abstractmethod
    def _reservation(self, order: PaperOrder, market: Market, state: StateT) -> tuple[str, Decimal]:
        """What a resting order holds back, and of which asset."""

    @abstractmethod
    def _balances_of(self, state: StateT, reserved: Mapping[str, Decimal]) -> dict[str, AssetBalance]: ...

    def _fillable(self, state: StateT, order: PaperOrder) -> Decimal:
        """How much of the order may trade now (a reduce-only one: no more than the position)."""
        return order.remaining

    async def _settle_due(self, session: SessionT, state: StateT) -> tuple[StateT, bool]:
        """What the venue does on its own once the orders are matched (futures: funding, liquidations); the
        state after, and whether it changed."""
        return state, False

    async def _anything_due(self, state: StateT) -> bool:
        """Whether _settle_due has something to do now, read without a lock."""
        return False

    # ExchangeGateway

    async def markets(self) -> Mapping[str, Market]:
        return await self._market.markets()

    async def market(self, symbol: str) -> Market:
        return await self._market.market(symbol)

    async def ticker(self, symbol: str) -> Ticker:
        return await self._market.ticker(symbol)

    async def deposit(self, asset: str, amount: Decimal) -> None:
        if amount <= 0:
            raise InvalidInput("A deposit must be a positive amount.")
        async with self._session() as session:
            balances = await session.balances(self._account_id)
            balances[asset] = balances.get(asset, ZERO) + amount
            await session.set_balances(self._account_id, balances)
            await session.commit()

    async def balances(self) -> Mapping[str, AssetBalance]:
        state, open_orders = await self._current()
        return self._balances_of(state, await self._reserved(open_orders, state))

    async def _current(self) -> tuple[StateT, list[PaperOrder]]:
        """The account and its open orders, read without a lock unless the market has reached one of them or the
        venue has something of its own to settle: then matched and settled first."""
        async with self._session(read_only=True) as session:
            state = await self._load(session)
            open_orders = list(await session.open_orders(self._account_id))
        step = self._step()
        if any([await self._due(order, step) for order in open_orders]) or await self._anything_due(state):
            async with self._session() as session:
                state, open_orders, _ = await self._match_resting(session)
                await session.commit()
        return state, open_orders

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        market = await self._market.market(request.symbol)
        quantity, price = self._validated(request, market)
        book = await self._market.order_book(request.symbol, BOOK_DEPTH)
        async with self._session() as session:
            state, open_orders, existing = await self._match_resting(session, request.client_order_id)
            if existing is not None:  # a retried request: the venue places each client order id once
                return await self._report(session, existing)
            order = PaperOrder(
                id=0,
                account_id=self._account_id,
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                order_type=request.order_type,
                quantity=quantity,
                price=price,
                status=OrderStatus.OPEN,
                filled=ZERO,
                fee=ZERO,
                last_step=-1,
                created_at=self._clock.now(),
                reduce_only=request.reduce_only,
            )
            order = replace(order, quantity=self._fillable(state, order))
            slices = fills_for(request.order_type, request.side, order.quantity, price, book, resting=False)
            self._check_funds(order, market, slices, state, await self._reserved(open_orders, state))
            trades: tuple[ExchangeTrade, ...] = ()
            if request.order_type is OrderType.STOP:  # rests until the market reaches it
                order = await session.add_order(order)
            else:
                order, state, trades = await self._execute(session, order, slices, market, state, maker=False)
                await self._save(session, state)
            report = self._report_of(order, trades)
            await session.commit()
        return report

    async def fetch_order(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        async with self._session() as session:
            _, _, order = await self._match_resting(session, client_order_id)
            report = None if order is None else await self._report(session, order)
            await session.commit()
        return report

    async def cancel_order(self, symbol: str, client_order_id: str) -> ExchangeOrder:
        async with self._session() as session:
            _, _, order = await self._match_resting(session, client_order_id)
            if order is None:
                raise OrderNotFound(f"The exchange has no order {client_order_id}.")
            if not order.status.is_final:
                order = replace(order, status=OrderStatus.CANCELLED)
                await session.update_order(order)
            report = await self._report(session, order)
            await session.commit()
        return report

    async def close(self) -> None:
        return None

    # The order flow

    @staticmethod
    def _validated(request: OrderRequest, market: Market) -> tuple[Decimal, Decimal | None]:
        if request.quantity <= 0:
            raise InvalidOrder("The amount must be more than zero.")
        if request.order_type is OrderType.MARKET:
            return market.round_amount(request.quantity), None
        if request.price is None or request.price <= 0:
            raise InvalidOrder(f"A {request.order_type.value} order needs a positive price.")
        return market.round_amount(request.quantity), market.round_price(request.price)

    @staticmethod
    def _reference(order: PaperOrder, market: Market, slices: list[BookLevel]) -> Decimal:
        """The price a new order is checked at: its own, or the best it takes now."""
        reference = order.price if order.price is not None else (slices[0].price if slices else None)
        if reference is None:
            raise InvalidOrder(f"There is no liquidity in {market.symbol} right now.")
        market.check_minimums(order.quantity, reference)
        return reference

    async def _reserved(self, open_orders: Sequence[PaperOrder], state: StateT) -> dict[str, Decimal]:
        reserved: dict[str, Decimal] = {}
        for order in open_orders:
            market = await self._market.market(order.symbol)
            asset, amount = self._reservation(order, market, state)
            reserved[asset] = reserved.get(asset, ZERO) + amount
        return reserved

    async def _due(self, order: PaperOrder, step: int) -> bool:
        """The market has reached a resting order it has not yet come through this step."""
        if order.last_step >= step:
            return False
        ticker = await self._market.ticker(order.symbol)
        return triggered(order.order_type, order.side, order.price, ticker)

    async def _match_resting(
        self, session: SessionT, client_order_id: str | None = None
    ) -> tuple[StateT, list[PaperOrder], PaperOrder | None]:
        """The account and the orders still open after the market has come through them, and after what the
        venue settles on its own; and the order `client_order_id` names, as it is after that, if the venue has
        it (read in the same statement)."""
        state = await self._load(session)
        step = self._step()
        changed = False
        still_open: list[PaperOrder] = []
        named: PaperOrder | None = None
        for order in await session.open_orders(self._account_id, with_order=client_order_id):
            if order.status.is_live and await self._due(order, step):
                order, state = await self._come_through(session, order, state)
                changed = True
            if order.status.is_live:
                still_open.append(order)
            if order.client_order_id == client_order_id:
                named = order
        state, settled = await self._settle_due(session, state)
        if changed or settled:
            await self._save(session, state)
        return state, still_open, named

    async def _come_through(
        self, session: SessionT, order: PaperOrder, state: StateT
    ) -> tuple[PaperOrder, StateT]:
        """The market reached a resting order: it trades what the book has, within what it may trade now."""
        fillable = self._fillable(state, order)
        if fillable <= 0:  # a reduce-only order with nothing left to reduce
            order = replace(order, status=OrderStatus.CANCELLED, last_step=self._step())
            await session.update_order(order)
            return order, state
        order = replace(order, quantity=order.filled + fillable)
        book = await self._market.order_book(order.symbol, BOOK_DEPTH)
        slices = fills_for(order.order_type, order.side, fillable, order.price, book, resting=True)
        market = await self._market.market(order.symbol)
        maker = order.order_type is OrderType.LIMIT
        order, state, _ = await self._execute(session, order, slices, market, state, maker=maker)
        return order, state

    async def _execute(
        self,
        session: SessionT,
        order: PaperOrder,
        slices: list[BookLevel],
        market: Market,
        state: StateT,
        maker: bool,
    ) -> tuple[PaperOrder, StateT, tuple[ExchangeTrade, ...]]:
        """Trade the slices and write the order after them (a new one, without an id yet, is inserted as it
        stands after them) with its new trades: the order after, the state after, and its trades so far."""
        fee_rate = market.maker_fee if maker else market.taker_fee
        now = self._clock.now()
        filled, fee, status = order.filled, order.fee, order.status
        traded: list[tuple[BookLevel, Decimal]] = []
        for level in slices:
            trade_fee = (level.amount * level.price * fee_rate).quantize(FEE_SCALE)
            try:
                state = self._settle(state, order, level, trade_fee)
            except InsufficientFunds:
                # A stop that gapped past what the account holds: the venue cancels the rest, as real ones do.
                status = OrderStatus.CANCELLED
                break
            traded.append((level, trade_fee))
            filled += level.amount
            fee += trade_fee
        if status is not OrderStatus.CANCELLED:
            status = self._status_after(order, filled)
        updated = replace(order, filled=filled, fee=fee, status=status, last_step=self._step())
        if order.id:
            earlier = list(await session.trades(order.id)) if order.filled else []
            await session.update_order(updated)
        else:
            earlier, updated = [], await session.add_order(updated)
        trades = earlier + [
            ExchangeTrade(f"{updated.id}-{n}", level.amount, level.price, level_fee, market.quote, now)
            for n, (level, level_fee) in enumerate(traded, start=len(earlier) + 1)
        ]
        await session.add_trades(updated.id, trades[len(earlier) :])
        return updated, state, tuple(trades)

    @staticmethod
    def _status_after(order: PaperOrder, filled: Decimal) -> OrderStatus:
        if filled >= order.quantity:
            return OrderStatus.FILLED
        if order.order_type is not OrderType.LIMIT:
            # A market order, or a triggered stop, takes what the book has; the rest expires.
            return OrderStatus.EXPIRED
        return OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.OPEN

    def _step(self) -> int:
        return int(self._clock.now().timestamp())

    async def _report(self, session: SessionT, order: PaperOrder) -> ExchangeOrder:
        return self._report_of(order, tuple(await session.trades(order.id)))

    @staticmethod
    def _report_of(order: PaperOrder, trades: tuple[ExchangeTrade, ...]) -> ExchangeOrder:
        filled_value = sum((t.quantity * t.price for t in trades), ZERO)
        return ExchangeOrder(
            exchange_order_id=f"P{order.id}",
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            order_type=order.order_type,
            quantity=order.quantity,
            price=order.price,
            status=order.status,
            filled=order.filled,
            average_price=filled_value / order.filled if order.filled else None,
            fee=order.fee,
            trades=tuple(trades),
        )
