"""Renderers and keyboards of signal tracking: target and stop messages, a closed signal, statistics, the
break-even toggle."""

from datetime import UTC, datetime
from decimal import Decimal

from handlers.keyboards import PlanAction, plan_keyboard
from handlers.render import bracket_fill_text, signal_closed_text, sources_text
from trading.domain.enums import OrderRole, Side
from trading.domain.orders import Fill
from trading.domain.signal_records import (
    SignalOutcome,
    SignalRecord,
    SignalSource,
    SignalStatus,
    SourceStats,
    closing_pnl,
    outcome_of,
)
from trading.domain.signals import SignalSpec
from trading.usecases.access import LARGEST_ID
from trading.usecases.reporting import BracketFill
from trading.usecases.signals import ClosedSignal

D = Decimal
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SOURCE = SignalSource(3, 1, "-100500", "Crypto Calls", False)


def test_a_target_says_which_what_it_sold_and_where_the_stop_went() -> None:
    fill = BracketFill(
        1, "BTC/USDT", OrderRole.TAKE_PROFIT, Side.SELL, D("0.0100"), D("65010"), D("12.3"), "USDT",
        target=1, targets=3, stop_moved_to=D("64000"),
    )  # fmt: skip
    assert bracket_fill_text(fill) == (
        "🎯 BTC/USDT target 1 of 3 hit at 65,010.00: sold 0.01 BTC (+12.30 USDT). Stop moved to entry 64,000.00."
    )
    last = BracketFill(
        1, "BTC/USDT", OrderRole.TAKE_PROFIT, Side.SELL, D("0.01"), D("66000"), D("22"), "USDT",
        target=3, targets=3, closed=True,
    )  # fmt: skip
    assert bracket_fill_text(last).endswith("(+22.00 USDT). Position closed.")


def test_a_stop_shows_its_loss_with_a_minus_sign() -> None:
    fill = BracketFill(
        1, "XRP/USDT", OrderRole.STOP_LOSS, Side.SELL, D("150"), D("0.4812"), D("-61.2"), "USDT", closed=True
    )
    assert bracket_fill_text(fill) == "🛑 XRP/USDT stop hit at 0.4812: sold 150 XRP (−61.20 USDT)."


def test_a_closed_signal_names_its_source_outcome_and_pnl() -> None:
    spec = SignalSpec("BTC", Side.BUY, (D(67000),), (D(68000),), D(65000))
    record = SignalRecord(9, 3, 1, "h", spec, SignalStatus.FOLLOWED, NOW)
    closed = ClosedSignal(record, "Crypto Calls", "BTC/USDT", SignalOutcome.LOSS, D("-3.5"), "USDT")
    assert signal_closed_text(closed) == "🏁 Signal BTC/USDT buy from Crypto Calls closed: loss, −3.50 USDT."


def test_sources_show_win_rate_and_pnl_once_signals_closed() -> None:
    text = sources_text(
        [
            SourceStats(SOURCE, signals=4, followed=3, wins=2, losses=1, pnl=D("41.5")),
            SourceStats(SignalSource(4, 1, "x", "Quiet", True), 1, 0, 0, 0, D(0)),
        ]
    )
    assert (
        f"• #{SOURCE.id} Crypto Calls: 4 signals, 3 followed, win rate 67% (2 won, 1 lost), P&L +41.50"
        in text
    )
    assert "• #4 Quiet: 1 signals, 0 followed, win rate n/a, P&L +0.00, followed automatically\n" in text
    assert "   market auto (shorts and leverage on futures), sized from the amount" in text


def test_the_break_even_toggle_shows_its_state_and_flips_it() -> None:
    def buttons(on: bool | None) -> dict[str, PlanAction]:
        markup = plan_keyboard("AbCdEfGh", LARGEST_ID, on)
        return {
            b.text: PlanAction.unpack(b.callback_data or "") for row in markup.inline_keyboard for b in row
        }

    assert not any("Stop to entry" in text for text in buttons(None))  # a plan it does not apply to
    off = buttons(False)["🛡 Stop to entry after TP1: off"]
    assert (off.action, off.group_id, off.signal_id) == ("be_on", "AbCdEfGh", LARGEST_ID)
    assert buttons(True)["🛡 Stop to entry after TP1: on"].action == "be_off"
    markup = plan_keyboard("AbCdEfGh", LARGEST_ID, True)
    assert all(len((b.callback_data or "").encode()) <= 64 for row in markup.inline_keyboard for b in row)


def _fill(order_id: int, quantity: str, price: str, fee: str, currency: str = "USDT") -> Fill:
    return Fill(order_id, "t", D(quantity), D(price), D(fee), currency, NOW)


def test_closing_pnl_is_net_of_both_sides_fees_and_counts_only_what_closed() -> None:
    entries = [_fill(1, "1", "100", "0.1"), _fill(1, "1", "110", "0.11")]  # average cost 105, fees 0.21
    half = [_fill(2, "1", "120", "0.12")]
    assert closing_pnl(Side.BUY, entries, half, "USDT") == D("15") - D("0.105") - D("0.12")
    short = closing_pnl(Side.SELL, [_fill(1, "2", "50", "0")], [_fill(2, "2", "40", "0.5", "ETH")], "USDT")
    assert short == D("20") - D("20")  # a fee charged in the base is worth its quantity at the price
    assert closing_pnl(Side.BUY, entries, [], "USDT") == 0


def test_outcomes_are_judged_to_the_cent() -> None:
    assert outcome_of(D("0.01")) is SignalOutcome.WIN
    assert outcome_of(D("-0.004")) is SignalOutcome.BREAKEVEN
    assert outcome_of(D("-0.006")) is SignalOutcome.LOSS
