"""The protections of automatic following under /risk: shown with the risk limits, and changed the same way
(only ever stricter than the operator's): `/risk drawdown 10%`, `/risk drawdown_hours 72`, `/risk stopouts 2`,
`/risk stopouts_hours 12`, `/risk cooldown 6h`, `/risk streak 3`, `/risk streak default`."""

from decimal import Decimal, InvalidOperation
from typing import Any

from aiogram.types import Message

from handlers.replies import reply
from trading.domain.accounts import User
from trading.domain.protections import ProtectionLimits, ProtectionOverrides
from trading.usecases.core import Core
from trading.usecases.follow_pauses import FollowingState, following_state, pause_text
from trading.usecases.protection_settings import (
    ProtectionName,
    ProtectionSettings,
    change_protection_settings,
    protection_settings,
)

PROTECTION_NAMES: dict[str, ProtectionName] = {
    "drawdown": "max_drawdown",
    "drawdown_hours": "drawdown_hours",
    "stopouts": "stoploss_guard",
    "stoploss_guard": "stoploss_guard",
    "stopouts_hours": "stoploss_guard_hours",
    "cooldown": "cooldown_hours",
    "streak": "losing_streak",
    "losing_streak": "losing_streak",
}
USAGE = (
    "Change one with e.g. /risk drawdown 10%, /risk drawdown_hours 72, /risk stopouts 2, "
    "/risk stopouts_hours 12, /risk cooldown 6h, /risk streak 3; /risk streak default returns one to the "
    "operator's. Each may only act sooner or hold longer than the operator's."
)
DEFAULTS = ("default", "operator", "none")


def _lines(limits: ProtectionLimits, own: ProtectionOverrides) -> list[str]:
    def mark(value: object) -> str:
        return " (yours)" if value is not None else ""

    drawdown = (
        f"at a fall of {limits.max_drawdown:.0%} from the equity's peak within {limits.drawdown_hours} hours"
        if limits.max_drawdown
        else "off"
    )
    guard = (
        f"{limits.cooldown_hours} hours after {limits.stoploss_guard} stops hit within "
        f"{limits.stoploss_guard_hours} hours"
        if limits.stoploss_guard
        else "off"
    )
    streak = f"after {limits.losing_streak} of its signals lost in a row" if limits.losing_streak else "off"
    return [
        f"• Pause: {drawdown}{mark(own.max_drawdown or own.drawdown_hours)}",
        f"• Cooldown: {guard}{mark(own.stoploss_guard or own.stoploss_guard_hours or own.cooldown_hours)}",
        f"• A source paused {streak}{mark(own.losing_streak)}",
    ]


def protections_text(settings: ProtectionSettings, state: FollowingState) -> str:
    now = [f"Now: {pause_text(p, state.titles.get(p.source_id or 0))}." for p in state.pauses]
    return "\n".join(
        [
            "Protections of automatic following (each told when it acts):",
            *_lines(settings.limits, settings.overrides),
            *(now or ["Now: automatic following runs ('pause auto follow' pauses it)."]),
            USAGE,
        ]
    )


async def protections_block(core: Core, user_id: int) -> str:
    return protections_text(await protection_settings(core, user_id), await following_state(core, user_id))


def parse_protection(name: ProtectionName, text: str) -> ProtectionOverrides:
    """The change as the protection wants it; ValueError with the sentence to show."""
    word = text.strip().lower()
    try:
        number = Decimal(word.rstrip("%h"))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number. {USAGE}") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number.")
    if name == "max_drawdown":  # 10% or 10 or 0.1
        return ProtectionOverrides(max_drawdown=number / 100 if word.endswith("%") or number >= 1 else number)
    if number != number.to_integral_value():
        raise ValueError(f"{text!r} must be a whole number.")
    whole: dict[str, Any] = {name: int(number)}  # a count or hours: every other protection is a whole number
    return ProtectionOverrides(**whole)


async def change_protection(message: Message, words: list[str], core: Core, user: User) -> None:
    """`/risk <protection> <value|default>`."""
    name = PROTECTION_NAMES[words[0].lower()]
    if len(words) != 2:
        await reply(message, USAGE)
        return
    if words[1].lower() in DEFAULTS:
        await change_protection_settings(core, user.id, ProtectionOverrides(), restore=(name,))
    else:
        try:
            change = parse_protection(name, words[1])
        except ValueError as error:
            await reply(message, str(error))
            return
        await change_protection_settings(core, user.id, change)
    await reply(message, "Saved.\n\n" + await protections_block(core, user.id))
