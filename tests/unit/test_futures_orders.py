"""Which account a request goes to, and the arithmetic of a futures preview: the leverage taken, a signal's plan
at leverage, and the liquidation price that must lie beyond the stop."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trading.domain.enums import Side
from trading.domain.errors import RiskRejected
from trading.domain.futures import MarginMode, MarketType, PositionSide
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_orders import (
    FuturesTerms,
    capped_leverage,
    check_liquidation_beyond_stop,
    stop_to_liquidation,
)
from trading.domain.market import Market, Ticker
from trading.domain.perpetuals import is_perpetual, pair_of_perpetual, perpetual_of
from trading.domain.signals import SignalSpec, plan_signal
from trading.usecases.routing import wants_futures

D = Decimal
LONG, SHORT = PositionSide.LONG, PositionSide.SHORT
ETH = Market(
    "ETH/USDT:USDT", "ETH", "USDT", D("0.001"), D("0.01"), D("0.001"), D(5), D("0.0002"), D("0.0005"),
    MarketType.FUTURES, D(125),
)  # fmt: skip
TICKER = Ticker("ETH/USDT:USDT", D("2999.9"), D("3000.1"), D(3000), D(0), datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("side", "position", "leverage", "futures"),
    [
        (Side.BUY, None, None, False),  # a buy
        (Side.SELL, None, None, False),  # a sale of coins held
        (Side.BUY, LONG, None, False),  # "long 0.1 eth": a buy, at 1x
        (Side.BUY, None, D(1), False),
        (Side.BUY, None, D(3), True),  # leverage
        (Side.SELL, None, D(3), True),
        (Side.SELL, SHORT, None, True),  # a short, even at 1x
        (Side.BUY, SHORT, None, True),  # buying a short back
        (Side.SELL, LONG, None, True),  # reducing a long: never a spot sale
    ],
)
def test_shorts_leverage_and_named_longs_go_to_futures_the_rest_to_spot(
    side: Side, position: PositionSide | None, leverage: Decimal | None, futures: bool
) -> None:
    assert wants_futures(side, position, leverage) is futures


def test_perpetuals_are_named_after_their_pairs() -> None:
    assert perpetual_of("BTC/USDT") == "BTC/USDT:USDT" == perpetual_of("BTC/USDT:USDT")
    assert pair_of_perpetual("BTC/USDT:USDT") == "BTC/USDT" and is_perpetual("BTC/USDT:USDT")
    assert not is_perpetual("BTC/USDT")


def test_the_leverage_taken_is_the_asked_within_the_users_limit_and_the_markets_ceiling() -> None:
    assert capped_leverage(D(10), D(20), D(125)) == D(10)
    assert capped_leverage(D(50), D(20), D(125)) == D(20)
    assert capped_leverage(D(50), D(75), D(25)) == D(25)
    assert capped_leverage(D(5), D(20), None) == D(5)
    terms = FuturesTerms(LONG, D(20), MarginMode.ISOLATED, D(100), leverage_asked=D(50))
    assert terms.capped and not FuturesTerms(LONG, D(5), MarginMode.ISOLATED, D(100)).capped


def test_a_liquidation_price_short_of_the_stop_by_the_margin_is_refused_with_both_prices() -> None:
    check_liquidation_beyond_stop(LONG, D(10), D(3000), D("2969.99"))  # more than 1% below
    with pytest.raises(RiskRejected, match=r"liquidated at 2,975\.00, before its stop at 3,000\.00"):
        check_liquidation_beyond_stop(LONG, D(10), D(3000), D(2975))
    check_liquidation_beyond_stop(SHORT, D(10), D(3000), D("3030.01"))
    with pytest.raises(RiskRejected, match="at least 1% above the stop"):
        check_liquidation_beyond_stop(SHORT, D(10), D(3000), D(3020))
    check_liquidation_beyond_stop(LONG, D(1), None, D(10))  # no stop, nothing to compare
    check_liquidation_beyond_stop(LONG, D(1), D(3000), None)  # 1x: no liquidation price
    assert stop_to_liquidation(D(3000), D(2700)) == D(10)


def test_a_plan_at_leverage_puts_up_the_amount_as_margin_with_its_fee() -> None:
    spec = SignalSpec("ETH", Side.SELL, (D(2990),), (D(2900), D(2800)), D(3080), D(10))
    plan = plan_signal(spec, D(100), ETH, TICKER, D(10))
    [entry] = plan.entries
    assert entry.price == TICKER.bid  # a short's entry the market is through: taken at market
    assert plan.cost == entry.quantity * entry.price and plan.margin == plan.cost / 10
    assert plan.margin + plan.fees <= D(100) < plan.margin + plan.fees + ETH.amount_step * entry.price
    assert plan.at_risk == entry.quantity * (D(3080) - entry.price) + 2 * plan.fees
    spot = plan_signal(spec, D(100), ETH, TICKER)
    assert spot.cost + spot.fees <= D(100) and spot.margin == spot.cost


def test_a_previewed_short_liquidates_where_the_book_says() -> None:
    """The preview's liquidation price is the futures book's after the order, not a formula of its own."""
    book = FuturesBook().deposit("USDT", D(1000))
    fill = book.apply_fill(
        "ETH/USDT:USDT", Side.SELL, D(1), D(3000), D("1.5"), leverage=D(10), margin_mode=MarginMode.ISOLATED
    )
    price = fill.book.liquidation_price("ETH/USDT:USDT")
    assert price is not None and D(3250) < price < D(3300)  # about 1/10 above, less the maintenance margin
    assert fill.book.liquidates("ETH/USDT:USDT", price + D("0.01"), {})
    assert not fill.book.liquidates("ETH/USDT:USDT", price - D("0.01"), {})
