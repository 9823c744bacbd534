"""What the core keeps: one repository per kind of record, each reached through a unit of work."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from trading.domain.access import ApiToken, GrantKind, TokenScope
from trading.domain.accounts import Credentials, ExchangeAccount, User
from trading.domain.alerts import Alert, AlertCondition
from trading.domain.channels import EventKind
from trading.domain.enums import OrderStatus
from trading.domain.futures import MarketType
from trading.domain.futures_events import FuturesEvent
from trading.domain.futures_ledger import FuturesBook
from trading.domain.ledger import Ledger
from trading.domain.notices import Notice
from trading.domain.orders import Fill, Order, OrderDraft
from trading.domain.risk import RiskOverrides


class UserRepository(Protocol):
    async def get(self, user_id: int) -> User | None: ...

    async def by_telegram_id(self, telegram_id: int) -> User | None: ...

    async def add(self, name: str, telegram_id: int | None, now: datetime) -> User | None:
        """None when a user with this Telegram id exists already (a concurrent registration won)."""
        ...


class AccountRepository(Protocol):
    async def get(self, account_id: int) -> ExchangeAccount | None: ...

    async def for_user(self, user_id: int) -> Sequence[ExchangeAccount]: ...

    async def every(self) -> Sequence[ExchangeAccount]: ...

    async def mark_deposit_pending(self, account_id: int, now: datetime) -> None:
        """Note that one more deposit to the account is under way: it may stop between the venue and the books."""
        ...

    async def deposit_booked(self, account_id: int) -> None:
        """One deposit under way is booked; the account stays marked while another is."""
        ...

    async def deposit_pending(
        self, begun_by: datetime | None = None
    ) -> Sequence[tuple[ExchangeAccount, datetime]]:
        """The accounts with deposits under way, each with when the last began, it at `begun_by` or earlier."""
        ...

    async def deposits_checked(self, account_id: int, since: datetime) -> None:
        """Every deposit under way is found booked or has been booked now: the marker goes, unless a deposit
        began after `since` (when the last one began, as read before the check)."""
        ...

    async def add(
        self,
        user_id: int,
        exchange: str,
        label: str,
        testnet: bool,
        credentials: Credentials | None,
        now: datetime,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeAccount: ...

    async def credentials(self, account_id: int) -> Credentials | None: ...

    async def remove(self, user_id: int, account_id: int) -> bool: ...


class DraftRepository(Protocol):
    async def add(self, draft: OrderDraft) -> None: ...

    async def get(self, draft_id: str) -> OrderDraft | None: ...

    async def in_group(self, group_id: str) -> Sequence[OrderDraft]: ...

    async def cancel(self, draft_id: str, user_id: int) -> bool: ...

    async def delete_expired_before(self, before: datetime) -> int:
        """Delete the drafts that expired before `before`, but none an order was made from; how many."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> Order:
        """Insert; returns it with its id."""
        ...

    async def add_claimed(
        self, draft_id: str, user_id: int, now: datetime, client_order_id: str
    ) -> tuple[OrderDraft, Order | None] | None:
        """Compare-and-set pending -> submitted for an unexpired draft of this user, and the order it becomes
        (OrderDraft.order) written: the draft and its order for the one winner, None for everyone else. No
        order for a draft that replaces one (replaces_order_id)."""
        ...

    async def get(self, order_id: int) -> Order | None: ...

    async def by_client_id(self, client_order_id: str) -> Order | None: ...

    async def update(self, order: Order) -> None: ...

    async def transition(self, order_id: int, from_status: OrderStatus, to_status: OrderStatus) -> bool:
        """Compare-and-set of an order's status; True for the one caller that moved it."""
        ...

    async def reprice_armed(self, order_id: int, price: Decimal, now: datetime) -> bool:
        """Compare-and-set of the price of an order held by the core (ARMED); False where it has left that state
        (the tracker fired it, or it was cancelled)."""
        ...

    async def for_user(
        self, user_id: int, statuses: Sequence[OrderStatus] | None = None, limit: int = 100
    ) -> Sequence[Order]: ...

    async def with_status(self, statuses: Sequence[OrderStatus]) -> Sequence[Order]:
        """Every order in these states, oldest first: the tracker must see all of them, not the first so many."""
        ...

    async def unattended(self, written_before: datetime, silent_since: datetime) -> Sequence[Order]:
        """The SUBMITTED orders nobody is sending any more, oldest first: written before `written_before`
        (older than any order in flight), or sent by a process silent since `silent_since`, or gone."""
        ...

    async def for_account(
        self, account_id: int, statuses: Sequence[OrderStatus], symbol: str | None = None
    ) -> Sequence[Order]:
        """Every order of the account in these states (on `symbol`, if given), oldest first."""
        ...

    async def children(self, parent_id: int) -> Sequence[Order]: ...

    async def resting_stops(self, account_id: int, symbol: str) -> Sequence[Order]:
        """The account's stop losses on `symbol` that rest at the venue (there, they lock its coins)."""
        ...

    async def unreported_legs(self, limit: int) -> Sequence[Order]:
        """Stop losses and take profits that ended (filled or not) and are not marked reported, oldest first."""
        ...

    async def mark_reported(self, order_ids: Sequence[int], now: datetime) -> int:
        """Compare-and-set of each order's reported_at from empty; how many this caller marked."""
        ...

    async def count_for_user(self, user_id: int) -> int: ...


class FillRepository(Protocol):
    async def add(self, fill: Fill) -> bool:
        """Insert unless (order, trade id) is recorded already; True when new."""
        ...

    async def for_order(self, order_id: int) -> Sequence[Fill]: ...


@dataclass(frozen=True, slots=True)
class AccountBooks:
    """A user's exchange accounts, oldest first, with the user's own risk limits (RiskSettingsRepository.get);
    by account id, each one's ledger and the P&L it realised since the day asked for (zero where none was)."""

    accounts: Sequence[ExchangeAccount]
    overrides: RiskOverrides
    ledgers: Mapping[int, Ledger]
    realised: Mapping[int, Decimal]


class LedgerRepository(Protocol):
    """The core's book of an account: balances, positions at cost, fees and deposits."""

    async def load(self, account_id: int, *, for_update: bool = False) -> Ledger:
        """`for_update` holds the account until commit, so two bookings never overwrite each other."""
        ...

    async def save(self, account_id: int, ledger: Ledger) -> None: ...

    async def record_pnl(self, account_id: int, day: date, realised: Decimal) -> None:
        """Add realised P&L to a day's total."""
        ...

    async def pnl_by_day(self, account_id: int, since: date) -> Mapping[date, Decimal]: ...

    async def of_user(self, user_id: int, realised_since: date | None = None) -> AccountBooks:
        """The user's accounts with their ledgers (`load`'s), the user's own risk limits and, from
        `realised_since` on, each account's realised P&L (pnl_by_day's days added up), in one read."""
        ...

    async def record_equity(self, account_id: int, at: datetime, equity: Decimal) -> None: ...

    async def equity_history(
        self, account_id: int, since: datetime
    ) -> Sequence[tuple[datetime, Decimal]]: ...


class FuturesBookRepository(Protocol):
    """The core's book of a futures account: wallet, positions, fees, funding, realised P&L; and the venue's
    events booked into it."""

    async def load(self, account_id: int, *, for_update: bool = False) -> FuturesBook:
        """`for_update` holds the account until commit, so two bookings never overwrite each other."""
        ...

    async def save(self, account_id: int, book: FuturesBook) -> None: ...

    async def add_event(self, account_id: int, event: FuturesEvent, amount: Decimal) -> bool:
        """Record an event as booked (`amount`: what the account paid by it); False where it was already."""
        ...

    async def last_event_at(self, account_id: int) -> datetime | None: ...

    async def booked_since(self, account_id: int, since: datetime) -> set[str]:
        """The ids of the events booked at `since` or later (a venue lists those again when asked from then)."""
        ...

    async def holding(self) -> Sequence[int]:
        """The futures accounts with an open position in the core's books."""
        ...


class CommandLog(Protocol):
    async def add(self, user_id: int | None, source: str, text: str, outcome: str, at: datetime) -> None: ...


class ApiTokenRepository(Protocol):
    async def add(
        self, user_id: int, name: str, scope: TokenScope, token_hash: str, prefix: str, now: datetime
    ) -> ApiToken: ...

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        """The unrevoked token with this hash."""
        ...

    async def for_user(self, user_id: int) -> Sequence[ApiToken]: ...

    async def revoke(self, user_id: int, token_id: int, now: datetime) -> bool: ...


class LoginGrantRepository(Protocol):
    async def add(
        self, kind: GrantKind, user_id: int, secret_hash: str, expires_at: datetime, now: datetime
    ) -> None: ...

    async def consume(self, kind: GrantKind, secret_hash: str, now: datetime) -> int | None:
        """Compare-and-set unused -> used of an unexpired grant; its user's id for the one caller that won."""
        ...


class AlertRepository(Protocol):
    async def add(
        self, user_id: int, symbol: str, condition: AlertCondition, threshold: Decimal, now: datetime
    ) -> Alert: ...

    async def for_user(self, user_id: int) -> Sequence[Alert]:
        """The user's active alerts."""
        ...

    async def active(self) -> Sequence[Alert]: ...

    async def active_set_since(self, since: datetime) -> Sequence[Alert]:
        """The active alerts created at `since` or after, oldest first."""
        ...

    async def fire(self, alert_id: int, now: datetime) -> bool:
        """Compare-and-set active -> fired; True for the one caller that fired it."""
        ...

    async def delete(self, user_id: int, alert_id: int) -> bool: ...


class RiskSettingsRepository(Protocol):
    async def get(self, user_id: int) -> RiskOverrides:
        """The user's own limits; an empty RiskOverrides where the user has set none."""
        ...

    async def save(self, user_id: int, overrides: RiskOverrides, now: datetime) -> None: ...


class NoticeRepository(Protocol):
    async def add(
        self,
        user_id: int,
        text: str,
        now: datetime,
        kind: EventKind = EventKind.ORDERS,
        with_chart: bool = False,
    ) -> Notice: ...

    async def get(self, notice_id: int) -> Notice | None: ...

    async def unfanned(self, limit: int) -> Sequence[Notice]:
        """Notices not yet handed to the users' other channels, oldest first."""
        ...

    async def mark_fanned(self, notice_ids: Sequence[int], now: datetime) -> None: ...

    async def unsent(self, limit: int) -> Sequence[Notice]:
        """The notices not yet sent, oldest first."""
        ...

    async def mark_sent(self, notice_id: int, now: datetime) -> bool:
        """Compare-and-set unsent -> sent; True for the one caller that marked it."""
        ...

    async def claim(self, notice_id: int, now: datetime, stale_before: datetime) -> bool:
        """Take an unsent notice to send it: True for the one delivery that took it, where nobody holds it or
        its holder took it before `stale_before` (and so died or hung)."""
        ...

    async def release(self, notice_id: int) -> None:
        """Give a claimed notice back after a failed send, for the next delivery."""
        ...

    async def delete_sent_before(self, before: datetime) -> int:
        """Forget the notices sent before `before` (never an unsent one); how many."""
        ...
