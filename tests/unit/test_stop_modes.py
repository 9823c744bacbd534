"""Stop modes along price paths, and their properties over any path (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.errors import InvalidInput
from trading.domain.stop_modes import Step, StopMode, StopModeKind, step, wake_price

D = Decimal


def walk(mode: StopMode, stop: Decimal | None, prices: list[str]) -> tuple[StopMode, Decimal | None, bool]:
    """The mode, the stop and whether it acted, after the path (the stop moved wherever a step says)."""
    acted = False
    for price in prices:
        moved = step(mode, stop, D(price))
        mode, stop, acted = moved.mode, moved.stop or stop, acted or moved.act
    return mode, stop, acted


def trailing(long: bool = True, percent: str = "10", entry: str = "100") -> StopMode:
    return StopMode(StopModeKind.TRAILING, long, D(entry), D(entry), D(percent))


def test_a_longs_trailing_stop_follows_the_high_and_stays_when_the_price_falls() -> None:
    mode, stop, _ = walk(trailing(), D(85), ["105", "120", "110", "115"])
    assert mode.extreme == D(120)
    assert stop == D(108)


def test_a_shorts_trailing_stop_follows_the_low() -> None:
    mode, stop, _ = walk(trailing(long=False), D(115), ["95", "80", "90"])
    assert mode.extreme == D(80)
    assert stop == D(88)


def test_a_gap_through_the_stop_moves_nothing() -> None:
    moved = step(trailing(), D(95), D(90))
    assert moved.stop is None and not moved.act


def test_break_even_after_the_second_target() -> None:
    mode = StopMode(StopModeKind.BREAK_EVEN, True, D(100), D(100), after_target=2, targets=(D(110), D(120)))
    mode, stop, _ = walk(mode, D(90), ["111", "105"])
    assert stop == D(90)
    _, stop, _ = walk(mode, stop, ["121"])
    assert stop == D(100)


def test_a_moving_target_steps_the_stop_behind_each_target() -> None:
    mode = StopMode(StopModeKind.MOVING_TARGET, True, D(100), D(100), targets=(D(110), D(120), D(130)))
    mode, stop, _ = walk(mode, D(90), ["112"])
    assert stop == D(100)
    _, stop, _ = walk(mode, stop, ["125", "131"])
    assert stop == D(120)


def test_a_trailing_take_profit_sells_on_the_fall_back_past_the_first_target() -> None:
    mode = StopMode(StopModeKind.TRAILING_TAKE_PROFIT, True, D(100), D(100), D(5), targets=(D(110),))
    assert not walk(mode, None, ["108", "102"])[2]  # a fall before the target is no sale
    assert not walk(mode, None, ["112", "120", "115"])[2]
    assert walk(mode, None, ["112", "120", "114"])[2]


def test_a_trailing_entry_buys_on_the_turn_back_up_below_the_entry() -> None:
    mode = StopMode(StopModeKind.TRAILING_ENTRY, True, D(100), D(105), D(2))
    assert not walk(mode, None, ["103", "107"])[2]  # a turn above the entry is not one
    assert not walk(mode, None, ["99", "95", "96"])[2]
    assert walk(mode, None, ["99", "95", "97"])[2]


def test_a_short_trailing_entry_sells_on_the_turn_back_down_above_the_entry() -> None:
    mode = StopMode(StopModeKind.TRAILING_ENTRY, False, D(100), D(95), D(2))
    assert walk(mode, None, ["101", "110", "107.8"])[2]


@pytest.mark.parametrize(
    ("kind", "percent", "targets"),
    [
        (StopModeKind.TRAILING, None, ()),
        (StopModeKind.TRAILING, D(0), ()),
        (StopModeKind.TRAILING, D(60), ()),
        (StopModeKind.MOVING_TARGET, None, ()),
    ],
)
def test_a_mode_that_cannot_act_is_refused(
    kind: StopModeKind, percent: Decimal | None, targets: tuple[Decimal, ...]
) -> None:
    with pytest.raises(InvalidInput):
        StopMode(kind, True, D(100), D(100), percent, targets=targets)


prices = st.lists(
    st.decimals(min_value=D("0.01"), max_value=D(100000), places=2, allow_nan=False), min_size=1, max_size=40
)
percents = st.decimals(min_value=D("0.1"), max_value=D(50), places=1)


@given(prices, percents, st.booleans())
def test_a_trailing_stop_only_moves_toward_the_price_and_never_crosses_it(
    path: list[Decimal], percent: Decimal, long: bool
) -> None:
    mode = StopMode(StopModeKind.TRAILING, long, path[0], path[0], percent)
    stop: Decimal | None = None
    for price in path:
        moved = step(mode, stop, price)
        mode = moved.mode
        if moved.stop is None:
            continue
        assert moved.stop < price if long else moved.stop > price
        if stop is not None:
            assert moved.stop > stop if long else moved.stop < stop
        stop = moved.stop


@given(prices, st.booleans())
def test_a_moving_target_stop_never_moves_back(path: list[Decimal], long: bool) -> None:
    sign = 1 if long else -1
    targets = tuple(D(100) + sign * D(10) * k for k in (1, 2, 3))
    mode = StopMode(StopModeKind.MOVING_TARGET, long, D(100), D(100), targets=targets)
    stop: Decimal | None = None
    for price in path:
        moved = step(mode, stop, price)
        mode = moved.mode
        if moved.stop is not None:
            assert moved.stop < price if long else moved.stop > price
            assert stop is None or (moved.stop > stop if long else moved.stop < stop)
            stop = moved.stop


kinds = st.sampled_from([StopModeKind.TRAILING, StopModeKind.BREAK_EVEN, StopModeKind.MOVING_TARGET])


@given(kinds, st.booleans(), percents, prices, st.decimals(min_value=D(1), max_value=D(100000), places=2))
def test_a_price_short_of_the_wake_price_changes_nothing(
    kind: StopModeKind, long: bool, percent: Decimal, path: list[Decimal], stop: Decimal
) -> None:
    """What lets the tracker skip the modes a tick cannot wake: short of wake_price a step is a no-op."""
    sign = 1 if long else -1
    targets = (D(100) + sign * D(10), D(100) + sign * D(20))
    mode = StopMode(kind, long, D(100), D(100), percent, 1, targets)
    current: Decimal | None = stop
    for price in path:
        wake = wake_price(mode, current)
        assert wake is not None
        moved = step(mode, current, price)
        if (price <= wake) if long else (price >= wake):
            assert moved == Step(mode)
        mode, current = moved.mode, moved.stop or current
