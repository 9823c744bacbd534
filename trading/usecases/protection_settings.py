"""A user's own protections of automatic following: read, changed (only ever stricter than the operator's)
and reset, as the risk limits are (trading.usecases.risk_settings)."""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any, Literal

from trading.domain.protections import (
    ProtectionLimits,
    ProtectionOverrides,
    check_protection_overrides,
    effective_protections,
)
from trading.ports import UnitOfWork
from trading.usecases.core import Core

ProtectionName = Literal[
    "max_drawdown",
    "drawdown_hours",
    "stoploss_guard",
    "stoploss_guard_hours",
    "cooldown_hours",
    "losing_streak",
]


@dataclass(frozen=True, slots=True)
class ProtectionSettings:
    limits: ProtectionLimits  # what protects the user's automatic following
    operator: ProtectionLimits  # the operator's: defaults and ceiling
    overrides: ProtectionOverrides  # the user's own; None keeps the operator's


async def limits_of(core: Core, uow: UnitOfWork, user_id: int) -> ProtectionLimits:
    """The protections in force for the user, read in the caller's unit of work."""
    return effective_protections(core.config.protections, await uow.protections.settings(user_id))


async def protection_settings(core: Core, user_id: int) -> ProtectionSettings:
    async with core.uow(read_only=True) as uow:
        own = await uow.protections.settings(user_id)
    return _settings(core, own)


async def set_protection_settings(core: Core, user_id: int, own: ProtectionOverrides) -> ProtectionSettings:
    """Replace the user's protections. InvalidInput, and nothing written, for one out of range or laxer than
    the operator's."""
    check_protection_overrides(core.config.protections, own)
    async with core.uow() as uow:
        await uow.protections.save_settings(user_id, own, core.clock.now())
        await uow.commit()
    return _settings(core, own)


async def change_protection_settings(
    core: Core, user_id: int, changes: ProtectionOverrides, restore: Collection[ProtectionName] = ()
) -> ProtectionSettings:
    """Set those given in `changes` (None leaves one as it is), return those in `restore` to the operator's."""
    async with core.uow() as uow:
        values: dict[str, Any] = asdict(await uow.protections.settings(user_id))
        values |= {name: value for name, value in asdict(changes).items() if value is not None}
        values |= dict.fromkeys(restore)
        own = ProtectionOverrides(**values)
        check_protection_overrides(core.config.protections, own)
        await uow.protections.save_settings(user_id, own, core.clock.now())
        await uow.commit()
    return _settings(core, own)


def _settings(core: Core, own: ProtectionOverrides) -> ProtectionSettings:
    operator = core.config.protections
    return ProtectionSettings(effective_protections(operator, own), operator, own)
