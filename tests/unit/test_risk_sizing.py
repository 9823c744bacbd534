"""Sizing from risk: the loss at the stop comes to the risk asked, within one step of the market, never more."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.domain.errors import InvalidInput
from trading.domain.risk_sizing import NEEDS_A_STOP, loss_at_stop, size_from_risk

D = Decimal
FEE = D("0.0005")


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
