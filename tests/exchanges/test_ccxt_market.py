"""MarketData over ccxt's public API, without credentials, against both stand-ins."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from tests.exchanges.conftest import Venue
from trading.ccxt.market_data import CcxtMarketData
from trading.domain.errors import InvalidInput, UnknownSymbol


@pytest.fixture
async def market_data(venue: Venue) -> AsyncIterator[CcxtMarketData]:
    opened = CcxtMarketData.open(venue.config())
    yield opened
    await opened.close()


async def test_markets_list_the_venues_pairs(venue: Venue, market_data: CcxtMarketData) -> None:
    markets = await market_data.markets()

    assert venue.symbol in markets
    assert markets[venue.symbol].min_notional == Decimal(5)
    assert market_data.name == venue.exchange_id


async def test_an_unlisted_pair_is_an_unknown_symbol(market_data: CcxtMarketData) -> None:
    with pytest.raises(UnknownSymbol):
        await market_data.ticker("NOPE/USD")


async def test_the_ticker_carries_the_24h_change(venue: Venue, market_data: CcxtMarketData) -> None:
    ticker = await market_data.ticker(venue.symbol)

    assert ticker.symbol == venue.symbol
    assert ticker.bid < ticker.ask
    assert Decimal("2.49") < ticker.change_24h_pct < Decimal("2.51")


async def test_the_order_book_is_best_first_and_cut_to_depth(
    venue: Venue, market_data: CcxtMarketData
) -> None:
    book = await market_data.order_book(venue.symbol, depth=5)

    assert len(book.bids) == len(book.asks) == 5
    assert book.bids[0].price == Decimal(50000) and book.asks[0].price == Decimal(50010)
    assert [level.price for level in book.bids] == sorted((level.price for level in book.bids), reverse=True)
    assert [level.price for level in book.asks] == sorted(level.price for level in book.asks)


async def test_candles_come_oldest_first_up_to_the_limit(venue: Venue, market_data: CcxtMarketData) -> None:
    candles = await market_data.candles(venue.symbol, "1h", limit=24)

    assert len(candles) == 24
    assert [c.opened_at for c in candles] == sorted(c.opened_at for c in candles)
    assert all(c.low <= c.close <= c.high for c in candles)
    assert isinstance(candles[-1].volume, Decimal)


async def test_an_unknown_timeframe_is_refused(venue: Venue, market_data: CcxtMarketData) -> None:
    with pytest.raises(InvalidInput, match="'7m'"):
        await market_data.candles(venue.symbol, "7m")
