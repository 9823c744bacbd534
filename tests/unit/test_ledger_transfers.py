"""Coins brought into an account at a cost, and transfers out: the ledger's invariant holds through them."""

from decimal import Decimal

import pytest

from tests.unit.test_ledger import value_conserved
from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.ledger import Ledger

D = Decimal


def opened() -> Ledger:
    """What a venue account opens with: 1000 USDT, and 0.5 BTC worth 25000 then."""
    return Ledger().deposit("USDT", D(1000)).open_position("BTC/USDT", D("0.5"), D(25000))


def test_coins_brought_in_are_a_position_at_their_cost_then_and_count_as_deposited() -> None:
    ledger = opened()
    assert ledger.balance("BTC") == D("0.5") and ledger.balance("USDT") == D(1000)
    position = ledger.positions["BTC/USDT"]
    assert (position.quantity, position.cost, position.average_cost) == (D("0.5"), D(25000), D(50000))
    assert ledger.deposits == {"USDT": D(26000)}
    assert value_conserved(ledger)


def test_a_sale_of_coins_brought_in_realises_against_their_opening_cost() -> None:
    effect = opened().apply_fill("BTC/USDT", Side.SELL, D("0.2"), D(60000), D(12), "USDT")
    assert effect.realised_pnl == D("0.2") * (60000 - 50000)
    assert effect.ledger.balance("USDT") == D(1000) + D(12000) - D(12)
    assert value_conserved(effect.ledger)


def test_more_coins_brought_in_add_to_the_position_at_their_own_cost() -> None:
    ledger = opened().open_position("BTC/USDT", D("0.5"), D(35000))
    assert ledger.positions["BTC/USDT"].average_cost == D(60000)
    assert ledger.deposits["USDT"] == D(61000) and value_conserved(ledger)


def test_a_coin_withdrawn_leaves_the_position_at_its_average_cost() -> None:
    ledger = opened().withdraw("BTC", D("0.1"), "BTC/USDT")
    position = ledger.positions["BTC/USDT"]
    assert (position.quantity, position.cost) == (D("0.4"), D(20000))
    assert ledger.balance("BTC") == D("0.4") and ledger.deposits["USDT"] == D(21000)
    assert position.realised_pnl == 0 and value_conserved(ledger)

    emptied = ledger.withdraw("BTC", D("0.4"), "BTC/USDT")
    assert emptied.positions["BTC/USDT"].cost == 0 and emptied.balance("BTC") == 0
    assert emptied.deposits["USDT"] == D(1000) and value_conserved(emptied)


def test_the_quote_and_assets_without_a_position_leave_as_deposits_reversed() -> None:
    ledger = opened().deposit("XYZ", D(7)).withdraw("USDT", D(400)).withdraw("XYZ", D(2))
    assert ledger.balance("USDT") == D(600) and ledger.deposits["USDT"] == D(25600)
    assert ledger.balance("XYZ") == D(5) and ledger.deposits["XYZ"] == D(5)
    assert value_conserved(ledger)


def test_a_withdrawal_beyond_the_position_takes_the_rest_off_the_assets_own_deposits() -> None:
    ledger = opened().deposit("BTC", D("0.1")).withdraw("BTC", D("0.6"), "BTC/USDT")
    assert ledger.balance("BTC") == 0 and ledger.positions["BTC/USDT"].quantity == 0
    assert ledger.deposits["USDT"] == D(1000) and ledger.deposits["BTC"] == 0
    assert value_conserved(ledger)


def test_nonsense_transfers_are_refused() -> None:
    with pytest.raises(InsufficientFunds):
        opened().withdraw("BTC", D("0.6"), "BTC/USDT")
    with pytest.raises(InvalidInput):
        opened().withdraw("USDT", D(0))
    with pytest.raises(InvalidInput):
        opened().open_position("BTC/USDT", D(0), D(1))
    with pytest.raises(InvalidInput):
        opened().open_position("BTC/USDT", D(1), D(-1))
    with pytest.raises(InvalidInput):
        opened().deposit("ETH", D(1)).withdraw("ETH", D(1), "BTC/USDT")
