from enum import StrEnum


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> "Side":
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"


class OrderStatus(StrEnum):
    """Life of an order on our side.

    SUBMITTED: written before the exchange is called; until its answer is recorded the outcome is unknown,
    and reconciliation asks the exchange by client order id. OPEN / PARTIALLY_FILLED: acknowledged and resting.
    ARMED: a bracket leg (stop loss or take profit) held by the core until its trigger.
    """

    SUBMITTED = "submitted"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    ARMED = "armed"

    @property
    def is_final(self) -> bool:
        return self in _FINAL

    @property
    def is_live(self) -> bool:
        """Acknowledged by the exchange and still able to fill."""
        return self in LIVE_STATUSES


LIVE_STATUSES = (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)
_FINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED})
# Every status but a final one: an order in these can still trade (on its way to the venue, resting there, or
# held by the core), a bracket leg still guards its position, a signal plan with one is not over.
OPEN_STATUSES = tuple(status for status in OrderStatus if not status.is_final)


class DraftStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


class AmountUnit(StrEnum):
    """BASE: coins; QUOTE: money spent (on futures, margin put up); PERCENT: a share of what is free (of what is
    held, for a sale or a reduction); RISK: a share of the equity to lose at the stop, the stop's distance giving
    the size (trading.domain.risk_sizing)."""

    BASE = "base"
    QUOTE = "quote"
    PERCENT = "percent"
    RISK = "risk"


class OrderRole(StrEnum):
    """Why an order exists: the trader's entry, or a leg of its bracket."""

    ENTRY = "entry"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    CLOSE = "close"
