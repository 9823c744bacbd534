from decimal import Decimal

import pytest

from tests.fakes import ManualClock
from trading.domain.errors import InvalidInput, UnknownSymbol
from trading.market.simulated import SimulatedMarket


async def prices(seed: int, seconds: int) -> list[Decimal]:
    clock = ManualClock()
    market = SimulatedMarket(clock, seed=seed)
    out = []
    for _ in range(5):
        clock.advance(seconds)
        out.append((await market.ticker("BTC/USDT")).last)
    return out


async def test_the_walk_is_the_same_for_a_seed_and_differs_between_seeds() -> None:
    assert await prices(1, 30) == await prices(1, 30)
    assert await prices(1, 30) != await prices(2, 30)


async def test_quotes_keep_a_spread_on_the_tick_and_a_deeper_book_behind_them() -> None:
    market = SimulatedMarket(ManualClock(), seed=3)
    ticker = await market.ticker("ETH/USDT")
    m = await market.market("ETH/USDT")
    assert ticker.bid < ticker.ask
    assert ticker.bid % m.price_tick == 0 and ticker.ask % m.price_tick == 0
    book = await market.order_book("ETH/USDT", 5)
    assert book.asks[0].price == ticker.ask and book.bids[0].price == ticker.bid
    assert [a.price for a in book.asks] == sorted(a.price for a in book.asks)
    assert book.asks[4].amount > book.asks[0].amount


async def test_a_book_follows_the_walk_and_the_set_price() -> None:
    clock = ManualClock()
    market = SimulatedMarket(clock, seed=3)
    first = await market.order_book("BTC/USDT", 5)
    assert await market.order_book("BTC/USDT", 5) == first
    assert len((await market.order_book("BTC/USDT", 3)).asks) == 3
    clock.advance(60)
    moved = await market.order_book("BTC/USDT", 5)
    assert moved.asks[0].price == (await market.ticker("BTC/USDT")).ask != first.asks[0].price
    market.set_price("BTC/USDT", Decimal(50_000))
    now = await market.order_book("BTC/USDT", 5)
    assert now.asks[0].price == (await market.ticker("BTC/USDT")).ask
    assert Decimal(49_990) < now.bids[0].price < now.asks[0].price < Decimal(50_010)


async def test_candles_cover_the_day_before_start() -> None:
    market = SimulatedMarket(ManualClock(), seed=3)
    candles = await market.candles("SOL/USDT", "1h", 24)
    assert len(candles) == 24
    assert all(c.low <= c.open <= c.high and c.low <= c.close <= c.high for c in candles)
    assert candles[0].opened_at < candles[-1].opened_at


async def test_set_price_moves_the_market_and_the_walk_goes_on_from_there() -> None:
    clock = ManualClock()
    market = SimulatedMarket(clock, seed=3)
    market.set_price("ETH/USDT", Decimal(1234))
    assert (await market.ticker("ETH/USDT")).last == Decimal("1234.00")
    clock.advance(1)
    assert abs((await market.ticker("ETH/USDT")).last - 1234) < 20


async def test_unknown_symbols_and_bad_requests_are_refused() -> None:
    market = SimulatedMarket(ManualClock())
    with pytest.raises(UnknownSymbol):
        await market.ticker("NOPE/USDT")
    with pytest.raises(InvalidInput):
        await market.candles("ETH/USDT", "7m")
    with pytest.raises(InvalidInput):
        market.set_price("ETH/USDT", Decimal(0))
