from datetime import UTC, datetime
from decimal import Decimal

from trading.domain.enums import OrderType, Side
from trading.domain.market import BookLevel, OrderBook, Ticker
from trading.exchanges.paper.matching import fills_for, triggered

D = Decimal
BOOK = OrderBook(
    "ETH/USDT",
    bids=(BookLevel(D(99), D(1)), BookLevel(D(98), D(2))),
    asks=(BookLevel(D(101), D(1)), BookLevel(D(102), D(2)), BookLevel(D(103), D(5))),
)
TICKER = Ticker("ETH/USDT", D(99), D(101), D(100), D(0), datetime(2026, 1, 1, tzinfo=UTC))


def test_a_market_buy_sweeps_the_asks_and_pays_the_slippage() -> None:
    assert fills_for(OrderType.MARKET, Side.BUY, D(2.5), None, BOOK, resting=False) == [
        BookLevel(D(101), D(1)),
        BookLevel(D(102), D("1.5")),
    ]


def test_a_market_order_larger_than_the_book_takes_what_there_is() -> None:
    taken = fills_for(OrderType.MARKET, Side.SELL, D(10), None, BOOK, resting=False)
    assert sum(level.amount for level in taken) == D(3)


def test_a_marketable_limit_stops_at_its_price() -> None:
    taken = fills_for(OrderType.LIMIT, Side.BUY, D(10), D(102), BOOK, resting=False)
    assert taken == [BookLevel(D(101), D(1)), BookLevel(D(102), D(2))]


def test_a_resting_limit_fills_at_its_own_price() -> None:
    assert fills_for(OrderType.LIMIT, Side.BUY, D(2), D(102), BOOK, resting=True) == [BookLevel(D(102), D(2))]


def test_limits_trigger_when_crossed_and_stops_when_touched() -> None:
    assert triggered(OrderType.LIMIT, Side.BUY, D(101), TICKER)
    assert not triggered(OrderType.LIMIT, Side.BUY, D(100), TICKER)
    assert triggered(OrderType.LIMIT, Side.SELL, D(99), TICKER)
    assert triggered(OrderType.STOP, Side.SELL, D(99), TICKER)
    assert not triggered(OrderType.STOP, Side.SELL, D(98), TICKER)
    assert triggered(OrderType.STOP, Side.BUY, D(101), TICKER)
