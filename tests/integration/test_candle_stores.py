"""Candles kept once and read back exactly: the SQL table (SQLite and PostgreSQL), and InfluxDB through
influxdb-client's real code against a local stand-in of its write and query endpoints (and a real server
when TSBOT_TEST_INFLUX_URL is set); the cache reads a window kept whole from the store, not the venue."""

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from storage.candles import SqlCandleStore
from storage.influx_candles import InfluxCandleStore
from tests.fakes import ManualClock
from tests.harness import Harness
from tests.standins.influx import TOKEN, InfluxStandIn
from trading.domain.market import Candle
from trading.market.history import SimulatedHistory
from trading.ports.audit import CandleStore
from trading.usecases.candle_cache import CandleCache

START = datetime(2026, 1, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)


def candles(count: int, start: datetime = START) -> list[Candle]:
    return [
        Candle(
            start + HOUR * i,
            Decimal("2450.17") + i,
            Decimal("2461.5") + i,
            Decimal("2440.01"),
            Decimal("0.00001234"),
            Decimal("1523.125"),
        )
        for i in range(count)
    ]


async def kept_and_read(store: CandleStore) -> None:
    await store.save("binance", "ETH/USDT", "1h", candles(48))
    await store.save("binance", "ETH/USDT", "1h", candles(2, START + 10 * HOUR))  # fetched again: replaced
    await store.save("binance", "SOL/USDT", "1h", candles(3))
    read = await store.load("binance", "ETH/USDT", "1h", START + HOUR, START + 5 * HOUR)
    assert read == candles(48)[1:5]
    assert len(await store.load("binance", "ETH/USDT", "1h", START, START + 3 * 24 * HOUR)) == 48
    assert await store.load("binance", "ETH/USDT", "15m", START, START + 24 * HOUR) == []


async def test_the_sql_table_keeps_candles_exactly(harness: Harness) -> None:
    await kept_and_read(SqlCandleStore(harness.engine))


@pytest.fixture
async def influx() -> AsyncIterator[InfluxCandleStore]:
    standin = InfluxStandIn()
    url = await standin.start()
    try:
        yield InfluxCandleStore(url, TOKEN, "tsbot", "market")
    finally:
        await standin.close()


async def test_influxdb_keeps_candles_through_the_real_client(influx: InfluxCandleStore) -> None:
    await kept_and_read(influx)


@pytest.mark.skipif(not os.environ.get("TSBOT_TEST_INFLUX_URL"), reason="no InfluxDB 2 server given")
async def test_a_real_influxdb_server_keeps_candles() -> None:
    store = InfluxCandleStore(
        os.environ["TSBOT_TEST_INFLUX_URL"],
        os.environ["TSBOT_TEST_INFLUX_TOKEN"],
        os.environ.get("TSBOT_TEST_INFLUX_ORG", "tsbot"),
        os.environ.get("TSBOT_TEST_INFLUX_BUCKET", "tsbot-test"),
    )
    venue = f"test-{uuid.uuid4().hex[:8]}"
    await store.save(venue, "ETH/USDT", "1h", candles(5))
    assert await store.load(venue, "ETH/USDT", "1h", START, START + 5 * HOUR) == candles(5)


async def test_a_window_is_fetched_once_and_then_read_from_the_store(harness: Harness) -> None:
    history = SimulatedHistory({"ETH/USDT": Decimal(2400)})
    store = SqlCandleStore(harness.engine)
    clock = ManualClock(datetime(2026, 6, 1, tzinfo=UTC))
    first = CandleCache(history, store, clock)
    fetched = await first.candles("ETH/USDT", "1h", START, START + 10 * 24 * HOUR)
    assert len(fetched) == 240 and first.hit_rate == 0.0
    later = CandleCache(history, store, clock)
    again = await later.candles("ETH/USDT", "1h", START, START + 10 * 24 * HOUR)
    assert again == fetched
    assert later.hit_rate == 1.0 and history.requests == 1
