"""What the core keeps: one repository per kind of record, each reached through a unit of work."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from trading.domain.access import ApiToken, GrantKind, TokenScope
from trading.domain.accounts import Credentials, ExchangeAccount, User
from trading.domain.alerts import Alert, AlertCondition
from trading.domain.automations import Plan, PlanRun, PlanStatus, RunStatus
from trading.domain.channels import ChannelDelivery, EventKind, NotifyChannel
from trading.domain.enums import OrderStatus
from trading.domain.futures import MarketType
from trading.domain.futures_events import FuturesEvent
from trading.domain.futures_ledger import FuturesBook
from trading.domain.ledger import Ledger
from trading.domain.notices import Notice
from trading.domain.orders import Fill, Order, OrderDraft
from trading.domain.risk import RiskOverrides
from trading.domain.signal_records import (
    SignalOutcome,
    SignalRecord,
    SignalSource,
    SignalStatus,
    SourceSettings,
)
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind


class UserRepository(Protocol):
    async def get(self, user_id: int) -> User | None: ...

    async def by_telegram_id(self, telegram_id: int) -> User | None: ...

    async def add(self, name: str, telegram_id: int | None, now: datetime) -> User | None:
        """None when a user with this Telegram id exists already (a concurrent registration won)."""
        ...


class AccountRepository(Protocol):
    async def get(self, account_id: int) -> ExchangeAccount | None: ...

    async def for_user(self, user_id: int) -> Sequence[ExchangeAccount]: ...

    async def for_user_with_limits(self, user_id: int) -> tuple[Sequence[ExchangeAccount], RiskOverrides]:
        """The user's accounts and the user's own risk limits (RiskSettingsRepository.get), in one read."""
        ...

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

    async def claim(self, draft_id: str, user_id: int, now: datetime) -> OrderDraft | None:
        """Compare-and-set pending -> submitted for an unexpired draft of this user: the draft for the one
        winner, None for everyone else."""
        ...

    async def cancel(self, draft_id: str, user_id: int) -> bool: ...

    async def delete_expired_before(self, before: datetime) -> int:
        """Delete the drafts that expired before `before`, but none an order was made from; how many."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> Order:
        """Insert; returns it with its id."""
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

    async def load_with_realised_since(self, account_id: int, since: date) -> tuple[Ledger, Decimal]:
        """`load`'s ledger and the P&L realised from `since` on (pnl_by_day's days added up), read together."""
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


class SignalRepository(Protocol):
    async def source(self, user_id: int, external_id: str, title: str, now: datetime) -> SignalSource:
        """The user's source with this external id, created on first sight."""
        ...

    async def sources_for_external(self, external_id: str) -> Sequence[SignalSource]: ...

    async def set_auto_follow(
        self, user_id: int, source_id: int, auto_follow: bool, move_stop_to_entry: bool | None = None
    ) -> SignalSource | None:
        """`move_stop_to_entry`: for the plans it follows automatically; None keeps what the source has."""
        ...

    async def set_settings(
        self, user_id: int, source_id: int, settings: SourceSettings
    ) -> SignalSource | None:
        """The source's market and risk replaced; None where the user has no such source."""
        ...

    async def find(self, source_id: int, content_hash: str) -> SignalRecord | None: ...

    async def add(
        self,
        source_id: int,
        user_id: int,
        content_hash: str,
        text: str,
        spec: SignalSpec,
        now: datetime,
        post_id: int | None = None,
    ) -> SignalRecord | None:
        """Insert; None when the same content from the same source is recorded already. `post_id`: the
        channel's message id of the post, where known."""
        ...

    async def for_post(self, source_id: int, post_id: int) -> SignalRecord | None:
        """The source's signal read from the channel's message `post_id` (the latest, were there several)."""
        ...

    async def revise(
        self, user_id: int, signal_id: int, content_hash: str, text: str, spec: SignalSpec
    ) -> SignalRecord | None:
        """A signal still waiting to be followed or ignored, read again from its post's edited text: the
        signal as it now stands; None where it was followed or ignored meanwhile, or where the source has a
        signal of that content already."""
        ...

    async def set_entry_stops(self, user_id: int, draft_ids: Sequence[str], price: Decimal) -> int:
        """The stop that these entries' drafts arm when they fill, moved to `price`; how many changed."""
        ...

    async def set_status(
        self, user_id: int, signal_id: int, status: SignalStatus, expected: SignalStatus | None = None
    ) -> bool:
        """Where `expected` is given, only a signal in that status changes; whether one did."""
        ...

    async def for_user(self, user_id: int) -> Sequence[tuple[SignalSource, Sequence[SignalRecord]]]: ...

    async def source_by_id(self, source_id: int) -> SignalSource | None: ...

    async def set_plan(self, user_id: int, signal_id: int, group_id: str) -> str | None:
        """Remember the plan (its drafts' group) drafted for a signal, in place of any before it: its outcome is
        read from those orders. The group of the plan it replaces; None where there was none."""
        ...

    async def set_stop_mode(
        self,
        user_id: int,
        source_id: int,
        kind: StopModeKind | None,
        percent: Decimal | None,
        after_target: int,
    ) -> SignalSource | None:
        """The user's source's default stop mode set (None: none); None where the source is not the user's."""
        ...

    async def source_of_plan(self, group_id: str) -> SignalSource | None:
        """The source of the signal whose plan's drafts are `group_id`; None for a plan of no signal."""
        ...

    async def set_stop_to_entry(self, user_id: int, group_id: str, on: bool) -> int:
        """Break-even after the first target, on or off, for a plan's drafts not yet followed; how many changed."""
        ...

    async def settled_plans(self, limit: int = 200) -> Sequence[SignalRecord]:
        """Followed, not yet closed signals whose plan has no order left that can trade."""
        ...

    async def plan_orders(self, group_id: str) -> Sequence[Order]:
        """A plan's entries and their bracket legs."""
        ...

    async def plan_fills(self, group_id: str) -> Sequence[Fill]: ...

    async def close(
        self, signal_id: int, outcome: SignalOutcome | None, pnl: Decimal | None, now: datetime
    ) -> bool:
        """Record how a signal ended, once: True for the one caller that closed it."""
        ...

    async def unreported_closed(self, limit: int) -> Sequence[SignalRecord]:
        """Closed signals not marked reported, oldest first."""
        ...

    async def mark_reported(self, signal_ids: Sequence[int], now: datetime) -> int:
        """Compare-and-set of each signal's reported_at from empty; how many this caller marked."""
        ...


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


class PlanRepository(Protocol):
    """Automations: plans and their runs, one run per (plan, due time)."""

    async def add(self, plan: Plan) -> Plan: ...

    async def get(self, plan_id: int) -> Plan | None: ...

    async def for_user(self, user_id: int, statuses: Sequence[PlanStatus]) -> Sequence[Plan]: ...

    async def due(self, now: datetime, limit: int) -> Sequence[Plan]:
        """Active plans whose next due time has come, soonest first."""
        ...

    async def advance(self, plan: Plan, expected_next: datetime | None) -> bool:
        """Write runs done, next due time and status where the next due time is still `expected_next`."""
        ...

    async def set_status(
        self, plan_id: int, user_id: int, from_statuses: Sequence[PlanStatus], to: PlanStatus
    ) -> bool: ...

    async def set_next_due(self, plan_id: int, next_due_at: datetime | None) -> None: ...

    async def add_run(self, plan_id: int, due_at: datetime, skipped: int, now: datetime) -> PlanRun | None:
        """The run of this due time, or None where one is recorded already (by another worker or attempt)."""
        ...

    async def run(self, plan_id: int, due_at: datetime) -> PlanRun | None: ...

    async def runs(self, plan_id: int) -> Sequence[PlanRun]: ...

    async def set_run_draft(self, run_id: int, draft_id: str) -> bool:
        """Compare-and-set: the run's one draft."""
        ...

    async def claim_run(self, run_id: int, now: datetime, stale_before: datetime) -> bool:
        """Compare-and-set: a pending run's claim for the attempt that works on it, where none holds one
        since `stale_before`."""
        ...

    async def release_run(self, run_id: int) -> None:
        """Give a run's claim back (its attempt failed, and did not die)."""
        ...

    async def finish_run(
        self, run_id: int, status: RunStatus, order_id: int | None, error: str | None
    ) -> bool:
        """Pending -> placed or failed, once."""
        ...

    async def order_of_draft(self, draft_id: str) -> int | None: ...


class ChannelRepository(Protocol):
    """E-mail addresses and webhooks, with the webhooks' secrets (kept encrypted) and their delivery log."""

    async def add(
        self,
        channel: NotifyChannel,
        secret: str | None,
        code_hash: str | None,
        code_expires_at: datetime | None,
    ) -> NotifyChannel: ...

    async def get(self, channel_id: int) -> NotifyChannel | None: ...

    async def for_user(self, user_id: int) -> Sequence[NotifyChannel]: ...

    async def verify(self, channel_id: int, user_id: int, code_hash: str, now: datetime) -> bool:
        """Compare-and-set: verified where the code matches and has not expired."""
        ...

    async def count_wrong_code(self, user_id: int, most: int) -> bool:
        """Count a wrong code on each address of the user waiting for its code; void the codes told wrong
        `most` times. Whether any was voided now."""
        ...

    async def set_events(self, channel_id: int, user_id: int, events: frozenset[EventKind]) -> bool: ...

    async def remove(self, channel_id: int, user_id: int) -> bool: ...

    async def secret(self, channel_id: int) -> str | None: ...

    async def log(self, delivery: ChannelDelivery) -> None: ...

    async def deliveries(self, channel_id: int, limit: int) -> Sequence[ChannelDelivery]:
        """The latest first."""
        ...
