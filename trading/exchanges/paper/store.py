"""What the paper exchange keeps, and the port of the store that keeps it."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.futures import MarginMode
from trading.domain.futures_events import FuturesEvent
from trading.domain.orders import ExchangeTrade
from trading.domain.perpetual_positions import PerpetualPosition


@dataclass(frozen=True, slots=True)
class PaperOrder:
    id: int
    account_id: int
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    status: OrderStatus
    filled: Decimal
    fee: Decimal
    last_step: int
    created_at: datetime
    # Futures: it may only shrink the position (shrunk to it, or cancelled where there is none).
    reduce_only: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled


@dataclass(frozen=True, slots=True)
class PerpetualTerms:
    """A futures account's settings for one symbol (set_leverage, set_margin_mode), and the funding time its
    open position was last settled at (None: no position, or one that has not met a funding time yet: it pays
    from the first after it opened)."""

    leverage: Decimal
    margin_mode: MarginMode
    funded_until: datetime | None = None


class PaperSession(Protocol):
    """One transaction of the paper exchange's books, for one account."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def balances(self, account_id: int) -> dict[str, Decimal]:
        """Locks the account's balances until commit (serialising its orders), unless read-only."""
        ...

    async def set_balances(self, account_id: int, balances: Mapping[str, Decimal]) -> None: ...

    async def open_orders(self, account_id: int, *, with_order: str | None = None) -> Sequence[PaperOrder]:
        """The account's open orders, oldest first; with the order of client order id `with_order` among them
        whatever its status, where there is one."""
        ...

    async def add_order(self, order: PaperOrder) -> PaperOrder: ...

    async def update_order(self, order: PaperOrder) -> None: ...

    async def add_trades(self, order_id: int, trades: Sequence[ExchangeTrade]) -> None: ...

    async def trades(self, order_id: int) -> Sequence[ExchangeTrade]: ...

    async def commit(self) -> None: ...


class PaperFuturesSession(PaperSession, Protocol):
    """The same for a futures account: its wallet is its balances; its positions, symbol settings and the
    events it met (funding, liquidations) are kept beside them."""

    async def perpetuals(
        self, account_id: int
    ) -> tuple[dict[str, PerpetualTerms], dict[str, PerpetualPosition]]: ...

    async def set_perpetuals(
        self,
        account_id: int,
        terms: Mapping[str, PerpetualTerms],
        positions: Mapping[str, PerpetualPosition],
    ) -> None:
        """Write the symbols' settings and positions: a symbol without a position has none stored."""
        ...

    async def add_events(self, account_id: int, events: Sequence[FuturesEvent]) -> None:
        """Record events (their `event_id` is ignored: the store numbers them)."""
        ...

    async def events_since(self, account_id: int, since: datetime | None) -> Sequence[FuturesEvent]:
        """The account's events at `since` or later (all, where None), oldest first."""
        ...


class PaperStore(Protocol):
    def session(self, *, read_only: bool = False) -> PaperSession:
        """`read_only`: a transaction that only looks, taking no lock and never waiting for a writer."""
        ...

    def futures_session(self, *, read_only: bool = False) -> PaperFuturesSession: ...
