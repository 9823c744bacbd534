"""A venue's candle history through ccxt's real binance client against the stand-in: fetch_ohlcv paged from a
start time, every request counted, the pages joined oldest first without a gap or a repeat."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.exchanges.conftest import Venue, _binance, running
from trading.ccxt.client import CcxtSession
from trading.ccxt.history import CcxtCandleHistory
from trading.domain.errors import InvalidInput

END = datetime.fromtimestamp(1_700_000_000 // 3600 * 3600, UTC)  # the stand-in's last hour
HOUR = timedelta(hours=1)


@pytest.fixture
async def binance() -> AsyncIterator[Venue]:
    async with running(_binance()) as made:
        yield made


async def test_history_is_paged_from_its_start(binance: Venue) -> None:
    history = CcxtCandleHistory(CcxtSession.open(binance.config()), page=100)
    start = END - 250 * HOUR
    candles = await history.history(binance.symbol, "1h", start, END + 10 * HOUR)
    assert len(candles) == 250
    assert [c.opened_at for c in candles] == [start + HOUR * i for i in range(250)]
    # 100 + 100 + 50, and an empty page: the history stops there (a short page alone does not say so, a venue
    # may give fewer than asked).
    assert history.requests == 4
    assert binance.standin.calls["candles"] == 4
    await history.close()


async def test_an_unknown_timeframe_is_refused(binance: Venue) -> None:
    history = CcxtCandleHistory(CcxtSession.open(binance.config()))
    with pytest.raises(InvalidInput, match="no '7m' candles"):
        await history.history(binance.symbol, "7m", END - HOUR, END)
    await history.close()
