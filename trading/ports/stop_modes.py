"""What stop modes keep: the modes set on positions, previewed, confirmed, and their extremes."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from trading.domain.stop_modes import PositionStopMode


class StopModeRepository(Protocol):
    async def add(self, mode: PositionStopMode) -> None:
        """A previewed mode, to confirm before it expires; or one in force already (`confirmed_at` set), unless
        its position has one in force (then nothing is written)."""
        ...

    async def get(self, mode_id: str) -> PositionStopMode | None: ...

    async def confirm(self, mode_id: str, user_id: int, now: datetime) -> PositionStopMode | None:
        """Compare-and-set: the user's unexpired preview made the position's mode, in place of the one it had;
        the mode for the one caller that confirmed it, None for any other."""
        ...

    async def discard(self, mode_id: str, user_id: int) -> bool:
        """Compare-and-set: the user's preview removed while still unconfirmed (declined); True for the one
        caller that removed it, False where it is confirmed, gone or another user's."""
        ...

    async def lapsed_previews(self, now: datetime) -> Sequence[PositionStopMode]:
        """The previews left unconfirmed past their expiry."""
        ...

    async def active(self, symbols: Sequence[str] | None = None) -> Sequence[PositionStopMode]:
        """The confirmed modes (in these markets only, where given)."""
        ...

    async def of_user(self, user_id: int) -> Sequence[PositionStopMode]:
        """The user's confirmed modes."""
        ...

    async def of_group(self, group_id: str) -> Sequence[PositionStopMode]:
        """The trailing entries in force of a signal plan (its group)."""
        ...

    async def save_extreme(self, mode_id: str, extreme: Decimal) -> None: ...

    async def end(self, mode_id: str) -> bool:
        """The mode removed: its position is closed, or its trader turned it off (a trailing entry: it bought,
        or lapsed); True for the one caller that removed it."""
        ...
