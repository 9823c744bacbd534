"""The trades a rebalance needs: sales first, rounded to the step, fees, and what the minimums leave out."""

from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.market import Market
from trading.domain.rebalance import plan_rebalance

BTC = Market("BTC/USDT", "BTC", "USDT", Decimal("0.00001"), Decimal("0.01"), min_notional=Decimal(5))
ETH = Market("ETH/USDT", "ETH", "USDT", Decimal("0.0001"), Decimal("0.01"), min_notional=Decimal(5))
SOL = Market("SOL/USDT", "SOL", "USDT", Decimal("0.01"), Decimal("0.01"), min_notional=Decimal(5))
MARKETS = {"BTC": BTC, "ETH": ETH, "SOL": SOL}
PRICES = {"BTC": Decimal(60_000), "ETH": Decimal(3_000), "SOL": Decimal(100)}


def test_all_in_btc_to_half_btc_half_eth_sells_first_then_buys() -> None:
    halves = {"BTC": Decimal(50), "ETH": Decimal(50)}
    plan = plan_rebalance({"BTC": Decimal("0.1"), "USDT": Decimal(0)}, PRICES, MARKETS, halves, "USDT")
    assert plan.equity == Decimal(6000) and plan.current == {"BTC": 100, "USDT": 0}
    assert [(t.symbol, t.side, t.quantity) for t in plan.trades] == [
        ("BTC/USDT", Side.SELL, Decimal("0.05")),
        ("ETH/USDT", Side.BUY, Decimal("1.0")),
    ]
    assert plan.fees == Decimal("6.0")


def test_an_asset_not_named_is_sold_and_a_trade_below_the_minimum_left_out() -> None:
    holdings = {"SOL": Decimal(10), "ETH": Decimal("0.332"), "USDT": Decimal(0)}
    plan = plan_rebalance(holdings, PRICES, MARKETS, {"ETH": Decimal(100)}, "USDT")
    assert [(t.symbol, t.side, t.quantity) for t in plan.trades] == [
        ("SOL/USDT", Side.SELL, Decimal(10)),
        ("ETH/USDT", Side.BUY, Decimal("0.3333")),  # SOL's proceeds, to the step
    ]
    assert plan.left_out == ()
    small = plan_rebalance(
        {"BTC": Decimal("0.001"), "USDT": Decimal(3)}, PRICES, MARKETS, {"BTC": Decimal(100)}, "USDT"
    )
    assert small.trades == () and small.left_out[0][0] == "BTC"


def test_the_drift_is_the_farthest_share_from_its_target_and_due_only_past_the_threshold() -> None:
    from trading.domain.rebalance import drift, drifted

    halves = {"BTC": Decimal(50), "ETH": Decimal(50)}
    now = {"BTC": Decimal("55.5"), "ETH": Decimal("44.5"), "USDT": Decimal(0)}
    assert drift(now, halves) == Decimal("5.5")
    assert drifted(now, halves, Decimal(5)) and not drifted(now, halves, Decimal("5.5"))  # more than, not at
    # a coin held but not named counts with a target of 0; one named but not held with a share of 0
    assert drift({"BTC": Decimal(90), "SOL": Decimal(10)}, {"BTC": Decimal(100)}) == Decimal(10)
    assert drift({"USDT": Decimal(100)}, halves) == Decimal(100)  # all cash, none of the coins
    assert drift({}, {}) == 0
