"""A user's own risk limits: read, changed (only ever tighter than the operator's) and reset."""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any, Literal

from trading.domain.risk import RiskLimits, RiskOverrides, check_overrides, effective_limits, loosens
from trading.usecases.core import Core
from trading.usecases.second_factor import check_second_factor

LimitName = Literal[
    "max_order_value",
    "max_position_share",
    "max_open_positions",
    "daily_loss_limit",
    "require_stop_for_leverage",
    "max_leverage",
    "max_margin_share",
]


@dataclass(frozen=True, slots=True)
class RiskSettings:
    limits: RiskLimits  # what orders are checked against
    operator: RiskLimits  # the operator's: defaults and ceiling
    overrides: RiskOverrides  # the user's own; None keeps the operator's


async def risk_settings(core: Core, user_id: int) -> RiskSettings:
    async with core.uow(read_only=True) as uow:
        overrides = await uow.risk_settings.get(user_id)
    return _settings(core, overrides)


async def check_code_to_loosen(core: Core, user_id: int, overrides: RiskOverrides, code: str | None) -> None:
    """Where `overrides` would loosen the limits in force, the user's second factor's code is asked for (a
    tighter limit never is). Raises as check_second_factor does."""
    async with core.uow(read_only=True) as uow:
        before = await uow.risk_settings.get(user_id)
    operator = core.config.limits
    if loosens(effective_limits(operator, before), effective_limits(operator, overrides)):
        await check_second_factor(core, user_id, code)


async def set_risk_settings(core: Core, user_id: int, overrides: RiskOverrides) -> RiskSettings:
    """Replace the user's limits. Raises InvalidInput, writing nothing, for a value out of range or above
    the operator's limit."""
    check_overrides(core.config.limits, overrides, core.config.paper_quote)
    async with core.uow() as uow:
        await uow.risk_settings.save(user_id, overrides, core.clock.now())
        await uow.commit()
    return _settings(core, overrides)


async def change_risk_limits(
    core: Core, user_id: int, changes: RiskOverrides, restore: Collection[LimitName] = ()
) -> RiskSettings:
    """Set the limits given in `changes` (None there leaves a limit as it is) and return those named in
    `restore` to the operator's; the others stay. Raises InvalidInput, writing nothing, as set does."""
    async with core.uow() as uow:
        values: dict[str, Any] = asdict(await uow.risk_settings.get(user_id))
        values |= {name: value for name, value in asdict(changes).items() if value is not None}
        values |= dict.fromkeys(restore)
        overrides = RiskOverrides(**values)
        check_overrides(core.config.limits, overrides, core.config.paper_quote)
        await uow.risk_settings.save(user_id, overrides, core.clock.now())
        await uow.commit()
    return _settings(core, overrides)


async def reset_risk_settings(core: Core, user_id: int) -> RiskSettings:
    return await set_risk_settings(core, user_id, RiskOverrides())


def _settings(core: Core, overrides: RiskOverrides) -> RiskSettings:
    operator = core.config.limits
    return RiskSettings(effective_limits(operator, overrides), operator, overrides)
