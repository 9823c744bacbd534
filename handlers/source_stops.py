"""A signal source's default stop mode as `/source N` changes it (handlers.sources): "/source 2 trail 3%",
"/source 2 break even 2", "/source 2 moving target", "/source 2 trailing tp 3%", "/source 2 off". Each later
position its signals open gets the mode (nothing moves money now: no preview)."""

import re
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import InvalidInput
from trading.domain.stop_modes import StopModeKind

HOW = (
    "Say the source's number and the stop mode, e.g. '/source 1 trail 3%', '/source 1 break even 2' "
    "(after target 2), '/source 1 moving target', '/source 1 trailing tp 3%' or '/source 1 off'."
)
STOP_MODE_WORDS = ("trail", "trailing", "break", "breakeven", "be", "moving", "off", "none")
_MODE = re.compile(
    r"^(?:(?P<off>off|none)|(?P<kind>trail(?:ing)?(?: stop)?|break ?even|be|moving target|"
    r"trailing (?:tp|take ?profit))(?:\s+(?:after (?:target )?)?(?P<number>\d+(?:\.\d+)?)\s*(?P<pct>%)?)?)$"
)


@dataclass(frozen=True, slots=True)
class SourceStopMode:
    """What a source's positions get: `kind` None for none."""

    kind: StopModeKind | None
    percent: Decimal | None
    after_target: int


def _kind(word: str) -> StopModeKind:
    if word.startswith("trailing t"):
        return StopModeKind.TRAILING_TAKE_PROFIT
    if word.startswith("trail"):
        return StopModeKind.TRAILING
    return StopModeKind.MOVING_TARGET if word.startswith("moving") else StopModeKind.BREAK_EVEN


def stop_mode_change(words: list[str]) -> SourceStopMode:
    """The stop mode the words after the source's number ask for; InvalidInput saying how to ask."""
    found = _MODE.match(" ".join(words).lower())
    if found is None:
        raise InvalidInput(HOW)
    kind = None if found["off"] else _kind(found["kind"])
    number = None if found["number"] is None else Decimal(found["number"])
    after = int(number) if kind is StopModeKind.BREAK_EVEN and number is not None else 1
    percent = None if kind is StopModeKind.BREAK_EVEN else number
    return SourceStopMode(kind, percent, after)
