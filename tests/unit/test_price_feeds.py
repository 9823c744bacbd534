"""Price feeds without a websocket: the simulated market's own, and polling; and what every feed shares (the
ticks handed to each subscriber, the bound on markets watched, the back-off between attempts)."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.fakes import ManualClock
from tests.patience import PATIENCE_S
from trading.domain.errors import ExchangeUnavailable, TradingError
from trading.domain.market import Ticker
from trading.exchanges.retry import Backoff
from trading.market.feeds import PollingPriceFeed, SimulatedPriceFeed
from trading.market.simulated import SimulatedMarket
from trading.market.ticks import TickHub
from trading.ports import PriceStream

D = Decimal
NO_PAUSE = Backoff(first=0.001, most=0.001, jitter=0)


def tick(symbol: str, last: str) -> Ticker:
    price = D(last)
    return Ticker(symbol, price, price, price, D(0), datetime(2026, 1, 1, tzinfo=UTC))


async def next_tick(stream: PriceStream) -> Ticker:
    async with asyncio.timeout(PATIENCE_S):
        return await anext(stream)


async def test_a_slow_reader_gets_the_newest_tick_of_each_symbol_in_the_order_they_came() -> None:
    hub = TickHub()
    stream = hub.subscribe()
    for symbol, last in [("BTC/USDT", "1"), ("ETH/USDT", "2"), ("BTC/USDT", "3")]:
        hub.publish(tick(symbol, last))
    assert [(await next_tick(stream)).last for _ in range(2)] == [D(3), D(2)]
    assert hub.latest("BTC/USDT") == tick("BTC/USDT", "3")
    stream.close()
    hub.publish(tick("BTC/USDT", "4"))
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_what_was_pending_is_read_before_a_closed_stream_ends() -> None:
    hub = TickHub()
    stream = hub.subscribe()
    hub.publish(tick("BTC/USDT", "1"))
    hub.close()
    assert (await next_tick(stream)).last == D(1)
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


def test_a_feed_watches_a_bounded_number_of_markets() -> None:
    hub = TickHub(most_watched=2)
    assert hub.admit(["A/USDT", "B/USDT", "A/USDT"]) == ["A/USDT", "B/USDT"]
    assert hub.admit(["B/USDT", "C/USDT"]) == []  # beyond the bound: left to polling
    hub.drop("A/USDT")
    assert hub.admit(["C/USDT"]) == ["C/USDT"]


def test_back_off_doubles_up_to_its_bound_and_never_overflows() -> None:
    backoff = Backoff(first=0.5, most=8.0, jitter=0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff.delay(100_000) == 8.0  # a stream down for days
    assert 4.0 <= Backoff(first=1, most=8, jitter=0.5).delay(4) <= 8.0


async def test_the_simulated_market_pushes_a_price_set_at_once_and_each_step_of_its_walk() -> None:
    clock = ManualClock()
    market = SimulatedMarket(clock, seed=7)
    feed = SimulatedPriceFeed(market)
    try:
        ticks = feed.subscribe()
        feed.watch(["SOL/USDT", "XYZ/USDT"])
        assert (await next_tick(ticks)).symbol == "SOL/USDT"  # the price it has now
        assert feed.latest("XYZ/USDT") is None  # not listed: not watched

        market.set_price("SOL/USDT", D(110))
        pushed = await next_tick(ticks)
        assert (pushed.symbol, pushed.last) == ("SOL/USDT", D(110))
        assert feed.latest("SOL/USDT") == pushed

        clock.advance(1)  # the walk takes a step
        stepped = await next_tick(ticks)
        assert (stepped.symbol, stepped.timestamp) == ("SOL/USDT", clock.now())
    finally:
        await feed.close()


class FlakyMarket(SimulatedMarket):
    """The simulated market behind a REST API that fails with the given errors first."""

    def __init__(self, *errors: TradingError) -> None:
        super().__init__(ManualClock(), seed=7)
        self.errors = list(errors)
        self.asked = 0

    async def ticker(self, symbol: str) -> Ticker:
        self.asked += 1
        if self.errors:
            raise self.errors.pop(0)
        return await super().ticker(symbol)


async def test_polling_gives_no_price_while_the_venue_fails_and_resumes_after() -> None:
    market = FlakyMarket(ExchangeUnavailable("The venue cannot be reached right now."))
    feed = PollingPriceFeed(market, every_seconds=0.001, backoff=NO_PAUSE)
    try:
        ticks = feed.subscribe()
        feed.watch(["ETH/USDT"])
        first = await next_tick(ticks)  # after the failed poll
        assert market.asked == 2 and first == market.ticker_now("ETH/USDT")
        market.set_price("ETH/USDT", D(3100))
        while (polled := await next_tick(ticks)).last != D(3100):
            pass
        assert feed.latest("ETH/USDT") == polled
    finally:
        await feed.close()


async def test_polling_drops_a_market_the_venue_does_not_list() -> None:
    market = FlakyMarket()
    feed = PollingPriceFeed(market, every_seconds=0.001, backoff=NO_PAUSE)
    try:
        ticks = feed.subscribe()
        feed.watch(["NOPE/USDT", "BTC/USDT"])
        assert (await next_tick(ticks)).symbol == "BTC/USDT"
        asked = market.asked
        await next_tick(ticks)
        assert market.asked == asked + 1  # BTC alone is asked for now
        assert feed.latest("NOPE/USDT") is None
    finally:
        await feed.close()
