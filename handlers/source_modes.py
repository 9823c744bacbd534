"""How a signal source's default stop mode reads."""

from decimal import Decimal

from trading.domain.stop_modes import StopModeKind


def source_mode_text(kind: StopModeKind | None, percent: Decimal | None, after_target: int) -> str:
    if kind is None:
        return "no stop mode"
    if kind is StopModeKind.TRAILING:
        return f"the stop trailing {percent}%"
    if kind is StopModeKind.BREAK_EVEN:
        return f"the stop to the entry after target {after_target}"
    if kind is StopModeKind.MOVING_TARGET:
        return "the stop behind each target reached"
    return f"a trailing take-profit of {percent}%"
