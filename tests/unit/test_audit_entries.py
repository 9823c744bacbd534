"""A signal's entries in the audit, split and taken as the source's entry rules say: evenly, weighted, custom,
the first at market, within the grace, and given up before any entry as the before-entry rules say."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.unit.test_audit_simulation import START, path, signal
from trading.domain.audit import AuditRules, Outcome, simulate
from trading.domain.audit_settings import settings_text
from trading.domain.entry_rules import EntryRules, SplitStrategy
from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.signals import SignalSpec

D = Decimal
HOUR = timedelta(hours=1)
# Entries 100 and 80, one target at 120, the stop at 70.
TWO_ENTRIES = SignalSpec("SOL/USDT", Side.BUY, (D(100), D(80)), (D(120),), D(70))
# Both entries filled, then the target.
BOTH_THEN_TARGET = path((101, 101, 99, 100), (100, 100, 79, 85), (85, 121, 85, 120))


def rules(**entry: object) -> AuditRules:
    return AuditRules(amount=D(100), fee_rate=D(0), entry=EntryRules(**entry))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entry", "pnl"),
    [
        # 50 at 100 and 50 at 80: 0.5 + 0.625 SOL, sold at 120.
        ({}, D("35")),
        # 2:1 to the first: 66.67 at 100 (0.6667 SOL), 33.33 at 80 (0.4167 SOL).
        ({"split": SplitStrategy.WEIGHTED_FIRST}, D("30")),
        # 1:2 to the last: 33.33 at 100, 66.67 at 80.
        ({"split": SplitStrategy.WEIGHTED_LAST}, D("40")),
        # Custom 3:1: 75 at 100 (0.75 SOL), 25 at 80 (0.3125 SOL).
        ({"split": SplitStrategy.CUSTOM, "ratios": (D(3), D(1))}, D("27.5")),
    ],
)
def test_the_amount_is_split_as_the_rules_say(entry: dict[str, object], pnl: Decimal) -> None:
    trade = simulate(signal(TWO_ENTRIES), BOTH_THEN_TARGET, rules(**entry))
    assert trade.outcome is Outcome.TARGETS
    assert trade.pnl.quantize(D("0.0001")) == pnl


def test_a_custom_split_for_another_number_of_entries_is_refused() -> None:
    with pytest.raises(InvalidInput, match="for 3 entries; this signal has 2"):
        simulate(
            signal(TWO_ENTRIES),
            BOTH_THEN_TARGET,
            rules(split=SplitStrategy.CUSTOM, ratios=(D(1), D(1), D(1))),
        )


def test_the_first_entry_at_market_fills_at_the_open_of_the_first_candle() -> None:
    # The market never comes down to 100: only the first-at-market rule enters, at 105.
    candles = path((105, 106, 104, 105), (105, 126, 105, 125))
    assert simulate(signal(TWO_ENTRIES), candles, rules()).outcome is Outcome.NOT_FILLED
    trade = simulate(signal(TWO_ENTRIES), candles, rules(first_at_market=True))
    assert trade.entered_at == START and trade.outcome is Outcome.TARGETS
    # 50 at 105, sold at 120; the second entry was given up at the target.
    assert trade.pnl.quantize(D("0.0001")) == D("7.1429")


def test_an_entry_within_the_grace_fills_at_the_open() -> None:
    candles = path((101, 102, 101, 101), (101, 121, 101, 120))
    assert simulate(signal(TWO_ENTRIES), candles, rules(grace_percent=D(2))).entered_at == START
    assert simulate(signal(TWO_ENTRIES), candles, rules(grace_percent=D("0.5"))).entered_at is None


def test_the_before_entry_rules_give_a_signal_up() -> None:
    to_target = path((105, 106, 104, 105), (105, 121, 104, 120), (120, 120, 95, 96))
    given_up = simulate(signal(TWO_ENTRIES), to_target, rules(close_on_target_before_entry=True))
    assert given_up.outcome is Outcome.CANCELLED and not given_up.filled
    # Without the rule, the fall after the target still enters at 100.
    assert simulate(signal(TWO_ENTRIES), to_target, rules()).filled


def test_the_entry_expiry_shortens_the_wait() -> None:
    candles = path((105, 106, 104, 105), (105, 106, 104, 105), (100, 100, 95, 96), step=timedelta(hours=12))
    assert simulate(signal(TWO_ENTRIES), candles, rules()).filled
    expired = simulate(signal(TWO_ENTRIES), candles, rules(expiry=timedelta(hours=12)))
    assert expired.outcome is Outcome.NOT_FILLED


def test_the_report_says_whose_rules_and_what_they_are() -> None:
    weighted = rules(split=SplitStrategy.WEIGHTED_FIRST, first_at_market=True)
    said = settings_text(weighted, "#3 Crypto Compass VIP")
    assert "your source #3 Crypto Compass VIP" in said
    assert "entries split weighted to the first entry, the first at market" in said
    assert "the default rules" in settings_text(AuditRules(), None)
