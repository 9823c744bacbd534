from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from trading.domain.errors import InvalidInput
from trading.domain.futures import PositionSide
from trading.domain.futures_math import (
    DEFAULT_BRACKETS,
    Bracket,
    BracketTable,
    CrossRest,
    brackets_for,
    funding_payment,
    initial_margin,
    liquidates,
    liquidation_price,
    margin_ratio,
    settle_currency,
    unrealised_pnl,
)

D = Decimal
LONG, SHORT = PositionSide.LONG, PositionSide.SHORT
BTC = brackets_for("BTC/USDT:USDT")

# BTCUSDT's brackets when Binance published its worked example (announcement "Updates to Leverage and Margin
# Tiers of Binance Futures Contracts", 2021-03-18).
BTC_2021 = BracketTable.from_tiers(
    (50_000, "0.004", 125), (250_000, "0.005", 100), (1_000_000, "0.01", 50), (10_000_000, "0.025", 20),
    (20_000_000, "0.05", 10), (50_000_000, "0.1", 5), (100_000_000, "0.125", 4), (200_000_000, "0.15", 3),
    (300_000_000, "0.25", 2), (500_000_000, "0.5", 1),
)  # fmt: skip


@pytest.mark.parametrize(
    ("symbol", "published"),
    [
        # `cum` as GET /fapi/v1/leverageBracket returns it (freqtrade's snapshot, 2024-10-24).
        ("BTC/USDT:USDT", [0, 50, 950, 11450, 131450, 481450, 2981450, 14481450, 26481450, 41481450, 121481450, 421481450]),
        ("ETH/USDT:USDT", [0, 50, 950, 11450, 131450, 381450, 2006450, 9506450, 17506450, 27506450, 80506450, 280506450]),
        ("DOGE/USDT:USDT", [0, 20, 170, 7670, 11670, 51670, 451670, 851670, 3351670, 13351670]),
        ("ACH/USDT:USDT", [0, 25, 125, 750, 10750, 20750, 83250, 333250]),  # on the default table
    ],
)  # fmt: skip
def test_maintenance_amounts_follow_from_the_tiers_as_binance_publishes_them(
    symbol: str, published: list[int]
) -> None:
    assert [b.maintenance_amount for b in brackets_for(symbol).brackets] == [D(n) for n in published]


def test_a_notional_falls_in_the_bracket_up_to_its_cap() -> None:
    assert BTC.max_leverage(D(50_000)) == 125
    assert BTC.max_leverage(D("50000.01")) == 100
    assert BTC.maintenance_margin(D(50_000)) == D(200)  # 0.4% of 50,000
    assert BTC.maintenance_margin(D(1_000_000)) == D(5_550)  # 0.65% of 1,000,000 less 950
    assert BTC.bracket(D(10) ** 12) == BTC.brackets[-1]
    assert BTC.limit == D(1_800_000_000)


def test_the_margin_is_continuous_across_a_bracket_boundary() -> None:
    # 600,000 at 0.5% less 50 equals 600,000 at 0.65% less 950: the maintenance amount exists for this.
    assert BTC.brackets[1].maintenance_margin(D(600_000)) == BTC.brackets[2].maintenance_margin(D(600_000))


def test_unknown_symbols_get_the_default_table_and_inverse_contracts_are_refused() -> None:
    assert brackets_for("PEPE/USDT:USDT") is DEFAULT_BRACKETS
    assert settle_currency("BTC/USDT:USDT") == "USDT"
    assert settle_currency("ETH/USDC") == "USDC"
    with pytest.raises(InvalidInput, match="linear"):
        settle_currency("BTC/USD:BTC")


def test_tables_that_break_continuity_are_refused() -> None:
    low = Bracket(D(0), D(100), D("0.01"), D(50), D(0))
    with pytest.raises(InvalidInput):
        BracketTable((low, Bracket(D(100), D(200), D("0.02"), D(25), D(0))))  # its margin jumps at 100
    with pytest.raises(InvalidInput):
        BracketTable((low, Bracket(D(150), D(200), D("0.02"), D(25), D(2))))  # a gap
    assert BracketTable((low, Bracket(D(100), D(200), D("0.02"), D(25), D(1)))).brackets[1].cap == 200


def test_initial_margin_pnl_and_funding() -> None:
    assert initial_margin(D(2_000), D(10)) == D(200)
    with pytest.raises(InvalidInput):
        initial_margin(D(2_000), D("0.5"))
    assert unrealised_pnl(LONG, D(2), D(1_000), D(1_100)) == D(200)
    assert unrealised_pnl(SHORT, D(2), D(1_000), D(1_100)) == D(-200)
    # 2 ETH at a mark of 1,500 and 0.01%: a long pays 0.30, a short receives it; a negative rate reverses.
    assert funding_payment(LONG, D(2), D(1_500), D("0.0001")) == D("0.3")
    assert funding_payment(SHORT, D(2), D(1_500), D("0.0001")) == D("-0.3")
    assert funding_payment(LONG, D(2), D(1_500), D("-0.0001")) == D("-0.3")


def test_margin_ratio_is_maintenance_over_margin_balance() -> None:
    assert margin_ratio(D(50), D(1_000)) == D("0.05")
    assert margin_ratio(D(50), D(0)) == D("Infinity")


def test_binance_worked_example_cross_margin() -> None:
    """Binance's FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts": one cross wallet of
    1,535,443.01 USDT holding 109.488 BTCUSDT long at 32,481.98 (mark 31,967.27) and 3,683.979 ETHUSDT long at
    1,456.84 (mark 1,335.18); the liquidation prices it gives are 26,316.89 and 1,153.26. (The example's figures
    as reproduced in freqtrade's tests/exchange/test_binance.py, test_liquidation_price_binance.)"""
    wallet = D("1535443.01")
    btc_size, btc_entry, btc_mark = D("109.488"), D("32481.98"), D("31967.27")
    eth_size, eth_entry, eth_mark = D("3683.979"), D("1456.84"), D("1335.18")
    # The example gives ETH's bracket only: 10% with a maintenance amount of 135,365 USDT.
    eth = BracketTable((Bracket(D(2_000_000), D(5_000_000), D("0.1"), D(5), D(135_365)),))

    eth_rest = CrossRest(
        eth.maintenance_margin(eth_size * eth_mark), unrealised_pnl(LONG, eth_size, eth_entry, eth_mark)
    )
    btc_rest = CrossRest(
        BTC_2021.maintenance_margin(btc_size * btc_mark), unrealised_pnl(LONG, btc_size, btc_entry, btc_mark)
    )
    assert btc_rest == CrossRest(D("71200.811444"), D("-56354.56848"))

    btc_lp = liquidation_price(LONG, btc_size, btc_entry, wallet, BTC_2021, eth_rest)
    eth_lp = liquidation_price(LONG, eth_size, eth_entry, wallet, eth, btc_rest)
    assert btc_lp is not None and round(btc_lp, 2) == D("26316.89")
    assert eth_lp is not None and round(eth_lp, 2) == D("1153.26")
    # The bracket the example uses for BTC is the one its notional at the liquidation price (2.88M) falls in.
    assert BTC_2021.bracket(btc_size * btc_lp).maintenance_rate == D("0.025")


def test_isolated_long_and_short_by_hand() -> None:
    # 1 BTC at 20,000 with 50x: 400 of margin, 0.4% in the first bracket.
    # Long: (400 - 20,000) / (0.004 - 1) = 19,678.71; short: (400 + 20,000) / (0.004 + 1) = 20,318.73.
    long_lp = liquidation_price(LONG, D(1), D(20_000), D(400), BTC)
    short_lp = liquidation_price(SHORT, D(1), D(20_000), D(400), BTC)
    assert long_lp is not None and round(long_lp, 2) == D("19678.71")
    assert short_lp is not None and round(short_lp, 2) == D("20318.73")
    assert liquidates(LONG, D(1), D(20_000), D(400), D("19678.71"), BTC)
    assert not liquidates(LONG, D(1), D(20_000), D(400), D("19678.72"), BTC)
    assert liquidates(SHORT, D(1), D(20_000), D(400), D("20318.73"), BTC)
    assert not liquidates(SHORT, D(1), D(20_000), D(400), D("20318.72"), BTC)


def test_the_maintenance_margin_is_taken_at_the_liquidation_price_unlike_bybit() -> None:
    """Bybit's own example: 1 BTC long at 20,000, 50x, a 0.5% rate: 19,700, with the margin taken at entry.
    Binance takes it at the liquidation price: (400 - 20,000) / (0.005 - 1) = 19,698.49."""
    flat = BracketTable.from_tiers((1_000_000, "0.005", 100))
    lp = liquidation_price(LONG, D(1), D(20_000), D(400), flat)
    assert lp is not None and round(lp, 2) == D("19698.49")


def test_the_bracket_is_the_one_the_liquidation_notional_falls_in() -> None:
    # 3 BTC at 20,000 (60,000: the 0.5% bracket) with 12,000 of margin. With that bracket the formula gives
    # (12,000 + 50 - 60,000) / (0.015 - 3) = 16,063.65, a notional of 48,191: in the 0.4% bracket, so
    # recalculated there: (12,000 - 60,000) / (0.012 - 3) = 16,064.26 (notional 48,193, in it).
    lp = liquidation_price(LONG, D(3), D(20_000), D(12_000), BTC)
    assert lp is not None and round(lp, 2) == D("16064.26")
    assert BTC.bracket(3 * lp).maintenance_rate == D("0.004")


def test_a_fully_backed_long_has_no_liquidation_price_and_a_short_past_it_has_zero() -> None:
    assert liquidation_price(LONG, D(1), D(20_000), D(20_000), BTC) is None
    assert liquidation_price(SHORT, D(1), D(20_000), D(-30_000), BTC) == 0
    with pytest.raises(InvalidInput):
        liquidation_price(LONG, D(0), D(20_000), D(400), BTC)


@given(
    short=st.booleans(),
    size=st.decimals("0.001", "5000", places=3),
    entry=st.decimals("0.01", "100000", places=2),
    leverage=st.integers(1, 125),
    move=st.decimals("-0.99", "3", places=4),
    symbol=st.sampled_from(["BTC/USDT:USDT", "ETH/USDT:USDT", "DOGE/USDT:USDT", "ANY/USDT:USDT"]),
)
def test_a_mark_liquidates_exactly_beyond_the_liquidation_price(
    short: bool, size: Decimal, entry: Decimal, leverage: int, move: Decimal, symbol: str
) -> None:
    side = SHORT if short else LONG
    table = brackets_for(symbol)
    wallet = size * entry / leverage
    mark = entry * (1 + move)
    assume(mark > 0)
    lp = liquidation_price(side, size, entry, wallet, table)
    if lp is None:
        assert not liquidates(side, size, entry, wallet, mark, table)
        return
    assume(abs(mark - lp) > lp * D("1e-12"))  # exactly at the price the quotient's rounding decides
    beyond = mark <= lp if side is LONG else mark >= lp
    assert liquidates(side, size, entry, wallet, mark, table) == beyond
