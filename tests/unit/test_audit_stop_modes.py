"""A source's stop mode in the audit, on scripted candle paths: the trailing stop, break-even after target N, the
moving target and the trailing take-profit, each moved by a candle only from the next one (no look-ahead)."""

from decimal import Decimal

from tests.unit.test_audit_simulation import HOUR, NO_FEES, START, path, signal
from trading.domain.audit import AuditRules, Outcome, simulate
from trading.domain.audit_settings import settings_text
from trading.domain.audit_stops import AuditStopMode
from trading.domain.enums import Side
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind

D = Decimal
# Buy at 100, targets 110, 120 and 130, stop 90.
THREE_TARGETS = SignalSpec("ETH/USDT", Side.BUY, (D(100),), (D(110), D(120), D(130)), D(90))


def with_mode(kind: StopModeKind, percent: int | None = None, after_target: int = 1) -> AuditRules:
    mode = AuditStopMode(kind, None if percent is None else D(percent), after_target)
    return AuditRules(amount=NO_FEES.amount, fee_rate=NO_FEES.fee_rate, stop_mode=mode)


def test_a_trailing_stop_follows_the_high_of_the_candles_before() -> None:
    candles = path((100, 101, 99, 100), (100, 108, 100, 107), (107, 107, 102, 103))
    trade = simulate(signal(), candles, with_mode(StopModeKind.TRAILING, 5))
    # 5% under the high of 108: 102.6, hit by the next candle's dip to 102.
    assert trade.outcome is Outcome.STOPPED and trade.exited_at == START + 2 * HOUR
    assert trade.pnl == D("2.6")


def test_a_candles_own_high_moves_the_stop_only_from_the_next_candle() -> None:
    # The candle reached 108 and 97: whether the high came first is unknown, so its dip does not stop it (the
    # stop it starts with is 95.95, 5% under the first candle's 101).
    candles = path((100, 101, 99, 100), (100, 108, 97, 100), (100, 101, 99, 100))
    trade = simulate(signal(), candles, with_mode(StopModeKind.TRAILING, 5))
    assert trade.exited_at == START + 2 * HOUR
    assert trade.pnl == D(0)  # the next candle opened under the stop of 102.6: sold at its open, 100


def test_a_short_trails_the_lows() -> None:
    short = SignalSpec("ETH/USDT", Side.SELL, (D(100),), (D(80),), D(110))
    candles = path((100, 101, 99, 100), (100, 101, 92, 93), (93, 97, 93, 96))
    trade = simulate(signal(short), candles, with_mode(StopModeKind.TRAILING, 5))
    assert trade.outcome is Outcome.STOPPED and trade.pnl == D("3.4")  # stopped at 96.6, 5% above 92


def test_break_even_after_the_second_target() -> None:
    candles = path(
        (100, 101, 99, 100), (100, 111, 100, 110), (110, 110, 95, 96), (96, 121, 96, 120), (120, 120, 99, 99)
    )
    trade = simulate(signal(THREE_TARGETS), candles, with_mode(StopModeKind.BREAK_EVEN, after_target=2))
    # The dip to 95 after target 1 kept the stop at 90; after target 2 the stop at 100 took the last third.
    assert trade.outcome is Outcome.STOPPED and trade.targets_hit == 2
    assert trade.pnl.quantize(D("0.01")) == D("10.00")
    by_default = simulate(signal(THREE_TARGETS), candles, NO_FEES)
    assert by_default.exited_at == START + 2 * HOUR  # break-even after target 1: stopped by the dip


def test_a_moving_target_raises_the_stop_to_the_target_before() -> None:
    candles = path((100, 101, 99, 100), (100, 111, 100, 110), (110, 121, 110, 120), (120, 120, 109, 109))
    trade = simulate(signal(THREE_TARGETS), candles, with_mode(StopModeKind.MOVING_TARGET))
    # A third at 110, a third at 120, the last third stopped at target 1's 110.
    assert trade.outcome is Outcome.STOPPED and trade.targets_hit == 2
    assert trade.pnl.quantize(D("0.01")) == D("13.33")


def test_a_trailing_take_profit_closes_on_a_fall_back_past_the_first_target() -> None:
    candles = path((100, 101, 99, 100), (100, 112, 100, 111), (111, 115, 107, 114), (114, 114, 108, 108))
    trade = simulate(signal(), candles, with_mode(StopModeKind.TRAILING_TAKE_PROFIT, 5))
    # Half at target 1 (110); the rest when the price fell 5% from 115, at 109.25.
    assert trade.outcome is Outcome.TRAILED and trade.exited_at == START + 3 * HOUR
    assert trade.pnl == D("9.625")


def test_a_mode_that_cannot_act_leaves_the_default() -> None:
    no_targets = SignalSpec("ETH/USDT", Side.BUY, (D(100),), (), D(90))
    candles = path((100, 101, 99, 100), (100, 130, 100, 125))
    trade = simulate(signal(no_targets), candles, with_mode(StopModeKind.MOVING_TARGET))
    assert trade.outcome is Outcome.OPEN and trade.pnl == D(25)


def test_the_report_says_the_stop_mode() -> None:
    assert "moved by a trailing stop 3%" in settings_text(with_mode(StopModeKind.TRAILING, 3), "#2 Calls")
    said = settings_text(with_mode(StopModeKind.BREAK_EVEN, after_target=2), "#2 Calls")
    assert "break-even stop after target 2" in said
    assert "not played" in settings_text(with_mode(StopModeKind.TRAILING_ENTRY, 2), "#2 Calls")
    assert "the stop to the entry after the first target" in settings_text(NO_FEES, None)
