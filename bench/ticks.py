"""Live prices: the delay from a price pushed by the stand-in of Binance's market streams to the price watch
having acted on it (ccxt.pro's client, the feed, the alert watcher, the armed legs, the stop modes and the
waiting entries' rules), beside the same push read by a bare aiohttp websocket client, taking turns in one run.

    python -m bench.ticks [--pushes 1000]

The two take turns push by push. Each push waits for its reader before the next: the figure is one tick's
delay, not a throughput. The watch holds 1,000 alerts on the pushed market, none of them reached, so each tick
looks them up as in production.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import aiohttp

from bot.container import build_container
from bot.price_watch import PriceWatch
from bot.settings import Settings
from bot.telegram.alert_watch import AlertWatcher
from tests.standins.binance import BinanceStandIn
from tests.standins.binance_ws import BinanceStreams
from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.stream import CcxtPriceFeed
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert, AlertCondition, AlertStatus
from trading.usecases.core import Core
from trading.usecases.entry_ticks import WaitingEntries
from trading.usecases.live_prices import LivePrices, Venue
from trading.usecases.notices import NoticeDelivery
from trading.usecases.price_ticks import ArmedLegs
from trading.usecases.trailing import TrailingStops

WATCHED = "BTC/USDT"  # the price watch's market
BARE = "ethusdt@ticker"  # the bare client's stream: its pushes reach no one else


class Unsent:
    async def notify(self, user_id: int, text: str, with_chart: bool = False) -> None:
        raise AssertionError("no alert is reached in this benchmark")


async def nothing_to_tell() -> None:
    return None


def waiting_alerts(count: int) -> AlertIndex:
    index, now = AlertIndex(), datetime.now(UTC)
    for n in range(1, count + 1):
        index.add(Alert(n, 1, WATCHED, AlertCondition.ABOVE, Decimal(90_000 + n), AlertStatus.ACTIVE, now))
    return index


async def timed(push: Awaitable[int], arrived: asyncio.Event) -> float:
    """Microseconds from the push (not started until awaited here) to its reader."""
    arrived.clear()
    started = time.perf_counter()
    await push
    await arrived.wait()
    return (time.perf_counter() - started) * 1_000_000


async def bare_reader(url: str, arrived: asyncio.Event, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(f"{url}/bare") as socket:
        await socket.send_json({"method": "SUBSCRIBE", "params": [BARE], "id": 1})
        async for message in socket:
            if '"stream"' in message.data:  # an event, not the subscription's answer
                arrived.set()


async def run(pushes: int) -> tuple[list[float], list[float]]:
    rest, streams = BinanceStandIn(), BinanceStreams()
    await rest.start()
    await streams.start()
    folder = Path(tempfile.mkdtemp(prefix="tsbot-bench-ticks-"))
    container = build_container(Settings(database_url=f"sqlite:///{folder / 'ticks.db'}", data_dir=folder))
    config = CcxtVenueConfig(
        "binance", api_urls=rest.base_url, ws_urls={"spot": streams.url}, rate_limit=False
    )
    session = CcxtSession.open(config, streaming=True)
    feed = CcxtPriceFeed(session)
    try:
        return await take_turns(container.core, feed, streams, pushes)
    finally:
        await feed.close()
        await session.close()
        await container.close()
        await streams.close()
        await rest.close()


async def take_turns(
    core: Core, feed: CcxtPriceFeed, streams: BinanceStreams, pushes: int
) -> tuple[list[float], list[float]]:
    """A push read by the price watch, then one read by the bare client, `pushes` times; both lists of delays."""
    live = LivePrices(Venue("binance"), feed)
    alerts = AlertWatcher(core, feed, waiting_alerts(1000), NoticeDelivery(core, Unsent()))
    trailing, entries = TrailingStops(core, live), WaitingEntries(core, live)
    watch = PriceWatch(
        live, alerts, ArmedLegs(core, live), nothing_to_tell, trailing=trailing, entries=entries
    )
    stream, acted, bare = feed.subscribe(), asyncio.Event(), asyncio.Event()

    async def act() -> None:
        async for ticker in stream:  # as the running watch does (PriceWatch.run), without its looks
            await watch.on_price(ticker)
            if ticker.symbol == WATCHED:
                acted.set()

    async with aiohttp.ClientSession() as http:
        tasks = [asyncio.create_task(act()), asyncio.create_task(bare_reader(streams.url, bare, http))]
        feed.watch([WATCHED])
        await streams.subscribed("btcusdt@ticker")
        await streams.subscribed(BARE)
        prices: list[float] = []
        baseline: list[float] = []
        for n in range(pushes):
            bid = Decimal(50_000 + n % 500)
            prices.append(await timed(streams.push_ticker("BTCUSDT", bid, bid + 1), acted))
            baseline.append(await timed(streams.push_ticker("ETHUSDT", bid, bid + 1), bare))
        stream.close()
        await streams.drop()
        await asyncio.gather(*tasks, return_exceptions=True)
    return prices, baseline


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"{name:<44} p50 {statistics.median(samples):8.0f} us  p99 {p99:8.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=1000)
    args = parser.parse_args()
    prices, baseline = asyncio.run(run(args.pushes))
    print(f"a pushed price, {args.pushes} pushes each, taking turns")
    report("baseline: bare aiohttp websocket client", baseline)
    report("price watch (ccxt.pro, feed, alerts, legs, modes, entries)", prices)
    print(f"ratio p50 {statistics.median(prices) / statistics.median(baseline):.1f}x")


if __name__ == "__main__":
    main()
