"""Protections of automatic following, after Freqtrade's: a pause on a deep drawdown of the equity
(MaxDrawdown), a cooldown after a number of stop-outs in a period (StoplossGuard), and a pause of one source
after a losing streak; and the pauses they, or the trader, put on it.

The operator's settings are the defaults and the ceiling: a user may make a protection act sooner or hold
longer, never later or shorter, as with the risk limits (trading.domain.risk)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from trading.domain.errors import InvalidInput

ZERO = Decimal(0)
# The longest window or cooldown a user can set: a year, in hours.
MOST_HOURS = 8_760


class PauseKind(StrEnum):
    """Who paused automatic following, and so what ends it."""

    MANUAL = "manual"  # the trader: until resumed
    DRAWDOWN = "drawdown"  # the drawdown protection: until the trader resumes it
    STOPLOSS_GUARD = "stoploss_guard"  # a cooldown after stop-outs: until its end (or resumed)
    LOSING_STREAK = "losing_streak"  # one source's losing streak: until the trader resumes it


@dataclass(frozen=True, slots=True)
class FollowPause:
    """Automatic following paused for a user, of every source (`source_id` None) or of one; until `until`
    (None: until the trader resumes it); `ended_at`: when it was lifted."""

    id: int
    user_id: int
    kind: PauseKind
    reason: str
    started_at: datetime
    source_id: int | None = None
    until: datetime | None = None
    ended_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and (self.until is None or now < self.until)

    def covers(self, source_id: int) -> bool:
        return self.source_id is None or self.source_id == source_id


@dataclass(frozen=True, slots=True)
class ProtectionLimits:
    """`max_drawdown`: the share of the equity's peak (over the last `drawdown_hours`) a fall may reach before
    automatic following is paused; `stoploss_guard` stop-outs within `stoploss_guard_hours` cool it down for
    `cooldown_hours`; `losing_streak` closed signals of a source lost in a row pause that source. 0: off."""

    max_drawdown: Decimal = Decimal("0.2")
    drawdown_hours: int = 48
    stoploss_guard: int = 3
    stoploss_guard_hours: int = 24
    cooldown_hours: int = 4
    losing_streak: int = 3

    @property
    def drawdown_lookback(self) -> timedelta:
        return timedelta(hours=self.drawdown_hours)

    @property
    def stoploss_guard_period(self) -> timedelta:
        return timedelta(hours=self.stoploss_guard_hours)

    @property
    def cooldown(self) -> timedelta:
        return timedelta(hours=self.cooldown_hours)


@dataclass(frozen=True, slots=True)
class ProtectionOverrides:
    """A user's own protections; None keeps the operator's."""

    max_drawdown: Decimal | None = None
    drawdown_hours: int | None = None
    stoploss_guard: int | None = None
    stoploss_guard_hours: int | None = None
    cooldown_hours: int | None = None
    losing_streak: int | None = None

    @property
    def empty(self) -> bool:
        return self == ProtectionOverrides()


def _sooner_share(operator: Decimal, own: Decimal | None) -> Decimal:
    """A threshold that acts sooner when smaller; 0 (off) at the operator's takes the user's."""
    if own is None:
        return operator
    return own if operator == 0 else min(operator, own)


def _sooner_count(operator: int, own: int | None) -> int:
    if own is None:
        return operator
    return own if operator == 0 else min(operator, own)


def _longer(operator: int, own: int | None) -> int:
    return operator if own is None else max(operator, own)


def effective_protections(operator: ProtectionLimits, own: ProtectionOverrides) -> ProtectionLimits:
    """What a user's automatic following is protected by: each the stricter of the operator's and the user's."""
    return ProtectionLimits(
        max_drawdown=_sooner_share(operator.max_drawdown, own.max_drawdown),
        drawdown_hours=_longer(operator.drawdown_hours, own.drawdown_hours),
        stoploss_guard=_sooner_count(operator.stoploss_guard, own.stoploss_guard),
        stoploss_guard_hours=_longer(operator.stoploss_guard_hours, own.stoploss_guard_hours),
        cooldown_hours=_longer(operator.cooldown_hours, own.cooldown_hours),
        losing_streak=_sooner_count(operator.losing_streak, own.losing_streak),
    )


def check_protection_overrides(operator: ProtectionLimits, own: ProtectionOverrides) -> None:
    """Raise InvalidInput naming the first setting out of range or laxer than the operator's."""
    share = own.max_drawdown
    if share is not None:
        if not share.is_finite() or not ZERO < share < 1:
            raise InvalidInput(
                "The drawdown that pauses automatic following must be above 0% and below 100%."
            )
        if operator.max_drawdown and share > operator.max_drawdown:
            raise InvalidInput(
                f"The drawdown that pauses automatic following can be at most {operator.max_drawdown:.0%}, "
                "the operator's."
            )
    for label, count, ceiling in (
        (
            "The number of stop-outs that cools automatic following down",
            own.stoploss_guard,
            operator.stoploss_guard,
        ),
        ("The losing streak that pauses a source", own.losing_streak, operator.losing_streak),
    ):
        if count is None:
            continue
        if count < 1:
            raise InvalidInput(f"{label} must be at least 1.")
        if ceiling and count > ceiling:
            raise InvalidInput(f"{label} can be at most {ceiling}, the operator's.")
    for label, hours, floor in (
        ("The drawdown's window", own.drawdown_hours, operator.drawdown_hours),
        ("The period stop-outs are counted over", own.stoploss_guard_hours, operator.stoploss_guard_hours),
        ("The cooldown", own.cooldown_hours, operator.cooldown_hours),
    ):
        if hours is None:
            continue
        if not floor <= hours <= MOST_HOURS:
            raise InvalidInput(f"{label} must be from {floor} hours (the operator's) to {MOST_HOURS} hours.")


def drawdown(peak: Decimal, equity: Decimal) -> Decimal:
    """How far `equity` has fallen from `peak`, as a share of the peak (0 where it has not)."""
    return (peak - equity) / peak if peak > equity and peak > 0 else ZERO


def drawdown_reason(fall: Decimal, peak: Decimal, quote: str, limits: ProtectionLimits) -> str:
    return (
        f"your equity fell {fall:.1%} from its peak of {peak:,.2f} {quote} within {limits.drawdown_hours} "
        f"hours (the limit is {limits.max_drawdown:.0%})"
    )


def stoploss_guard_reason(stop_outs: int, limits: ProtectionLimits) -> str:
    return f"{stop_outs} stops were hit within {limits.stoploss_guard_hours} hours"


def losing_streak_reason(title: str, losses: int) -> str:
    return f"the last {losses} signals of {title} closed at a loss"
