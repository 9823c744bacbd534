from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trading.domain.enums import OrderType, Side
from trading.domain.errors import BelowMinimum, InvalidInput
from trading.domain.market import Market, Ticker
from trading.domain.signals import SignalSpec, SpecChange, plan_signal, spec_changes, with_distances
from trading.usecases.brackets import target_shares

D = Decimal
MARKET = Market("AVAX/USDT", "AVAX", "USDT", D("0.01"), D("0.01"), D("0.01"), D(5))
TICKER = Ticker("AVAX/USDT", D("38.99"), D("39.01"), D(39), D(0), datetime(2026, 1, 1, tzinfo=UTC))


def test_the_amount_is_split_over_entries_and_targets_share_the_position() -> None:
    spec = SignalSpec("AVAX", Side.SELL, (D("38.4"), D("39.0")), (D("37.2"), D("36.1"), D("34.8")), D("40.3"))
    plan = plan_signal(spec, D(1000), MARKET, TICKER)
    assert [e.order_type for e in plan.entries] == [
        OrderType.MARKET,
        OrderType.LIMIT,
    ]  # 38.4 is below the bid
    assert plan.entries[0].price == TICKER.bid and plan.entries[1].price == D("39.0")
    assert all(e.quantity * e.price <= 500 for e in plan.entries)
    assert [price for price, _ in plan.targets] == [D("37.2"), D("36.1"), D("34.8")]
    assert sum(share for _, share in plan.targets) == 1
    stop_loss = sum(e.quantity * (D("40.3") - e.price) for e in plan.entries)
    assert plan.at_risk == stop_loss + 2 * plan.fees


def test_contradictions_are_reported_not_fixed() -> None:
    with pytest.raises(InvalidInput, match="stop 38 is not above"):
        plan_signal(SignalSpec("AVAX", Side.SELL, (D("38.4"),), stop_loss=D(38)), D(100), MARKET, TICKER)
    with pytest.raises(InvalidInput, match=r"Target 39\.5 is not below"):
        plan_signal(SignalSpec("AVAX", Side.SELL, (D("38.4"),), (D("39.5"),)), D(100), MARKET, TICKER)
    with pytest.raises(InvalidInput, match="more than zero"):
        plan_signal(SignalSpec("AVAX", Side.BUY, (D(38),)), D(0), MARKET, TICKER)


def test_too_little_for_the_number_of_entries_says_so() -> None:
    with pytest.raises(BelowMinimum, match="Split over 3 entries"):
        plan_signal(SignalSpec("AVAX", Side.BUY, (D(38), D(37), D(36))), D(12), MARKET, TICKER)


def test_target_shares_are_whole_steps_and_add_up() -> None:
    assert target_shares(D("1.001"), 3, D("0.001")) == [D("0.333"), D("0.333"), D("0.335")]
    assert sum(target_shares(D("9.989"), 2, D("0.001"))) == D("9.989")
    assert target_shares(D(1), 0, D("0.001")) == []


def test_a_stop_and_targets_given_as_distances_are_priced_from_the_mean_entry() -> None:
    long = SignalSpec("AVAX", Side.BUY, (D("38.5"), D("37.5")))
    priced = with_distances(long, D(5), (D(3), D(6)))
    assert priced.stop_loss == D("36.1") and priced.targets == (D("39.14"), D("40.28"))
    plan = plan_signal(with_distances(long, D("3.3333"), ()), D(100), MARKET, TICKER)
    assert plan.stop_loss == D("36.73")  # 38 less 3.3333%, to the market's tick
    # A price the signal gives wins over a distance; without distances the spec is as it was.
    given = SignalSpec("AVAX", Side.BUY, (D(38),), (D(40),), D(35))
    assert with_distances(given, D(5), (D(3),)) == given
    assert with_distances(long, None, ()) == long
    # A short's stop sits above its entries, its targets below.
    short = with_distances(SignalSpec("AVAX", Side.SELL, (D(40),)), D(5), (D(10),))
    assert (short.stop_loss, short.targets) == (D(42), (D(36),))


def test_a_distance_that_gives_no_price_is_refused() -> None:
    with pytest.raises(InvalidInput, match="stop price must be above zero"):
        plan_signal(
            with_distances(SignalSpec("AVAX", Side.BUY, (D(38),)), D(120), ()), D(100), MARKET, TICKER
        )


def test_a_plan_near_the_market_raises_no_doubt() -> None:
    spec = SignalSpec("AVAX", Side.BUY, (D("38.5"), D(39)), (D(41), D(43)), D(37))
    assert plan_signal(spec, D(100), MARKET, TICKER).doubts == ()


@pytest.mark.parametrize(
    ("spec", "doubt"),
    [
        (
            SignalSpec("AVAX", Side.BUY, (D("3.9"),), (D("4.1"),)),
            "entry 3.90 is 10 times off the market (39.00): a misread price?",
        ),
        (
            SignalSpec("AVAX", Side.BUY, (D(30),), (D(32),)),
            "entry 30.00 is 23% from the market (39.00): stale?",
        ),
        (
            SignalSpec("AVAX", Side.BUY, (D(36),), (D(38), D(42))),
            "target 1 (38.00) is already passed: the market is at 39.00",
        ),
        (
            SignalSpec("AVAX", Side.SELL, (D(36),), (D(34),), D(38)),
            "the stop (38.00) is already passed: the market is at 39.00",
        ),
    ],
)
def test_a_stale_or_misread_signal_is_doubted_in_its_plan(spec: SignalSpec, doubt: str) -> None:
    assert doubt in plan_signal(spec, D(100), MARKET, TICKER).doubts


def test_an_edit_s_changes_are_its_tradable_fields_to_every_digit_given() -> None:
    before = SignalSpec("EURUSD", Side.BUY, (D("1.1754"),), (D("1.18"), D("1.19")), D("1.17"), D(10))
    reworded = SignalSpec("EURUSD", Side.BUY, (D("1.17540"),), (D("1.180"), D("1.19")), D("1.170"), D(10))
    assert spec_changes(before, reworded) == ()
    moved = SignalSpec("EURUSD", Side.BUY, (D("1.1756"),), (D("1.18"),), None, None)
    assert spec_changes(before, moved) == (
        SpecChange("entries", "1.1754", "1.1756"),
        SpecChange("targets", "1.18, 1.19", "1.18"),
        SpecChange("stop", "1.17", "none"),
        SpecChange("leverage", "10x", "none"),
    )
    flipped = SignalSpec("GBPUSD", Side.SELL, before.entries, before.targets, before.stop_loss, D(10))
    assert [change.field for change in spec_changes(before, flipped)] == ["symbol", "side"]


def test_a_breakout_waits_for_its_level_as_a_stop_entry_and_takes_one_passed_at_market() -> None:
    spec = SignalSpec("AVAX", Side.BUY, (D("38.5"), D("40.2")), (D("42"),), D("37.5"), breakout=True)
    plan = plan_signal(spec, D(1000), MARKET, TICKER)
    # 38.5 is below the ask of 39.01: the breakout above it has happened; 40.2 is yet to come.
    assert [e.order_type for e in plan.entries] == [OrderType.MARKET, OrderType.STOP]
    assert [e.price for e in plan.entries] == [TICKER.ask, D("40.2")]
