"""The process acting on live prices: a price pushed by the stand-in of Binance's streams fires an alert and
sells a stop held by the bot, through ccxt's real clients and the core on a real database; watching the price
asks nothing of the venue's REST API."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from bot.price_watch import PriceWatch
from bot.server import tell_tracked
from bot.telegram.alert_watch import AlertWatcher
from tests.exchanges.conftest import FAST_BACKOFF, Venue
from tests.exchanges.test_venue_stops import StandInExchanges
from tests.fakes import RecordingNotifier
from tests.harness import Harness
from tests.patience import PATIENCE_S
from tests.standins.binance_ws import BinanceStreams
from trading.ccxt.client import CcxtSession
from trading.ccxt.stream import CcxtPriceFeed
from trading.domain.alert_index import AlertIndex
from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.usecases.alerts import active_alerts, set_alert
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import add_account
from trading.usecases.execution import confirm_draft
from trading.usecases.live_prices import LivePrices
from trading.usecases.live_prices import Venue as FeedVenue
from trading.usecases.notices import NoticeDelivery
from trading.usecases.price_ticks import ArmedLegs

D = Decimal


@dataclass
class Live:
    core: Core
    user: int
    account: int
    alerts: AlertWatcher
    watch: PriceWatch
    notifier: RecordingNotifier
    stop: asyncio.Event


@pytest.fixture
async def live(
    harness: Harness, binance_venue: Venue, binance_streams: BinanceStreams
) -> AsyncIterator[Live]:
    """A trader with a Binance account on the stand-in, and the process's price watch on its streams."""
    user, _ = await harness.user("streamer", telegram_id=4242)
    gateway = binance_venue.gateway()
    core = replace(harness.core, exchanges=StandInExchanges(harness, gateway, binance_venue))
    account = await add_account(core, user, "binance", "stand-in", credentials=binance_venue.credentials)
    session = CcxtSession.open(binance_venue.config(ws_urls={"spot": binance_streams.url}), streaming=True)
    feed = CcxtPriceFeed(session, FAST_BACKOFF)
    prices = LivePrices(FeedVenue("binance"), feed)
    notifier = RecordingNotifier()
    notices = NoticeDelivery(core, notifier)
    alerts = AlertWatcher(core, feed, AlertIndex(), notices)
    watch = PriceWatch(prices, alerts, ArmedLegs(core, prices), lambda: tell_tracked(core, notices))
    yield Live(core, user, account.id, alerts, watch, notifier, asyncio.Event())
    await feed.close()
    await session.close()
    await gateway.close()


async def legs_of(core: Core, entry: Order) -> list[Order]:
    async with core.uow(read_only=True) as uow:
        return sorted(await uow.orders.children(entry.id), key=lambda o: o.id)


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Waits, bounded by PATIENCE_S, until `condition()` answers true (the database has no event to wait on)."""
    async with asyncio.timeout(PATIENCE_S):
        while not await condition():  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.01)


async def test_an_alert_fires_and_a_stop_sells_at_a_pushed_price_without_a_poll(
    live: Live, binance_venue: Venue, binance_streams: BinanceStreams
) -> None:
    binance_venue.account.markets["BTCUSDT"].max_stop_orders = 0  # the venue takes no stop: the bot holds it
    intent = OrderIntent("BTC", Side.BUY, D("0.01"), quote="USDT", stop_loss=D(48000))
    draft = await draft_order(live.core, live.user, intent, live.account)
    entry = await confirm_draft(live.core, live.user, draft.id)
    [stop] = await legs_of(live.core, entry)
    assert (stop.role, stop.status) == (OrderRole.STOP_LOSS, OrderStatus.ARMED)
    await set_alert(live.core, live.user, "BTC", "below", D(49000))
    assert await live.alerts.load() == 1  # as the bot's start does; its market is watched from then on

    watching = asyncio.create_task(live.watch.run(live.stop, look_seconds=3600))
    try:
        async with asyncio.timeout(PATIENCE_S):
            await binance_streams.subscribed("btcusdt@ticker")
        polled = binance_venue.standin.calls["ticker"]
        await moves(binance_venue, binance_streams, D(48500))  # below the alert, above the stop

        async def alerted() -> bool:
            return len(live.notifier.sent) == 1

        await until(alerted)
        assert live.notifier.sent == [(live.user, "🔔 BTC/USDT is below 49,000.00: now 48,505.00.")]
        assert await active_alerts(live.core) == []
        assert (
            binance_venue.standin.calls["ticker"] == polled
        )  # the price came pushed: nothing asked the venue
        [leg] = await legs_of(live.core, entry)
        assert leg.status is OrderStatus.ARMED

        await moves(binance_venue, binance_streams, D(47500))  # through the stop

        async def sold() -> bool:
            [leg] = await legs_of(live.core, entry)
            return leg.status is OrderStatus.FILLED and len(live.notifier.sent) == 2

        await until(sold)
    finally:
        live.stop.set()
        await watching
    [leg] = await legs_of(live.core, entry)
    assert (leg.filled, leg.average_price) == (D("0.01"), D(47500))
    assert live.notifier.sent[1] == (
        live.user,
        "🛑 BTC/USDT stop hit at 47,500.00: sold 0.01 BTC (−26.08 USDT).",
    )


async def moves(venue: Venue, streams: BinanceStreams, bid: Decimal) -> None:
    """The venue's market moves to this bid (ask 10 above), and its stream tells it."""
    venue.account.move("BTCUSDT", bid, bid + 10)
    await streams.push_ticker("BTCUSDT", bid, bid + 10)
