from decimal import Decimal

import pytest

from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.ledger import Ledger, reservation

D = Decimal


def funded(amount: str = "1000") -> Ledger:
    return Ledger().deposit("USDT", D(amount))


def value_conserved(ledger: Ledger) -> bool:
    at_cost = sum((p.cost for p in ledger.positions.values()), D(0))
    return ledger.balance("USDT") + at_cost + ledger.fees_paid.get("USDT", D(0)) == ledger.deposits[
        "USDT"
    ] + ledger.realised_pnl.get("USDT", D(0))


def test_buys_average_their_cost_and_a_sell_realises_against_it() -> None:
    ledger = funded().apply_fill("ETH/USDT", Side.BUY, D(1), D(100), D("0.1"), "USDT").ledger
    ledger = ledger.apply_fill("ETH/USDT", Side.BUY, D(1), D(200), D("0.2"), "USDT").ledger
    assert ledger.positions["ETH/USDT"].average_cost == D(150)
    assert ledger.balance("USDT") == D("699.7")

    effect = ledger.apply_fill("ETH/USDT", Side.SELL, D("0.5"), D(180), D("0.09"), "USDT")
    assert effect.realised_pnl == D(15)
    assert effect.ledger.positions["ETH/USDT"].quantity == D("1.5")
    assert effect.ledger.positions["ETH/USDT"].average_cost == D(150)
    assert value_conserved(effect.ledger)


def test_thirds_conserve_value_to_the_digit() -> None:
    ledger = funded().apply_fill("ETH/USDT", Side.BUY, D(3), D(100), D(0), "USDT").ledger
    ledger = ledger.apply_fill("ETH/USDT", Side.BUY, D(1), D("33.33"), D(0), "USDT").ledger
    for _ in range(3):
        ledger = ledger.apply_fill("ETH/USDT", Side.SELL, D(1), D(101), D("0.01"), "USDT").ledger
        assert value_conserved(ledger)
    ledger = ledger.apply_fill("ETH/USDT", Side.SELL, D(1), D(101), D("0.01"), "USDT").ledger
    assert ledger.positions["ETH/USDT"].cost == 0 and value_conserved(ledger)


def test_a_fill_that_would_overdraw_is_refused_and_nothing_changes() -> None:
    ledger = funded("100")
    with pytest.raises(InsufficientFunds, match="USDT"):
        ledger.apply_fill("ETH/USDT", Side.BUY, D(1), D(100), D("0.1"), "USDT")
    with pytest.raises(InsufficientFunds, match="Not enough ETH"):
        ledger.apply_fill("ETH/USDT", Side.SELL, D(1), D(100), D(0), "USDT")
    assert ledger == funded("100")


@pytest.mark.parametrize(("quantity", "price", "fee"), [("0", "1", "0"), ("1", "0", "0"), ("1", "1", "-1")])
def test_nonsense_fills_are_refused(quantity: str, price: str, fee: str) -> None:
    with pytest.raises(InvalidInput):
        funded().apply_fill("ETH/USDT", Side.BUY, D(quantity), D(price), D(fee), "USDT")


def test_a_deposit_must_be_positive() -> None:
    with pytest.raises(InvalidInput):
        Ledger().deposit("USDT", D(0))


def test_reservations_hold_quote_with_fee_for_buys_and_base_for_sells() -> None:
    assert reservation(Side.BUY, "ETH/USDT", D(2), D(100), D("0.001")) == ("USDT", D("200.2"))
    assert reservation(Side.SELL, "ETH/USDT", D(2), D(100), D("0.001")) == ("ETH", D(2))
