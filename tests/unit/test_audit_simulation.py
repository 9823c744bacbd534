"""A signal played on scripted candle paths: the live trade rules, the stop first within a candle unless finer
candles decide, follow-ups only from their own time."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from trading.domain.audit import (
    AuditRules,
    AuditSignal,
    FollowUp,
    FollowUpAction,
    Outcome,
    simulate,
)
from trading.domain.audit_report import audit_report, max_drawdown
from trading.domain.enums import Side
from trading.domain.market import Candle
from trading.domain.signals import SignalSpec

D = Decimal
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
NO_FEES = AuditRules(amount=D(100), fee_rate=D(0))
# Buy at 100, targets 110 and 120, stop 90: the stop moves to the entry after target 1.
LONG = SignalSpec("ETH/USDT", Side.BUY, (D(100),), (D(110), D(120)), D(90))


def path(*bars: tuple[int, int, int, int], start: datetime = START, step: timedelta = HOUR) -> list[Candle]:
    return [Candle(start + step * i, D(o), D(h), D(lo), D(c), D(1)) for i, (o, h, lo, c) in enumerate(bars)]


def signal(spec: SignalSpec = LONG, *follow_ups: FollowUp) -> AuditSignal:
    return AuditSignal(post_id=7, at=START, spec=spec, follow_ups=follow_ups)


def test_a_target_first_then_the_stop_at_the_entry() -> None:
    candles = path((100, 101, 99, 100), (100, 111, 100, 109), (109, 109, 99, 99))
    trade = simulate(signal(), candles, NO_FEES)
    # Half sold at 110 (+5); the stop moved to the entry took the other half at 100 (0).
    assert trade.outcome is Outcome.STOPPED
    assert trade.targets_hit == 1 and trade.first_target_at == START + HOUR
    assert trade.pnl == D(5)
    assert trade.r_multiple == D("0.5")  # risk: 1 ETH from 100 to 90
    assert not trade.stop_assumed_first


def test_every_target_reached() -> None:
    candles = path((100, 101, 99, 100), (100, 111, 100, 109), (109, 125, 108, 124))
    trade = simulate(signal(), candles, NO_FEES)
    assert trade.outcome is Outcome.TARGETS
    assert trade.pnl == D(15)  # half at 110, half at 120
    assert trade.exited_at == START + 2 * HOUR


def test_the_stop_first() -> None:
    trade = simulate(signal(), path((100, 101, 99, 100), (99, 100, 89, 89)), NO_FEES)
    assert trade.outcome is Outcome.STOPPED
    assert trade.pnl == D(-10) and trade.r_multiple == D(-1)


def test_the_stop_through_a_gap_is_sold_at_the_open() -> None:
    trade = simulate(signal(), path((100, 101, 99, 100), (85, 86, 80, 82)), NO_FEES)
    assert trade.pnl == D(-15)


def test_both_in_one_candle_takes_the_stop_and_says_so() -> None:
    trade = simulate(signal(), path((100, 101, 99, 100), (100, 112, 88, 100)), NO_FEES)
    assert trade.outcome is Outcome.STOPPED
    assert trade.stop_assumed_first
    assert trade.pnl == D(-10)


def test_finer_candles_decide_a_candle_that_reached_both() -> None:
    candles = path((100, 101, 99, 100), (100, 112, 88, 100))
    finer = path(
        (100, 111, 100, 110), (110, 112, 99, 99), (99, 99, 98, 98), start=START + HOUR, step=HOUR / 4
    )
    trade = simulate(signal(), candles, NO_FEES, finer)
    # Target 1 came first in the finer candles; the stop, moved to the entry, then took the rest at 100.
    assert trade.outcome is Outcome.STOPPED
    assert trade.targets_hit == 1 and trade.pnl == D(5)
    assert not trade.stop_assumed_first


def test_a_follow_up_moving_the_stop_acts_only_from_its_own_time() -> None:
    moved = FollowUp(START + 2 * HOUR, FollowUpAction.MOVE_STOP, D(97))
    candles = path((100, 101, 99, 100), (100, 104, 96, 103), (103, 105, 96, 97))
    trade = simulate(signal(LONG, moved), candles, NO_FEES)
    # The dip to 96 an hour before the follow-up did not stop the trade; the one after it did, at 97.
    assert trade.outcome is Outcome.STOPPED
    assert trade.exited_at == START + 2 * HOUR
    assert trade.pnl == D(-3)


def test_a_close_sells_at_the_open_of_its_candle() -> None:
    close = FollowUp(START + HOUR + timedelta(minutes=10), FollowUpAction.CLOSE)
    candles = path((100, 101, 99, 100), (100, 104, 99, 103), (106, 108, 105, 107))
    trade = simulate(signal(LONG, close), candles, NO_FEES)
    assert trade.outcome is Outcome.CLOSED and trade.pnl == D(6)


def test_an_entry_never_reached() -> None:
    candles = path(*[(105, 108, 103, 106)] * 24, step=timedelta(days=1))
    trade = simulate(signal(), candles, NO_FEES)
    assert trade.outcome is Outcome.NOT_FILLED
    assert not trade.filled and trade.pnl == 0 and trade.r_multiple is None


def test_a_cancel_before_the_entry() -> None:
    cancel = FollowUp(START + HOUR, FollowUpAction.CANCEL)
    candles = path((105, 106, 104, 105), (105, 106, 95, 96))
    assert simulate(signal(LONG, cancel), candles, NO_FEES).outcome is Outcome.CANCELLED


def test_entries_split_the_amount_and_fees_are_paid_on_every_fill() -> None:
    spec = SignalSpec("SOL/USDT", Side.BUY, (D(100), D(80)), (D(120),), D(70))
    rules = AuditRules(amount=D(100), fee_rate=D("0.001"))
    trade = simulate(signal(spec), path((100, 101, 79, 90), (90, 121, 89, 120)), rules)
    quantity = D(50) / (D(100) * D("1.001")) + D(50) / (D(80) * D("1.001"))
    cost = D(50) / D("1.001") * 2
    expected = quantity * 120 - cost - cost * D("0.001") - quantity * 120 * D("0.001")
    assert trade.outcome is Outcome.TARGETS
    assert abs(trade.pnl - expected) < D("1e-20")


def test_a_short_with_leverage_is_liquidated_before_its_far_stop() -> None:
    spec = SignalSpec("DOGE/USDT", Side.SELL, (D(100),), (D(80),), D(200), leverage=D(20))
    trade = simulate(signal(spec), path((100, 101, 99, 100), (100, 106, 99, 105)), NO_FEES)
    # 20x short from 100: liquidated near 104.5, long before the stop at 200.
    assert trade.outcome is Outcome.LIQUIDATED
    assert trade.pnl == D(-100)  # the whole margin


def test_a_trade_still_open_at_the_end_is_marked_at_the_last_close() -> None:
    trade = simulate(signal(), path((100, 101, 99, 100), (100, 105, 98, 104)), NO_FEES)
    assert trade.outcome is Outcome.OPEN and trade.pnl == D(4)


def test_the_report_adds_up() -> None:
    win = simulate(signal(), path((100, 101, 99, 100), (100, 125, 100, 124)), NO_FEES)
    loss = simulate(
        AuditSignal(8, START + 2 * HOUR, LONG),
        path((100, 101, 99, 100), (99, 100, 89, 89), start=START + 2 * HOUR),
        NO_FEES,
    )
    missed = simulate(signal(), path(*[(105, 108, 103, 106)] * 24, step=timedelta(days=1)), NO_FEES)
    report = audit_report(5, 3, 4, [win, loss, missed], D(100), {"ETH/USDT": (D(100), D(110))})
    assert (report.simulated, report.filled, report.wins) == (3, 2, 1)
    assert report.pnl == D(5) and report.win_rate == D("0.5")
    assert report.average_r == (D("1.5") + D(-1)) / 2
    assert report.max_drawdown == D(10)
    assert report.time_to_first_target == HOUR
    assert report.buy_and_hold_pnl == D(10)
    assert [(t.key, t.trades) for t in report.by_symbol] == [("ETH/USDT", 2)]
    assert [p[1] for p in report.equity] == [D(15), D(5)]


@given(st.lists(st.integers(min_value=-50, max_value=50), max_size=30))
def test_the_drawdown_is_never_more_than_the_sum_of_the_losses(steps: list[int]) -> None:
    curve, total = [], D(0)
    for step in steps:
        total += step
        curve.append((START, total))
    drawdown = max_drawdown(curve)
    assert D(0) <= drawdown <= -sum(D(s) for s in steps if s < 0)


@given(st.lists(st.integers(min_value=60, max_value=140), min_size=2, max_size=40))
def test_a_trade_never_loses_more_than_its_risk_without_gaps(closes: list[int]) -> None:
    bars = [(c, c, c, c) for c in [100, *closes]]
    trade = simulate(signal(), path(*bars), NO_FEES)
    if trade.outcome is Outcome.STOPPED and all(c >= 90 for c in closes[: closes.index(min(closes)) + 1]):
        assert trade.pnl >= -trade.risk
    assert trade.pnl <= D(20)  # never more than every target at its price
