"""Orders from draft to fill."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import DraftStatus, OrderRole, OrderStatus, OrderType, Side
from trading.domain.futures_orders import FuturesTerms


@dataclass(frozen=True, slots=True)
class Preview:
    """What a confirmation will do with the trader's money, in the market's quote currency. `cost`: the notional
    (on futures, `futures.margin` of it is put up); `futures`: a futures order's terms; `fills_at_once_near`:
    the price now, where a limit order is on the wrong side of it and would fill at once; `risk_percent`: the
    share of the equity the size was taken from (`at_risk` is then no more than it)."""

    price: Decimal
    quantity: Decimal
    cost: Decimal
    fee: Decimal
    at_risk: Decimal
    stop_distance: Decimal | None = None
    stop_distance_pct: Decimal | None = None
    futures: FuturesTerms | None = None
    fills_at_once_near: Decimal | None = None
    risk_percent: Decimal | None = None  # sized from this share of the equity to lose at the stop
    # A signal plan's trailing entry (its source's rules): bought at market once the ask, at or below `price`,
    # turns back up this percentage from its low; armed on Confirm, not placed.
    trailing_entry_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order the trader has seen but not yet confirmed. `id` is short: it rides in callback data."""

    id: str
    user_id: int
    account_id: int
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    preview: Preview
    created_at: datetime
    expires_at: datetime
    status: DraftStatus = DraftStatus.PENDING
    stop_loss: Decimal | None = None
    take_profits: tuple[Decimal, ...] = ()
    leverage: Decimal | None = None
    # The entries of one signal plan share a group and are confirmed together.
    group_id: str | None = None
    # Break-even: once the first target is hit, the stop moves to the entry's price.
    move_stop_to_entry: bool = False
    # A stop moved ("set my eth stop to 3000" where one guards the coins): the stop order this draft moves to
    # its price, in place of a new order.
    replaces_order_id: int | None = None

    @property
    def futures(self) -> FuturesTerms | None:
        return self.preview.futures

    def order(self, client_order_id: str, now: datetime) -> "Order":
        """The order this draft becomes once confirmed, written before its exchange is called: an entry, or the
        close of a futures position (reduce-only)."""
        closes = self.futures is not None and self.futures.reduce_only
        return Order(
            id=0,
            user_id=self.user_id,
            account_id=self.account_id,
            client_order_id=client_order_id,
            symbol=self.symbol,
            side=self.side,
            order_type=self.order_type,
            quantity=self.quantity,
            price=self.price,
            status=OrderStatus.SUBMITTED,
            created_at=now,
            updated_at=now,
            role=OrderRole.CLOSE if closes else OrderRole.ENTRY,
            draft_id=self.id,
        )


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    user_id: int
    account_id: int
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    role: OrderRole = OrderRole.ENTRY
    draft_id: str | None = None
    parent_id: int | None = None
    exchange_order_id: str | None = None
    filled: Decimal = Decimal(0)
    average_price: Decimal | None = None
    fee: Decimal = Decimal(0)
    error: str | None = None

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled


@dataclass(frozen=True, slots=True)
class Fill:
    order_id: int
    trade_id: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What is sent to an exchange. Quantity and price are already rounded to the market's precision."""

    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None = None
    # Futures: an order that may only shrink the position, never open or flip one.
    reduce_only: bool = False


@dataclass(frozen=True, slots=True)
class ExchangeTrade:
    trade_id: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_currency: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class ExchangeOrder:
    """An order as the exchange reports it, with every trade it has had so far."""

    exchange_order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    status: OrderStatus
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal
    trades: tuple[ExchangeTrade, ...] = field(default=())
