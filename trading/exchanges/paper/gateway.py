"""The paper exchange as an ExchangeGateway: one account, books persisted through a PaperStore.

Resting orders are matched lazily: every call first lets the market come through the account's open orders,
at most once a second for each (the book replenishes between seconds, so large orders fill over time).
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from trading.domain.accounts import PAPER, AssetBalance
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import InsufficientFunds, InvalidInput, InvalidOrder, OrderNotFound
from trading.domain.ledger import ZERO, reservation, settle
from trading.domain.market import BookLevel, Market, Ticker
from trading.domain.orders import ExchangeOrder, ExchangeTrade, OrderRequest
from trading.exchanges.paper.matching import fills_for, triggered
from trading.exchanges.paper.store import PaperOrder, PaperSession, PaperStore
from trading.ports import Clock, MarketData

BOOK_DEPTH = 20
FEE_SCALE = Decimal("1e-12")


class PaperExchange:
    name = PAPER

    def __init__(self, account_id: int, store: PaperStore, market: MarketData, clock: Clock) -> None:
        self._account_id = account_id
        self._store = store
        self._market = market
        self._clock = clock

    async def markets(self) -> Mapping[str, Market]:
        return await self._market.markets()

    async def market(self, symbol: str) -> Market:
        return await self._market.market(symbol)

    async def ticker(self, symbol: str) -> Ticker:
        return await self._market.ticker(symbol)

    async def deposit(self, asset: str, amount: Decimal) -> None:
        if amount <= 0:
            raise InvalidInput("A deposit must be a positive amount.")
        async with self._store.session() as session:
            balances = await session.balances(self._account_id)
            balances[asset] = balances.get(asset, ZERO) + amount
            await session.set_balances(self._account_id, balances)
            await session.commit()

    async def balances(self) -> Mapping[str, AssetBalance]:
        async with self._store.session(read_only=True) as session:
            balances = await session.balances(self._account_id)
            open_orders = await session.open_orders(self._account_id)
        step = self._step()
        if any(
            [await self._due(order, step) for order in open_orders]
        ):  # the market reached one: match first
            async with self._store.session() as session:
                balances, open_orders, _ = await self._match_resting(session)
                await session.commit()
        reserved = await self._reserved(open_orders)
        return {
            asset: AssetBalance(asset, total - reserved.get(asset, ZERO), total)
            for asset, total in sorted(balances.items())
        }

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        market = await self._market.market(request.symbol)
        quantity, price = self._validated(request, market)
        book = await self._market.order_book(request.symbol, BOOK_DEPTH)
        async with self._store.session() as session:
            balances, open_orders, existing = await self._match_resting(session, request.client_order_id)
            if existing is not None:  # a retried request: the venue places each client order id once
                return await self._report(session, existing)
            reserved = await self._reserved(open_orders)
            slices = fills_for(request.order_type, request.side, quantity, price, book, resting=False)
            resting = request.order_type is OrderType.STOP or sum((s.amount for s in slices), ZERO) < quantity
            self._check_funds(request, market, quantity, price, slices, resting, balances, reserved)
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
            )
            trades: tuple[ExchangeTrade, ...] = ()
            if request.order_type is OrderType.STOP:  # rests until the market reaches it
                order = await session.add_order(order)
            else:
                order, balances, trades = await self._execute(
                    session, order, slices, market, balances, maker=False
                )
                await session.set_balances(self._account_id, balances)
            report = self._report_of(order, trades)
            await session.commit()
        return report

    async def fetch_order(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        async with self._store.session() as session:
            _, _, order = await self._match_resting(session, client_order_id)
            report = None if order is None else await self._report(session, order)
            await session.commit()
        return report

    async def cancel_order(self, symbol: str, client_order_id: str) -> ExchangeOrder:
        async with self._store.session() as session:
            _, _, order = await self._match_resting(session, client_order_id)
            if order is None:
                raise OrderNotFound(f"The exchange has no order {client_order_id}.")
            if not order.status.is_final:
                order = replace(order, status=OrderStatus.CANCELLED)
                await session.update_order(order)
            report = await self._report(session, order)
            await session.commit()
        return report

    async def holds_stops(self, symbol: str) -> bool:
        """The paper venue could rest a stop, but the core holds its legs: a stop and its targets would each
        reserve the same coins here, as on a spot venue, and the core sends only the one the market reaches."""
        return False

    async def close(self) -> None:
        return None

    # Internals

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
    def _check_funds(
        request: OrderRequest,
        market: Market,
        quantity: Decimal,
        price: Decimal | None,
        slices: list[BookLevel],
        resting: bool,
        balances: Mapping[str, Decimal],
        reserved: Mapping[str, Decimal],
    ) -> None:
        fee_rate = market.taker_fee
        swept = sum((s.amount * s.price for s in slices), ZERO)
        reference = price if price is not None else (slices[0].price if slices else None)
        if reference is None:
            raise InvalidOrder(f"There is no liquidity in {market.symbol} right now.")
        market.check_minimums(quantity, reference)
        if request.side is Side.BUY:
            asset = market.quote
            rest = quantity - sum((s.amount for s in slices), ZERO)
            needed = swept * (1 + fee_rate) + (rest * reference * (1 + fee_rate) if resting else ZERO)
        else:
            asset, needed = market.base, quantity
        available = balances.get(asset, ZERO) - reserved.get(asset, ZERO)
        if needed > available:
            raise InsufficientFunds(
                f"This order needs {needed:.8f} {asset} but only {available:.8f} {asset} is available.".replace(
                    ".00000000 ", " "
                )
            )

    async def _reserved(self, open_orders: Sequence[PaperOrder]) -> dict[str, Decimal]:
        reserved: dict[str, Decimal] = {}
        for order in open_orders:
            market = await self._market.market(order.symbol)
            asset, amount = reservation(
                order.side, order.symbol, order.remaining, order.price or ZERO, market.taker_fee
            )
            reserved[asset] = reserved.get(asset, ZERO) + amount
        return reserved

    async def _due(self, order: PaperOrder, step: int) -> bool:
        """The market has reached a resting order it has not yet come through this step."""
        if order.last_step >= step:
            return False
        ticker = await self._market.ticker(order.symbol)
        return triggered(order.order_type, order.side, order.price, ticker)

    async def _match_resting(
        self, session: PaperSession, client_order_id: str | None = None
    ) -> tuple[dict[str, Decimal], list[PaperOrder], PaperOrder | None]:
        """Balances and the orders still open after the market has come through them; and the order
        `client_order_id` names, as it is after that, if the venue has it (read in the same statement)."""
        balances = await session.balances(self._account_id)
        step = self._step()
        changed = False
        still_open: list[PaperOrder] = []
        named: PaperOrder | None = None
        for order in await session.open_orders(self._account_id, with_order=client_order_id):
            if order.status.is_live and await self._due(order, step):
                book = await self._market.order_book(order.symbol, BOOK_DEPTH)
                slices = fills_for(
                    order.order_type, order.side, order.remaining, order.price, book, resting=True
                )
                market = await self._market.market(order.symbol)
                maker = order.order_type is OrderType.LIMIT
                order, balances, _ = await self._execute(
                    session, order, slices, market, balances, maker=maker
                )
                changed = True
            if order.status.is_live:
                still_open.append(order)
            if order.client_order_id == client_order_id:
                named = order
        if changed:
            await session.set_balances(self._account_id, balances)
        return balances, still_open, named

    async def _execute(
        self,
        session: PaperSession,
        order: PaperOrder,
        slices: list[BookLevel],
        market: Market,
        balances: dict[str, Decimal],
        maker: bool,
    ) -> tuple[PaperOrder, dict[str, Decimal], tuple[ExchangeTrade, ...]]:
        """Trade the slices and write the order after them (a new one, without an id yet, is inserted as it
        stands after them) with its new trades: the order after, the balances after, and its trades so far."""
        fee_rate = market.maker_fee if maker else market.taker_fee
        now = self._clock.now()
        filled, fee, status = order.filled, order.fee, order.status
        traded: list[tuple[BookLevel, Decimal]] = []
        for level in slices:
            trade_fee = (level.amount * level.price * fee_rate).quantize(FEE_SCALE)
            try:
                balances = settle(
                    balances, order.symbol, order.side, level.amount, level.price, trade_fee, market.quote
                )
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
        return updated, balances, tuple(trades)

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

    async def _report(self, session: PaperSession, order: PaperOrder) -> ExchangeOrder:
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
            trades=trades,
        )
