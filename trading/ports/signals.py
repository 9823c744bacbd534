"""What keeps the signals: their sources, the signals received, and the orders of the plans followed."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from trading.domain.orders import Fill, Order
from trading.domain.signal_records import (
    SignalOutcome,
    SignalRecord,
    SignalSource,
    SignalStatus,
    SourceSettings,
)
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind


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
