"""A one-way futures account in memory, shared by the derivatives stand-ins (Binance USDⓈ-M, Bybit).

Linear perpetuals settled in one currency (USDT). Positions come from fills at the market's bid and ask; the wallet
takes the fees and the realised P&L; each symbol has a leverage (up to its maximum) and a margin mode. An order
that opens or grows a position needs its initial margin (and fee) available; a reduce-only order is refused when
it would open, grow or flip a position (or close more than is held); a stop-market order rests until a market
move reaches it, and a reduce-only one that no longer reduces is then cancelled. An account switched to hedge
mode refuses orders without a position side, as the venues do. Funding and liquidations happen when a test says
(`fund`, `liquidate`), each kept as a record under an id of its own, as the venues list them. The liquidation price uses the isolated formula
with one maintenance rate for every position (the venues' brackets and cross margin are not simulated).
"""

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from tests.standins.venue import ZERO, Refusal, Refused, SimMarket, SimOrder, SimOrderBook, crosses


@dataclass
class SimPosition:
    size: Decimal = ZERO  # signed: above zero long, below zero short
    entry: Decimal = ZERO
    margin: Decimal = ZERO  # the initial margin it holds
    updated_ms: int = 0


@dataclass(frozen=True)
class SimFunding:
    record_id: str
    venue_id: str
    rate: Decimal
    paid: Decimal  # by the account (negative: received)
    mark: Decimal
    size: Decimal
    time_ms: int


@dataclass(frozen=True)
class SimLiquidation:
    record_id: str  # the liquidation order's id
    venue_id: str
    side: str  # the liquidation order's: sell closes a long
    size: Decimal
    price: Decimal
    time_ms: int


class SimulatedFuturesAccount(SimOrderBook):
    maintenance_rate = Decimal("0.004")

    def __init__(
        self,
        markets: Iterable[SimMarket],
        settle: str,
        wallet: Decimal,
        max_leverage: Mapping[str, int],
        new_order_id: Callable[[], str],
        fee_rate: Decimal = Decimal("0.0005"),
        refuse_open_duplicates: bool = False,
    ) -> None:
        super().__init__(markets, new_order_id, fee_rate, refuse_open_duplicates)
        self.settle = settle
        self.wallet = wallet  # deposits + realised P&L - fees
        self.max_leverage = dict(max_leverage)
        self.leverage = dict.fromkeys(self.markets, 20)
        self.isolated = dict.fromkeys(self.markets, False)
        self.positions = {venue_id: SimPosition() for venue_id in self.markets}
        self.hedge_mode = False
        self.fundings: list[SimFunding] = []
        self.liquidations: list[SimLiquidation] = []
        self._record_ids = itertools.count(9_000_000_001)

    # Reading

    def mark(self, venue_id: str) -> Decimal:
        market = self.markets[venue_id]
        return (market.bid + market.ask) / 2

    def unrealised(self, venue_id: str) -> Decimal:
        position = self.positions[venue_id]
        return position.size * (self.mark(venue_id) - position.entry)

    def margin_in_use(self) -> Decimal:
        held = sum((position.margin for position in self.positions.values()), ZERO)
        return held + sum((order.locked for order in self.orders.values() if order.status == "open"), ZERO)

    def equity(self) -> Decimal:
        return self.wallet + sum((self.unrealised(venue_id) for venue_id in self.positions), ZERO)

    def available(self) -> Decimal:
        return self.equity() - self.margin_in_use()

    def liquidation_price(self, venue_id: str) -> Decimal | None:
        position = self.positions[venue_id]
        if not position.size:
            return None
        step = 1 / Decimal(self.leverage[venue_id]) - self.maintenance_rate
        return position.entry * (1 - step if position.size > 0 else 1 + step)

    # Settings

    def set_leverage(self, venue_id: str, leverage: int) -> bool:
        """Whether it changed; refused above the symbol's maximum."""
        if not 1 <= leverage <= self.max_leverage[venue_id]:
            raise Refused(Refusal.LEVERAGE_TOO_HIGH)
        changed = leverage != self.leverage[venue_id]
        self.leverage[venue_id] = leverage
        position = self.positions[venue_id]
        position.margin = abs(position.size) * position.entry / leverage
        return changed

    def set_isolated(self, venue_id: str, isolated: bool) -> bool:
        """Whether it changed; refused while a position or an order is open on the symbol."""
        if isolated == self.isolated[venue_id]:
            return False
        busy = any(o.status == "open" and o.market.venue_id == venue_id for o in self.orders.values())
        if busy or self.positions[venue_id].size:
            raise Refused(Refusal.POSITION_OPEN)
        self.isolated[venue_id] = isolated
        return True

    # Orders

    def place(
        self,
        venue_id: str,
        side: str,
        kind: str,
        quantity: Decimal,
        price: Decimal | None,
        client_order_id: str | None,
        reduce_only: bool = False,
    ) -> SimOrder:
        if self.hedge_mode:
            raise Refused(Refusal.POSITION_SIDE)
        market = self.markets[venue_id]
        order = self._new_order(market, side, kind, quantity, price, client_order_id)
        order.reduce_only = reduce_only
        touch = market.ask if side == "buy" else market.bid
        if not reduce_only and quantity * (price or touch) < market.min_notional:
            raise Refused(Refusal.BELOW_MINIMUM)
        if reduce_only and not self._reduces(venue_id, side, quantity):
            raise Refused(Refusal.REDUCE_ONLY)
        needed = self._margin_for(venue_id, side, quantity, price if kind == "limit" and price else touch)
        if kind != "stop" and needed + quantity * touch * self.fee_rate > self.available():
            raise Refused(Refusal.INSUFFICIENT_BALANCE)
        if crosses(kind, side, price, touch):
            self._execute(order, quantity, touch)
        elif kind == "limit":
            order.locked = needed
        self.orders[order.order_id] = order
        return order

    def move(self, venue_id: str, bid: Decimal, ask: Decimal) -> list[SimOrder]:
        """The resting stops the new bid and ask reach fill at the touch (a reduce-only one that would no longer
        reduce is cancelled). The stops reached."""
        reached = self._reached_stops(self.markets[venue_id], bid, ask)
        for order in reached:
            if order.reduce_only and not self._reduces(venue_id, order.side, order.remaining):
                order.status, order.updated_ms = "canceled", self.now_ms()
            else:
                self._execute(order, order.remaining, bid if order.side == "sell" else ask)
        return reached

    def transfer(self, amount: Decimal) -> None:
        self.wallet += amount

    # What the venue does on its own

    def fund(self, venue_id: str, rate: Decimal) -> SimFunding:
        """Settle funding on the symbol's position at the mark: a long pays a positive rate, a short receives it."""
        position, mark = self.positions[venue_id], self.mark(venue_id)
        paid = position.size * mark * rate
        self.wallet -= paid
        record = SimFunding(
            str(next(self._record_ids)), venue_id, rate, paid, mark, abs(position.size), self.now_ms()
        )
        self.fundings.append(record)
        return record

    def liquidate(self, venue_id: str, price: Decimal, size: Decimal | None = None) -> SimLiquidation:
        """The engine closes the symbol's position at `price`, its margin gone, and cancels its reduce-only
        orders; or, given a `size` below the position's, closes that much of it (a partial liquidation)."""
        position = self.positions[venue_id]
        side = "sell" if position.size > 0 else "buy"
        closed = min(size or abs(position.size), abs(position.size))
        record = SimLiquidation(str(next(self._record_ids)), venue_id, side, closed, price, self.now_ms())
        self.liquidations.append(record)
        if closed < abs(position.size):
            self._shrink(venue_id, position, closed if side == "buy" else -closed, price)
            return record
        self.wallet -= position.margin
        self.positions[venue_id] = SimPosition(updated_ms=record.time_ms)
        for order in self.orders.values():
            if order.market.venue_id == venue_id and order.reduce_only and order.status == "open":
                order.status, order.updated_ms = "canceled", record.time_ms
        return record

    def _reduces(self, venue_id: str, side: str, quantity: Decimal) -> bool:
        size = self.positions[venue_id].size
        closing = size > 0 if side == "sell" else size < 0
        return closing and quantity <= abs(size)

    def _margin_for(self, venue_id: str, side: str, quantity: Decimal, price: Decimal) -> Decimal:
        """The initial margin of the part of an order that opens or grows a position."""
        size = self.positions[venue_id].size
        growing = size >= 0 if side == "buy" else size <= 0
        opening = quantity if growing else max(ZERO, quantity - abs(size))
        return opening * price / self.leverage[venue_id]

    def _settle(self, order: SimOrder, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        venue_id = order.market.venue_id
        self.wallet -= fee
        position, signed = self.positions[venue_id], quantity if order.side == "buy" else -quantity
        if position.size * signed >= 0:
            self._grow(venue_id, position, signed, price)
        else:
            self._shrink(venue_id, position, signed, price)
        position.updated_ms = self.now_ms()

    def _grow(self, venue_id: str, position: SimPosition, signed: Decimal, price: Decimal) -> None:
        size = position.size + signed
        position.entry = (abs(position.size) * position.entry + abs(signed) * price) / abs(size)
        position.margin += abs(signed) * price / self.leverage[venue_id]
        position.size = size

    def _shrink(self, venue_id: str, position: SimPosition, signed: Decimal, price: Decimal) -> None:
        closed = min(abs(signed), abs(position.size))
        direction = 1 if position.size > 0 else -1
        self.wallet += closed * (price - position.entry) * direction
        position.margin -= position.margin * closed / abs(position.size)
        position.size -= closed * direction
        flip = abs(signed) - closed
        if not position.size:
            position.entry, position.margin = ZERO, ZERO
        if flip:
            self._grow(venue_id, position, flip * -direction, price)
