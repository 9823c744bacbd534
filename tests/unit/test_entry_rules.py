"""The split of a signal's amount over its entries, the first entry at market and the entry grace."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.entry_rules import (
    EntryRules,
    SplitStrategy,
    parse_duration,
    parse_ratios,
    split_amount,
    split_weights,
    stop_reached,
    target_reached,
    within_grace,
)
from trading.domain.enums import OrderType, Side
from trading.domain.errors import BelowMinimum, InvalidInput
from trading.domain.market import Market, Ticker
from trading.domain.signals import SignalSpec, plan_signal

D = Decimal
MARKET = Market("AVAX/USDT", "AVAX", "USDT", D("0.01"), D("0.01"), D("0.01"), D(5))
TICKER = Ticker("AVAX/USDT", D("38.99"), D("39.01"), D(39), D(0), datetime(2026, 1, 1, tzinfo=UTC))
LADDER = SignalSpec("AVAX", Side.BUY, (D(38), D(37), D(36)), (D(42),), D(34))


def test_evenly_is_the_split_of_old() -> None:
    plan = plan_signal(LADDER, D(900), MARKET, TICKER)
    costs = [e.quantity * e.price for e in plan.entries]
    assert all(D(299) < c <= 300 for c in costs)
    assert [e.order_type for e in plan.entries] == [OrderType.LIMIT] * 3


@pytest.mark.parametrize(
    ("split", "weights"),
    [
        (SplitStrategy.WEIGHTED_FIRST, (3, 2, 1)),
        (SplitStrategy.WEIGHTED_LAST, (1, 2, 3)),
    ],
)
def test_weighted_splits_put_more_on_the_first_or_the_last(
    split: SplitStrategy, weights: tuple[int, ...]
) -> None:
    plan = plan_signal(LADDER, D(600), MARKET, TICKER, rules=EntryRules(split=split))
    costs = [e.quantity * e.price for e in plan.entries]
    for cost, weight in zip(costs, weights, strict=True):
        assert D(100) * weight - 1 < cost <= D(100) * weight


def test_custom_ratios_split_as_given_and_must_fit_the_entries() -> None:
    rules = EntryRules(split=SplitStrategy.CUSTOM, ratios=parse_ratios("50/30/20"))
    plan = plan_signal(LADDER, D(1000), MARKET, TICKER, rules=rules)
    assert [round(e.quantity * e.price, -1) for e in plan.entries] == [500, 300, 200]
    two = SignalSpec("AVAX", Side.BUY, (D(38), D(37)))
    with pytest.raises(InvalidInput, match="is for 3 entries; this signal has 2"):
        plan_signal(two, D(1000), MARKET, TICKER, rules=rules)


def test_the_first_entry_at_market() -> None:
    plan = plan_signal(LADDER, D(900), MARKET, TICKER, rules=EntryRules(first_at_market=True))
    assert [e.order_type for e in plan.entries] == [OrderType.MARKET, OrderType.LIMIT, OrderType.LIMIT]
    assert plan.entries[0].price == TICKER.ask


def test_the_grace_widens_the_entry_zone() -> None:
    # 39.01 is 2.66% above 38: a 3% grace takes it at market, 2% leaves it resting.
    wide = plan_signal(LADDER, D(900), MARKET, TICKER, rules=EntryRules(grace_percent=D(3)))
    narrow = plan_signal(LADDER, D(900), MARKET, TICKER, rules=EntryRules(grace_percent=D(2)))
    assert wide.entries[0].order_type is OrderType.MARKET and wide.entries[1].order_type is OrderType.LIMIT
    assert narrow.entries[0].order_type is OrderType.LIMIT
    assert within_grace(D(100), Side.SELL, D(99), D(1)) and not within_grace(
        D(100), Side.SELL, D("98.9"), D(1)
    )


def test_a_breakout_is_not_widened_by_the_grace() -> None:
    breakout = SignalSpec("AVAX", Side.BUY, (D(40),), breakout=True)
    plan = plan_signal(breakout, D(100), MARKET, TICKER, rules=EntryRules(grace_percent=D(5)))
    assert plan.entries[0].order_type is OrderType.STOP


def test_an_entry_below_the_minimum_is_refused_with_which_and_why() -> None:
    with pytest.raises(BelowMinimum, match=r"weighted to the first entry \(3/2/1\)\), entry 3 is too small"):
        plan_signal(LADDER, D(24), MARKET, TICKER, rules=EntryRules(split=SplitStrategy.WEIGHTED_FIRST))


def test_bad_rules_are_refused() -> None:
    with pytest.raises(InvalidInput):
        EntryRules(split=SplitStrategy.CUSTOM)
    with pytest.raises(InvalidInput, match="at most 1,000,000"):
        EntryRules(split=SplitStrategy.CUSTOM, ratios=(D(1), D("1E+999999")))
    with pytest.raises(InvalidInput):
        EntryRules(grace_percent=D(20))
    with pytest.raises(InvalidInput):
        EntryRules(expiry=timedelta(days=60))
    with pytest.raises(InvalidInput):
        parse_ratios("50/abc")
    with pytest.raises(InvalidInput):
        parse_duration("24 hours")
    assert parse_duration("24h") == timedelta(hours=24) and parse_duration("90m") == timedelta(minutes=90)


totals = st.decimals(min_value=D(1), max_value=D(10**9), places=2)
strategies = st.sampled_from(
    [SplitStrategy.EVENLY, SplitStrategy.WEIGHTED_FIRST, SplitStrategy.WEIGHTED_LAST]
)


@given(total=totals, count=st.integers(1, 8), split=strategies)
def test_shares_add_up_to_the_total_and_follow_the_weights(
    total: Decimal, count: int, split: SplitStrategy
) -> None:
    weights = split_weights(EntryRules(split=split), count)
    shares = split_amount(total, weights)
    assert sum(shares) == total
    pairs = list(pairwise(shares))
    if split is SplitStrategy.WEIGHTED_FIRST:
        assert all(a > b for a, b in pairs)
    elif split is SplitStrategy.WEIGHTED_LAST:
        assert all(a < b for a, b in pairs)
    else:
        assert max(shares) - min(shares) <= total * D("1e-20")  # to the 28 digits of Decimal's context


@given(
    total=st.decimals(min_value=D(50), max_value=D(10**6), places=2),
    ratios=st.lists(st.integers(1, 100), min_size=3, max_size=3),
    split=strategies,
)
def test_a_plan_spends_the_total_within_the_markets_precision_or_says_which_entry_is_too_small(
    total: Decimal, ratios: list[int], split: SplitStrategy
) -> None:
    for rules in (
        EntryRules(split=split),
        EntryRules(split=SplitStrategy.CUSTOM, ratios=tuple(map(D, ratios))),
    ):
        try:
            plan = plan_signal(LADDER, total, MARKET, TICKER, rules=rules)
        except BelowMinimum as error:
            assert "is too small" in error.message
            continue
        spent = plan.cost + plan.fees
        # Each entry rounds down by less than one amount step.
        slack = sum(MARKET.amount_step * e.price for e in plan.entries) * (1 + MARKET.taker_fee)
        assert total - slack <= spent <= total
        assert all(e.quantity * e.price >= MARKET.min_notional for e in plan.entries)


def test_a_target_or_the_stop_is_reached_at_the_side_that_would_close() -> None:
    quote = Ticker("AVAX/USDT", D(99), D(101), D(100), D(0), datetime(2026, 1, 1, tzinfo=UTC))
    assert target_reached(Side.BUY, D(99), quote) and not target_reached(Side.BUY, D(100), quote)
    assert target_reached(Side.SELL, D(101), quote) and not target_reached(Side.SELL, D(100), quote)
    assert stop_reached(Side.BUY, D(99), quote) and not stop_reached(Side.BUY, D("98.9"), quote)
    assert stop_reached(Side.SELL, D(101), quote) and not stop_reached(Side.SELL, D("101.1"), quote)
