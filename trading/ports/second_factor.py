"""What a second factor keeps: the user's TOTP secret (encrypted at rest), its state, and recovery codes (hashed)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.second_factor import SecondFactor


class SecondFactorRepository(Protocol):
    async def get(self, user_id: int) -> SecondFactor | None: ...

    async def start(self, user_id: int, secret: str, now: datetime) -> None:
        """A new secret waiting for its first code, in place of any earlier one not yet on."""
        ...

    async def enable(self, user_id: int, step: int, now: datetime) -> bool:
        """Compare-and-set: the waiting secret on, its first code's step taken; False if it was on already."""
        ...

    async def take_step(self, user_id: int, step: int) -> bool:
        """Compare-and-set: the code of time step `step` taken, if no code of that step or a later one was;
        False for a replay."""
        ...

    async def failed(self, user_id: int, max_failures: int, locked_until: datetime) -> None:
        """One more wrong code; the `max_failures`th in a row locks codes out until `locked_until`."""
        ...

    async def succeeded(self, user_id: int) -> None:
        """The wrong codes in a row counted from zero again."""
        ...

    async def remove(self, user_id: int) -> None:
        """The second factor off: its secret and recovery codes deleted."""
        ...

    async def set_recovery_codes(self, user_id: int, code_hashes: Sequence[str]) -> None:
        """These in place of any earlier recovery codes."""
        ...

    async def use_recovery_code(self, user_id: int, code_hash: str, now: datetime) -> bool:
        """Compare-and-set: an unused recovery code used; False if it is unknown or used."""
        ...

    async def recovery_codes_left(self, user_id: int) -> int: ...
