"""What the protections of automatic following and the kill switch keep: the user's own protections, the
pauses on automatic following, what the protections count, and the kill switch's confirmations."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.protections import FollowPause, PauseKind, ProtectionOverrides


class ProtectionRepository(Protocol):
    async def settings(self, user_id: int) -> ProtectionOverrides:
        """The user's own protections; empty where the user has set none."""
        ...

    async def save_settings(self, user_id: int, overrides: ProtectionOverrides, now: datetime) -> None: ...

    async def pauses(self, user_id: int) -> Sequence[FollowPause]:
        """The user's pauses not lifted, oldest first (a cooldown past its end is one until it is told)."""
        ...

    async def add_pause(self, pause: FollowPause) -> FollowPause | None:
        """Insert; None, and nothing written, where a pause of its kind (and source) is not lifted yet."""
        ...

    async def lift(self, pause_id: int, now: datetime) -> bool:
        """Compare-and-set: the pause lifted now; True for the one caller that lifted it."""
        ...

    async def last_pause(
        self, user_id: int, kind: PauseKind, source_id: int | None = None
    ) -> FollowPause | None:
        """The user's latest pause of this kind (of this source), lifted or not."""
        ...

    async def cooldowns_over(self, now: datetime, limit: int) -> Sequence[FollowPause]:
        """Pauses whose end came at `now` or before and that are not lifted yet, the earliest first."""
        ...

    async def stop_outs(self, user_id: int, since: datetime) -> int:
        """How many of the user's stops (a position's stop loss, or a stop sale of coins held) filled after
        `since`."""
        ...

    async def source_outcomes(self, source_id: int, since: datetime | None, limit: int) -> Sequence[str]:
        """The outcomes of the source's signals closed with one after `since` (any time: None), latest first."""
        ...

    async def add_confirmation(
        self, confirmation_id: str, user_id: int, action: str, now: datetime, expires_at: datetime
    ) -> None:
        """A kill switch's preview, to confirm once before `expires_at`."""
        ...

    async def claim_confirmation(
        self, confirmation_id: str, user_id: int, action: str, now: datetime
    ) -> bool:
        """Compare-and-set unused -> used of the user's unexpired preview of `action`; True for the one winner."""
        ...

    async def confirmation_used(self, confirmation_id: str, user_id: int, action: str) -> bool | None:
        """Whether the user's preview of `action` was used; None where the user has no such preview."""
        ...
