"""Live prices through ccxt.pro's real binance client, against local stand-ins of Binance's market streams
(websockets) and of its REST API: pushed prices, a connection dropped and refused, trades where the venue
streams no ticker, and polling where it streams nothing."""

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from tests.exchanges.conftest import FAST_BACKOFF, Venue
from tests.patience import PATIENCE_S
from tests.standins.binance_ws import BinanceStreams
from trading.ccxt.client import CcxtSession
from trading.ccxt.stream import CcxtPriceFeed, VenuePrices
from trading.domain.market import Ticker
from trading.exchanges.retry import Backoff
from trading.ports import PriceStream

D = Decimal
BTC = "BTC/USDT"
TICKER_STREAM = "btcusdt@ticker"

OpenPrices = Callable[..., VenuePrices]


async def next_tick(stream: PriceStream) -> Ticker:
    async with asyncio.timeout(PATIENCE_S):
        return await anext(stream)


async def subscribed(streams: BinanceStreams, stream: str, times: int = 1) -> None:
    async with asyncio.timeout(PATIENCE_S):
        await streams.subscribed(stream, times)


@pytest.fixture
async def open_prices(binance_venue: Venue, binance_streams: BinanceStreams) -> AsyncIterator[OpenPrices]:
    """VenuePrices on the two stand-ins; `has` overrides ccxt's table of what the venue offers, to play a venue
    that streams less. Closed after the test."""
    made: list[VenuePrices] = []

    def open_on_standins(**has: bool) -> VenuePrices:
        config = binance_venue.config(ws_urls={"spot": binance_streams.url}, has=has)
        made.append(VenuePrices(config, poll_seconds=0.01, backoff=FAST_BACKOFF))
        return made[-1]

    yield open_on_standins
    for prices in made:
        await prices.close()


async def test_a_pushed_price_reaches_the_feed(
    open_prices: OpenPrices, binance_streams: BinanceStreams, binance_venue: Venue
) -> None:
    prices = open_prices()
    assert prices.streaming
    ticks = prices.feed.subscribe()
    prices.feed.watch([BTC])
    await subscribed(binance_streams, TICKER_STREAM)
    assert prices.feed.latest(BTC) is None  # nothing received yet

    assert await binance_streams.push_ticker("BTCUSDT", D(51000), D("51010.5"), D(51004)) == 1
    tick = await next_tick(ticks)
    assert (tick.symbol, tick.bid, tick.ask, tick.last) == (BTC, D(51000), D("51010.5"), D(51004))
    assert prices.feed.latest(BTC) == tick
    assert binance_venue.standin.calls["ticker"] == 0  # pushed, never asked for


class RecordingSleep:
    """Records each pause of the back-off and lets the loop run on at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


async def test_a_dropped_connection_is_dialled_again_with_back_off_and_ticks_resume(
    binance_venue: Venue, binance_streams: BinanceStreams
) -> None:
    session = CcxtSession.open(binance_venue.config(ws_urls={"spot": binance_streams.url}), streaming=True)
    sleep = RecordingSleep()
    feed = CcxtPriceFeed(session, Backoff(first=0.001, most=1.0, jitter=0), sleep)
    try:
        ticks = feed.subscribe()
        feed.watch([BTC])
        await subscribed(binance_streams, TICKER_STREAM)
        await binance_streams.push_ticker("BTCUSDT", D(51000), D(51010))
        await next_tick(ticks)

        binance_streams.refuse(3)  # the venue restarts: it drops every connection and refuses the next three
        await binance_streams.drop()
        await subscribed(binance_streams, TICKER_STREAM, times=2)
        assert sleep.delays[:4] == [0.001, 0.002, 0.004, 0.008]  # the drop and the three refusals, doubling
        assert feed.latest(BTC) is None  # the price went with the connection: nothing acts on it now

        await binance_streams.push_ticker("BTCUSDT", D(47000), D(47010))
        tick = await next_tick(ticks)
        assert (tick.bid, tick.ask) == (D(47000), D(47010))
        assert feed.latest(BTC) == tick

        waited = len(sleep.delays)
        await binance_streams.drop()  # a tick came since: the back-off starts over
        await subscribed(binance_streams, TICKER_STREAM, times=3)
        assert sleep.delays[waited] == 0.001
    finally:
        await feed.close()
        await session.close()


async def test_several_symbols_and_consumers_each_see_every_tick(
    open_prices: OpenPrices, binance_streams: BinanceStreams
) -> None:
    prices = open_prices()
    first, second = prices.feed.subscribe(), prices.feed.subscribe()
    prices.feed.watch([BTC, "ETH/USDT", BTC])
    await subscribed(binance_streams, TICKER_STREAM)
    await subscribed(binance_streams, "ethusdt@ticker")

    await binance_streams.push_ticker("ETHUSDT", D(3000), D("3000.5"))
    await binance_streams.push_ticker("BTCUSDT", D(50000), D(50010))
    for stream in (first, second):
        assert {(await next_tick(stream)).symbol for _ in range(2)} == {BTC, "ETH/USDT"}
    second.close()
    await binance_streams.push_ticker("BTCUSDT", D(50100), D(50110))
    assert (await next_tick(first)).bid == D(50100)
    with pytest.raises(StopAsyncIteration):
        await anext(second)  # closed: ends, whatever comes after


async def test_a_venue_that_streams_only_trades_is_followed_by_its_trades(
    open_prices: OpenPrices, binance_streams: BinanceStreams
) -> None:
    prices = open_prices(watchTicker=False)
    assert prices.streaming
    ticks = prices.feed.subscribe()
    prices.feed.watch([BTC])
    await subscribed(binance_streams, "btcusdt@trade")

    await binance_streams.push_trade("BTCUSDT", D("50500.25"))
    tick = await next_tick(ticks)
    assert (tick.bid, tick.ask, tick.last) == (D("50500.25"),) * 3  # a trade's price stands for bid and ask


async def test_a_venue_without_websockets_is_polled(
    open_prices: OpenPrices, binance_streams: BinanceStreams, binance_venue: Venue
) -> None:
    prices = open_prices(watchTicker=False, watchTrades=False)
    assert not prices.streaming
    ticks = prices.feed.subscribe()
    prices.feed.watch([BTC])
    tick = await next_tick(ticks)
    assert (tick.bid, tick.ask) == (D(50000), D(50010))  # the stand-in's REST ticker

    market = binance_venue.account.markets["BTCUSDT"]
    market.bid, market.ask = D(49000), D(49010)
    while (tick := await next_tick(ticks)).bid != D(49000):  # the polls before the move are read first
        pass
    assert prices.feed.latest(BTC) == tick
    assert binance_venue.standin.calls["ticker"] >= 2
    assert binance_streams.calls["stream"] == 0  # no websocket was opened


async def test_an_unlisted_market_is_dropped_and_the_others_followed(
    open_prices: OpenPrices, binance_streams: BinanceStreams
) -> None:
    prices = open_prices()
    ticks = prices.feed.subscribe()
    prices.feed.watch(["ZZZ/USDT", BTC])
    await subscribed(binance_streams, TICKER_STREAM)
    await binance_streams.push_ticker("BTCUSDT", D(50000), D(50010))
    assert (await next_tick(ticks)).symbol == BTC
    assert prices.feed.latest("ZZZ/USDT") is None
    assert binance_streams.subscriptions["zzzusdt@ticker"] == 0
