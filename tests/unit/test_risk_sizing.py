"""Sizing from risk: the loss at the stop comes to the risk asked, within one step of the market, never more;
a signal's plan sized from risk likewise."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.market import Market, Ticker
from trading.domain.risk_sizing import NEEDS_A_STOP, loss_at_stop, size_from_risk
from trading.domain.signals import SignalSpec, amount_for_risk, plan_signal

D = Decimal
FEE = D("0.0005")
MARKET = Market("AVAX/USDT", "AVAX", "USDT", D("0.01"), D("0.01"), D("0.01"), D(5))
TICKER = Ticker("AVAX/USDT", D("38.99"), D("39.01"), D(39), D(0), datetime(2026, 1, 1, tzinfo=UTC))


def test_one_percent_of_ten_thousand_with_a_stop_a_thousand_away() -> None:
    sized = size_from_risk(D(10_000), D(1), D(61_000), D(60_000), D(0), D("0.001"))
    assert (sized.quantity, sized.budget) == (D("0.100"), D(100))
    with_fees = size_from_risk(D(10_000), D(1), D(61_000), D(60_000), FEE, D("0.001"))
    assert with_fees.quantity == D("0.094")  # 100 / (1000 + 60.5) is 0.0942...
    assert loss_at_stop(with_fees.quantity, D(61_000), D(60_000), FEE) == D("99.687")


def test_a_short_sizes_from_a_stop_above() -> None:
    assert size_from_risk(D(2_000), D(2), D(3_000), D(3_100), D(0), D("0.01")).quantity == D("0.40")


@pytest.mark.parametrize(
    ("equity", "percent", "stop", "reason"),
    [
        (D(1000), D(1), None, NEEDS_A_STOP),
        (D(1000), D(1), D(100), "no distance"),
        (D(0), D(1), D(90), "equity is nothing"),
        (D(1000), D(0), D(90), "above 0% and at most 10%"),
        (D(1000), D(11), D(90), "above 0% and at most 10%"),
    ],
)
def test_what_cannot_be_sized_is_refused_with_its_reason(
    equity: Decimal, percent: Decimal, stop: Decimal | None, reason: str
) -> None:
    with pytest.raises(InvalidInput, match=reason):
        size_from_risk(equity, percent, D(100), stop, FEE, D("0.01"))


money = st.decimals(min_value=D("0.01"), max_value=D(10_000_000), places=2)
prices = st.decimals(min_value=D("0.0001"), max_value=D(100_000), places=4)
steps = st.sampled_from([D(1), D("0.1"), D("0.001"), D("0.00001"), D("0.00000001")])
fees = st.sampled_from([D(0), D("0.0002"), D("0.0005"), D("0.001")])
percents = st.decimals(min_value=D("0.01"), max_value=D(10), places=2)


@given(money, percents, prices, prices, fees, steps)
def test_the_loss_at_the_stop_is_the_risk_within_one_step_and_never_more(
    equity: Decimal, percent: Decimal, entry: Decimal, stop: Decimal, fee: Decimal, step: Decimal
) -> None:
    if entry == stop:
        return
    sized = size_from_risk(equity, percent, entry, stop, fee, step)
    loss = loss_at_stop(sized.quantity, entry, stop, fee)
    assert sized.budget == equity * percent / 100
    assert sized.quantity >= 0 and sized.quantity % step == 0
    assert loss <= sized.budget
    assert loss_at_stop(sized.quantity + step, entry, stop, fee) > sized.budget  # one step more would pass it


@given(
    st.decimals(min_value=D(50), max_value=D(5_000), places=2),
    st.lists(st.decimals(min_value=D("36.00"), max_value=D("42.00"), places=2), min_size=1, max_size=3),
    st.decimals(min_value=D("0.5"), max_value=D(15), places=2),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.sampled_from([D(1), D(5), D(20)]),
)
def test_a_plan_sized_from_risk_loses_no_more_than_it_at_its_stop(
    budget: Decimal, entries: list[Decimal], distance: Decimal, side: Side, leverage: Decimal
) -> None:
    """The plan's own at_risk (both fees) is the risk within its rounding, never more."""
    buying = side is Side.BUY
    stop = min(entries) - distance if buying else max(entries) + distance
    spec = SignalSpec("AVAX", side, tuple(entries), stop_loss=stop, leverage=leverage)
    plan = plan_signal(
        spec, amount_for_risk(spec, budget, MARKET, TICKER, leverage), MARKET, TICKER, leverage
    )
    assert plan.at_risk <= budget
    assert plan.at_risk > budget * D("0.9")  # a cent of size a entry is all rounding takes


def test_a_plan_sized_from_risk_needs_a_stop() -> None:
    with pytest.raises(InvalidInput, match=NEEDS_A_STOP):
        amount_for_risk(SignalSpec("AVAX", Side.BUY, (D(39),)), D(100), MARKET, TICKER)
