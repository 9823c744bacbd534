"""What the local stand-ins of real exchanges share.

- `SimOrderBook`: what every simulated account does with orders (ids, a clock, look-ups by client order id,
  trades, the stops a market move reaches); `SimulatedAccount` and the futures one (tests/standins/futures.py)
  build on it.
- `SimulatedAccount`: balances and orders in memory, filled against a fixed bid and ask, with a fee in the quote
  asset. Tests read it (orders by client id, balances) and move it (fill a resting order; move the market,
  which fills the resting stops it reaches), and transfer assets in or out as a user does at the venue.
- `StandInServer`: an aiohttp app on 127.0.0.1 at a free port that counts calls per endpoint and injects faults
  into them: a slow answer (after the work is done), HTTP 429, a 5xx, insufficient balance, and a lost answer
  (the work is done, then the connection drops).
"""

import asyncio
import itertools
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from aiohttp import web

ZERO = Decimal(0)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Fault(StrEnum):
    SLOW_ANSWER = "slow_answer"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    LOST_ANSWER = "lost_answer"


class Refusal(StrEnum):
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BELOW_MINIMUM = "below_minimum"
    DUPLICATE = "duplicate"
    TOO_MANY_STOPS = "too_many_stops"
    UNKNOWN_ORDER = "unknown_order"
    # Futures
    REDUCE_ONLY = "reduce_only"  # a reduce-only order that would open or grow a position
    LEVERAGE_TOO_HIGH = "leverage_too_high"
    POSITION_OPEN = "position_open"  # a margin mode switch while a position or an order is open
    POSITION_SIDE = "position_side"  # an order without a position side on an account in hedge mode


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass
class SimMarket:
    """A pair as the venue names it. `min_notional` is what the matching engine refuses below, which a test
    may set above what the venue advertises."""

    venue_id: str
    base: str
    quote: str
    bid: Decimal
    ask: Decimal
    min_notional: Decimal = ZERO
    max_stop_orders: int | None = None  # open stop orders the pair takes (Binance's MAX_NUM_ALGO_ORDERS)


@dataclass
class SimTrade:
    trade_id: str
    price: Decimal
    quantity: Decimal
    fee: Decimal
    time_ms: int


@dataclass
class SimOrder:
    order_id: str
    client_order_id: str | None
    market: SimMarket
    side: str  # buy | sell
    kind: str  # market | limit | stop
    quantity: Decimal
    price: Decimal | None
    created_ms: int
    status: str = "open"  # open | filled | canceled
    filled: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    locked: Decimal = (
        ZERO  # what a resting order holds back: the asset it spends, or a futures order's margin
    )
    reduce_only: bool = False
    updated_ms: int = 0
    trades: list[SimTrade] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def average(self) -> Decimal:
        return self.cost / self.filled if self.filled else ZERO


def btc_and_eth(
    btc: tuple[str, str], eth: tuple[str, str], quote: str, min_notional: tuple[Decimal, Decimal]
) -> list[SimMarket]:
    """The two markets every stand-in trades, as its venue names them ((pair, base) each): BTC at a bid of
    50000 and an ask of 50010, ETH at 3000 and 3000.50."""
    return [
        SimMarket(*btc, quote, Decimal("50000.00"), Decimal("50010.00"), min_notional[0]),
        SimMarket(*eth, quote, Decimal("3000.00"), Decimal("3000.50"), min_notional[1]),
    ]


class SimOrderBook:
    """What a simulated account does with orders whatever it trades: ids, a clock, look-ups by client order id,
    the duplicate check, trades recorded on their order, and the resting stops a market move reaches."""

    def __init__(
        self,
        markets: Iterable[SimMarket],
        new_order_id: Callable[[], str],
        fee_rate: Decimal,
        refuse_open_duplicates: bool,
    ) -> None:
        self.markets = {market.venue_id: market for market in markets}
        self.orders: dict[str, SimOrder] = {}
        self.fee_rate = fee_rate
        self.refuse_open_duplicates = refuse_open_duplicates
        self._new_order_id = new_order_id
        self._trade_ids = itertools.count(1000)
        self._clock_ms = itertools.count(1_700_000_000_000, 1000)

    def now_ms(self) -> int:
        return next(self._clock_ms)

    def orders_with_client_id(self, client_order_id: str) -> list[SimOrder]:
        return [order for order in self.orders.values() if order.client_order_id == client_order_id]

    def by_client_id(self, client_order_id: str) -> SimOrder | None:
        found = self.orders_with_client_id(client_order_id)
        return found[-1] if found else None

    def _open_with(self, client_order_id: str | None) -> bool:
        if client_order_id is None:
            return False
        return any(order.status == "open" for order in self.orders_with_client_id(client_order_id))

    def _new_order(
        self,
        market: SimMarket,
        side: str,
        kind: str,
        quantity: Decimal,
        price: Decimal | None,
        client_order_id: str | None,
    ) -> SimOrder:
        """Not recorded until placed; refused when its client id is an open order's and the venue minds."""
        if self.refuse_open_duplicates and self._open_with(client_order_id):
            raise Refused(Refusal.DUPLICATE)
        now = self.now_ms()
        order = SimOrder(self._new_order_id(), client_order_id, market, side, kind, quantity, price, now)
        order.updated_ms = now
        return order

    def fill(self, order: SimOrder, quantity: Decimal | None = None) -> None:
        """Fill a resting order, wholly or in part, at its own price (as when the market comes to it)."""
        assert order.status == "open" and order.price is not None
        self._execute(order, quantity or order.remaining, order.price)

    def cancel(self, order: SimOrder) -> None:
        if order.status != "open":
            raise Refused(Refusal.UNKNOWN_ORDER)
        self._release(order, order.locked)
        order.status, order.updated_ms = "canceled", self.now_ms()

    def _execute(self, order: SimOrder, quantity: Decimal, price: Decimal) -> None:
        """`quantity` of the order trades at `price`: what it held back for that part is released, the account
        settles the trade and its fee, and the trade is recorded on the order."""
        if order.locked:
            self._release(order, order.locked * quantity / order.remaining)
        fee = quantity * price * self.fee_rate
        self._settle(order, quantity, price, fee)
        self._record_trade(order, quantity, price, fee)

    def _settle(self, order: SimOrder, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        raise NotImplementedError

    def _release(self, order: SimOrder, amount: Decimal) -> None:
        order.locked -= amount

    def _record_trade(self, order: SimOrder, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        now = self.now_ms()
        order.trades.append(SimTrade(str(next(self._trade_ids)), price, quantity, fee, now))
        order.filled += quantity
        order.cost += quantity * price
        order.fee += fee
        order.updated_ms = now
        if order.remaining <= 0:
            order.status = "filled"

    def _reached_stops(self, market: SimMarket, bid: Decimal, ask: Decimal) -> list[SimOrder]:
        """The market moves to a new bid and ask; the resting stops it reaches (a sell stop at or above the bid,
        a buy stop at or below the ask)."""
        market.bid, market.ask = bid, ask
        return [
            order
            for order in self.orders.values()
            if order.market is market
            and order.kind == "stop"
            and order.status == "open"
            and order.price is not None
            and (bid <= order.price if order.side == "sell" else ask >= order.price)
        ]


class SimulatedAccount(SimOrderBook):
    def __init__(
        self,
        markets: Iterable[SimMarket],
        balances: Mapping[str, Decimal],
        new_order_id: Callable[[], str],
        fee_rate: Decimal = Decimal("0.001"),
        refuse_open_duplicates: bool = False,
    ) -> None:
        super().__init__(markets, new_order_id, fee_rate, refuse_open_duplicates)
        self.free: defaultdict[str, Decimal] = defaultdict(Decimal, balances)
        self.locked: defaultdict[str, Decimal] = defaultdict(Decimal)

    def place(
        self,
        venue_id: str,
        side: str,
        kind: str,
        quantity: Decimal,
        price: Decimal | None,
        client_order_id: str | None,
    ) -> SimOrder:
        market = self.markets[venue_id]
        order = self._new_order(market, side, kind, quantity, price, client_order_id)
        touch = market.ask if side == "buy" else market.bid
        if quantity * (price or touch) < market.min_notional:
            raise Refused(Refusal.BELOW_MINIMUM)
        if kind == "stop" and market.max_stop_orders is not None:
            stops = [o for o in self.orders.values() if o.market is market and o.kind == "stop"]
            if sum(o.status == "open" for o in stops) >= market.max_stop_orders:
                raise Refused(Refusal.TOO_MANY_STOPS)
        if crosses(kind, side, price, touch):
            self._require(order, quantity, touch)
            self._execute(order, quantity, touch)
        else:
            self._require(order, quantity, price or touch)
            order.locked = self._spend(order, quantity, price or touch)
            asset = market.quote if side == "buy" else market.base
            self.free[asset] -= order.locked
            self.locked[asset] += order.locked
        self.orders[order.order_id] = order
        return order

    def transfer(self, asset: str, amount: Decimal) -> None:
        """A deposit (positive) or a withdrawal (negative) made at the venue, outside the bot."""
        if self.free[asset] + amount < 0:
            raise ValueError(f"only {self.free[asset]} {asset} is free to withdraw")
        self.free[asset] += amount

    def move(self, venue_id: str, bid: Decimal, ask: Decimal) -> list[SimOrder]:
        """Every resting stop the new bid and ask reach becomes a market order and fills at the touch. The
        stops filled."""
        reached = self._reached_stops(self.markets[venue_id], bid, ask)
        for order in reached:
            self._execute(order, order.remaining, bid if order.side == "sell" else ask)
        return reached

    def _spend(self, order: SimOrder, quantity: Decimal, price: Decimal) -> Decimal:
        if order.side == "buy":
            return quantity * price * (1 + self.fee_rate)
        return quantity

    def _require(self, order: SimOrder, quantity: Decimal, price: Decimal) -> None:
        asset = order.market.quote if order.side == "buy" else order.market.base
        if self._spend(order, quantity, price) > self.free[asset]:
            raise Refused(Refusal.INSUFFICIENT_BALANCE)

    def _release(self, order: SimOrder, amount: Decimal) -> None:
        asset = order.market.quote if order.side == "buy" else order.market.base
        self.locked[asset] -= amount
        self.free[asset] += amount
        super()._release(order, amount)

    def _settle(self, order: SimOrder, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        market, notional = order.market, quantity * price
        if order.side == "buy":
            self.free[market.quote] -= notional + fee
            self.free[market.base] += quantity
        else:
            self.free[market.base] -= quantity
            self.free[market.quote] += notional - fee


class StandInServer:
    """The HTTP side of a stand-in; a venue subclass adds routes and its own error bodies."""

    slow_answer_seconds = 5.0

    def __init__(self) -> None:
        self.app = web.Application()
        self.calls: Counter[str] = Counter()
        self._faults: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.base_url = ""

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        """The next `times` calls of `endpoint` meet `fault`."""
        self._faults[endpoint].extend([fault] * times)

    def heal(self, endpoint: str) -> None:
        """The faults still waiting for `endpoint` are dropped."""
        self._faults[endpoint].clear()

    def route(self, method: str, path: str, endpoint: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, self._with_faults(endpoint, handler))

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def close(self) -> None:
        self._closing.set()  # lets slow answers go at once
        if self._runner is not None:
            await self._runner.cleanup()

    def rate_limited(self) -> web.Response:
        raise NotImplementedError

    def insufficient_balance(self) -> web.Response:
        raise NotImplementedError

    def _with_faults(self, endpoint: str, handler: Handler) -> Handler:
        async def serve(request: web.Request) -> web.StreamResponse:
            self.calls[endpoint] += 1
            queued = self._faults[endpoint]
            fault = queued.popleft() if queued else None
            if fault is Fault.RATE_LIMITED:
                return self.rate_limited()
            if fault is Fault.SERVER_ERROR:
                return web.Response(status=503, text="<html><h1>503 Service Unavailable</h1></html>")
            if fault is Fault.INSUFFICIENT_BALANCE:
                return self.insufficient_balance()
            response = await handler(request)
            if fault is Fault.SLOW_ANSWER:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), self.slow_answer_seconds)
            elif fault is Fault.LOST_ANSWER and request.transport is not None:
                request.transport.close()
            return response

        return serve


def crosses(kind: str, side: str, price: Decimal | None, touch: Decimal) -> bool:
    """Whether an order trades at once: a market order, or a limit order priced through the touch."""
    if kind == "market":
        return True
    return kind == "limit" and price is not None and (price >= touch if side == "buy" else price <= touch)


def plain(value: Decimal, places: int = 8) -> str:
    """A number as venues write them: fixed decimals, no exponent."""
    return f"{value:.{places}f}"
