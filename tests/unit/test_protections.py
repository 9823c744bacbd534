"""The protections' rules: a user's own only ever stricter than the operator's (0, off, at the operator's takes
the user's), the drawdown from a peak, and when a pause is in force and what it covers."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trading.domain.errors import InvalidInput
from trading.domain.protections import (
    FollowPause,
    PauseKind,
    ProtectionLimits,
    ProtectionOverrides,
    check_protection_overrides,
    drawdown,
    effective_protections,
)

D = Decimal
OPERATOR = ProtectionLimits()  # 20% over 48 h; 3 stops in 24 h, 4 h cooldown; 3 losses in a row
OFF = ProtectionLimits(max_drawdown=D(0), stoploss_guard=0, losing_streak=0)
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_the_stricter_of_the_operator_s_and_the_user_s_holds() -> None:
    own = ProtectionOverrides(D("0.1"), 24, 5, 72, 2, 2)
    assert effective_protections(OPERATOR, own) == ProtectionLimits(D("0.1"), 48, 3, 72, 4, 2)
    assert effective_protections(OPERATOR, ProtectionOverrides()) == OPERATOR
    # One the operator turned off is the user's to turn on.
    assert effective_protections(OFF, ProtectionOverrides(D("0.3"), stoploss_guard=4)) == ProtectionLimits(
        D("0.3"), 48, 4, 24, 4, 0
    )


@pytest.mark.parametrize(
    ("own", "sentence"),
    [
        (ProtectionOverrides(max_drawdown=D("0.25")), "can be at most 20%, the operator's"),
        (ProtectionOverrides(max_drawdown=D(0)), "above 0% and below 100%"),
        (ProtectionOverrides(max_drawdown=D("NaN")), "above 0% and below 100%"),
        (ProtectionOverrides(stoploss_guard=4), "can be at most 3, the operator's"),
        (ProtectionOverrides(losing_streak=0), "must be at least 1"),
        (ProtectionOverrides(drawdown_hours=12), "The drawdown's window must be from 48 hours"),
        (ProtectionOverrides(cooldown_hours=9_000), "The cooldown must be from 4 hours"),
    ],
)
def test_a_laxer_or_senseless_protection_is_refused_with_its_reason(
    own: ProtectionOverrides, sentence: str
) -> None:
    with pytest.raises(InvalidInput, match=sentence):
        check_protection_overrides(OPERATOR, own)


def test_any_protection_may_be_turned_on_where_the_operator_left_it_off() -> None:
    check_protection_overrides(OFF, ProtectionOverrides(D("0.5"), stoploss_guard=10, losing_streak=10))


def test_the_drawdown_is_the_fall_from_the_peak_as_a_share_of_it() -> None:
    assert drawdown(D(10_000), D(8_950)) == D("0.105")
    assert drawdown(D(10_000), D(10_500)) == 0  # above the peak: no fall
    assert drawdown(D(0), D(-5)) == 0  # no peak to fall from


def test_a_pause_is_in_force_until_its_end_or_its_lift_and_covers_its_sources() -> None:
    everything = FollowPause(1, 7, PauseKind.MANUAL, "you paused it", AT)
    cooldown = FollowPause(2, 7, PauseKind.STOPLOSS_GUARD, "3 stops", AT, until=AT + timedelta(hours=4))
    one = FollowPause(3, 7, PauseKind.LOSING_STREAK, "3 losses", AT, source_id=5)
    later = AT + timedelta(hours=4)
    assert (
        everything.active(later)
        and not cooldown.active(later)
        and cooldown.active(later - timedelta(seconds=1))
    )
    lifted = FollowPause(1, 7, PauseKind.MANUAL, "you paused it", AT, ended_at=AT)
    assert not lifted.active(AT)
    assert everything.covers(5) and everything.covers(6) and one.covers(5) and not one.covers(6)
