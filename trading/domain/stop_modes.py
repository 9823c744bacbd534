"""Stops that move with the market: what a position's stop mode does at each price.

A mode keeps the extreme price since it was set (the highest for a long, the lowest for a short) and, at each
price, says where the stop goes now, if anywhere, and whether to act at once (a trailing take-profit sells, a
trailing entry buys). A stop only ever moves toward the price (up for a long, down for a short) and never to
the price or past it: a stop the market has already crossed is the existing stop's to fire, not a new one's.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trading.domain.errors import InvalidInput
from trading.domain.money import HUNDRED

MAX_PERCENT = Decimal(50)


class StopModeKind(StrEnum):
    TRAILING = "trailing"  # the stop a percentage from the extreme since entry
    BREAK_EVEN = "break_even"  # the stop to the entry once target `after_target` is reached
    MOVING_TARGET = (
        "moving_target"  # after each target, the stop to the one before it (the entry after the 1st)
    )
    TRAILING_TAKE_PROFIT = (
        "trailing_take_profit"  # past the first target, close on a fall back of a percentage
    )
    TRAILING_ENTRY = "trailing_entry"  # past the entry, enter on a turn back of a percentage from the extreme


NAMES = {
    StopModeKind.TRAILING: "trailing stop",
    StopModeKind.BREAK_EVEN: "break-even stop",
    StopModeKind.MOVING_TARGET: "moving target",
    StopModeKind.TRAILING_TAKE_PROFIT: "trailing take-profit",
    StopModeKind.TRAILING_ENTRY: "trailing entry",
}
PERCENT_KINDS = frozenset(
    {StopModeKind.TRAILING, StopModeKind.TRAILING_TAKE_PROFIT, StopModeKind.TRAILING_ENTRY}
)
TARGET_KINDS = frozenset(
    {StopModeKind.BREAK_EVEN, StopModeKind.MOVING_TARGET, StopModeKind.TRAILING_TAKE_PROFIT}
)

# The kinds that act only past a price (wake_price): on a new extreme, or once the stop they want is reachable.
WAKING_KINDS = frozenset({StopModeKind.TRAILING, StopModeKind.BREAK_EVEN, StopModeKind.MOVING_TARGET})


@dataclass(frozen=True, slots=True)
class StopMode:
    """A position's mode. `long`: the position's side (a trailing entry's: the side it would open).
    `extreme`: the highest price since the mode was set for a long, the lowest for a short (for a trailing
    entry the other way round: the lowest for a long's buy). `targets`: the position's, nearest first."""

    kind: StopModeKind
    long: bool
    entry: Decimal
    extreme: Decimal
    percent: Decimal | None = None
    after_target: int = 1
    targets: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        check_settings(self.kind, self.percent, self.after_target)
        kind = self.kind
        if kind in TARGET_KINDS and len(self.targets) < (
            self.after_target if kind is StopModeKind.BREAK_EVEN else 1
        ):
            raise InvalidInput(f"A {NAMES[kind]} needs the position's targets: it has too few.")


def check_settings(kind: StopModeKind, percent: Decimal | None, after_target: int) -> None:
    """Settings a mode can act on (a position's targets apart): a clear message for those it cannot."""
    if kind in PERCENT_KINDS and (percent is None or not Decimal(0) < percent <= MAX_PERCENT):
        raise InvalidInput(f"A {NAMES[kind]} needs a percentage above 0 and at most 50.")
    if kind is StopModeKind.BREAK_EVEN and after_target not in (1, 2):
        raise InvalidInput("The stop goes to break-even after the first or the second target.")


@dataclass(frozen=True, slots=True)
class Step:
    """What a price does to a mode: the mode with its new extreme; the stop's new price (None: it stays);
    whether to act now (close the position, or open it, at market)."""

    mode: StopMode
    stop: Decimal | None = None
    act: bool = False


def _further(long: bool, a: Decimal, b: Decimal) -> bool:
    """Whether `a` is further in the position's favour than `b` (above it for a long)."""
    return a > b if long else a < b


def _off(long: bool, price: Decimal, percent: Decimal) -> Decimal:
    """`percent` back from `price` against the position (below it for a long)."""
    share = percent / HUNDRED
    return price * (1 - share) if long else price * (1 + share)


def targets_reached(mode: StopMode) -> int:
    return sum(1 for target in mode.targets if not _further(mode.long, target, mode.extreme))


def _wanted_stop(mode: StopMode) -> Decimal | None:
    """Where the mode would have the stop, given the extreme reached."""
    if mode.kind is StopModeKind.TRAILING:
        assert mode.percent is not None
        return _off(mode.long, mode.extreme, mode.percent)
    reached = targets_reached(mode)
    if mode.kind is StopModeKind.BREAK_EVEN:
        return mode.entry if reached >= mode.after_target else None
    if mode.kind is StopModeKind.MOVING_TARGET and reached:
        return mode.entry if reached == 1 else mode.targets[reached - 2]
    return None


def step(mode: StopMode, stop: Decimal | None, price: Decimal) -> Step:
    """The mode at `price`, with the stop now at `stop` (None: there is none)."""
    if mode.kind is StopModeKind.TRAILING_ENTRY:
        return _entry_step(mode, price)
    extreme = price if _further(mode.long, price, mode.extreme) else mode.extreme
    moved = replace(mode, extreme=extreme) if extreme != mode.extreme else mode
    if mode.kind is StopModeKind.TRAILING_TAKE_PROFIT:
        assert mode.percent is not None
        armed = targets_reached(moved) > 0
        return Step(
            moved, act=armed and not _further(mode.long, price, _off(mode.long, extreme, mode.percent))
        )
    wanted = _wanted_stop(moved)
    if wanted is None or not _further(mode.long, price, wanted):
        return Step(moved)  # no stop yet, or one the price has crossed already
    if stop is not None and not _further(mode.long, wanted, stop):
        return Step(moved)
    return Step(moved, stop=wanted)


def trailing_exit(mode: StopMode) -> Decimal | None:
    """Where a trailing take-profit closes: its percentage back from the extreme, once past the first target;
    None before that, and for the other kinds."""
    if mode.kind is not StopModeKind.TRAILING_TAKE_PROFIT or not targets_reached(mode):
        return None
    assert mode.percent is not None
    return _off(mode.long, mode.extreme, mode.percent)


def _entry_step(mode: StopMode, price: Decimal) -> Step:
    """A trailing entry follows the price away from the trade (down for a long's buy) once it is past the entry,
    and enters when the price turns back by the percentage from that extreme."""
    assert mode.percent is not None
    extreme = price if _further(not mode.long, price, mode.extreme) else mode.extreme
    moved = replace(mode, extreme=extreme) if extreme != mode.extreme else mode
    past_entry = not _further(mode.long, extreme, mode.entry)
    turned = not _further(not mode.long, price, _off(not mode.long, extreme, mode.percent))
    return Step(moved, act=past_entry and turned)


@dataclass(frozen=True, slots=True)
class PositionStopMode:
    """A stop mode set on a position: the account's holding (or futures position) in `symbol`. Previewed
    first (`confirmed_at` None until its trader confirms it, before `expires_at`); one mode per position."""

    id: str
    user_id: int
    account_id: int
    symbol: str
    mode: StopMode
    created_at: datetime
    expires_at: datetime
    confirmed_at: datetime | None = None
    # A trailing entry that is an entry of a signal plan: the plan's group (its draft's), beside the others'.
    group_id: str | None = None


def wake_price(mode: StopMode, stop: Decimal | None) -> Decimal | None:
    """The price a step first does something past (above it for a long, below for a short): where the stop the
    mode wants is no longer beyond the price, or where a new extreme moves it; at or short of it, a step leaves
    mode and stop as they are. None: every price may act (a trailing exit or entry watches falls back too)."""
    if mode.kind not in WAKING_KINDS:
        return None
    wanted = _wanted_stop(mode)
    if wanted is not None and (stop is None or _further(mode.long, wanted, stop)):
        return wanted
    return mode.extreme
