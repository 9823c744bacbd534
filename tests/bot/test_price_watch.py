"""The price watch of `tsbot run` on paper: the simulated market pushes a price set on it, and the alert it
reaches fires and the stop it reaches sells at that tick, with no alert check or tracker pass in between; a
process that does not lead acts on no tick."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from bot.price_watch import PriceWatch
from bot.server import price_watch
from bot.telegram.alert_watch import AlertWatcher
from tests.fakes import RecordingNotifier
from tests.harness import Harness
from tests.patience import PATIENCE_S
from trading.domain.alert_index import AlertIndex
from trading.domain.enums import OrderStatus, Side
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.usecases.alerts import active_alerts, set_alert
from trading.usecases.notices import NoticeDelivery

D = Decimal
ETH = "ETH/USDT"


class Switch:
    """A leadership the test turns on and off."""

    def __init__(self) -> None:
        self.leading = True

    async def keep(self, stop: asyncio.Event) -> None:
        await stop.wait()


@dataclass
class Watched:
    alerts: AlertWatcher
    watch: PriceWatch
    notifier: RecordingNotifier
    role: Switch


@pytest.fixture
async def watched(harness: Harness) -> AsyncIterator[Watched]:
    """The process's price watch as `tsbot run` wires it, running until the test ends."""
    notifier, role = RecordingNotifier(), Switch()
    notices = NoticeDelivery(harness.core, notifier)
    alerts = AlertWatcher(harness.core, harness.prices, AlertIndex(), notices, role)
    watch = price_watch(harness.container, alerts, notices, role)
    await alerts.load()
    stop = asyncio.Event()
    running = asyncio.create_task(watch.run(stop, look_seconds=3600))
    yield Watched(alerts, watch, notifier, role)
    stop.set()
    await running


async def stop_loss_entry(harness: Harness) -> tuple[int, Order]:
    """A user who bought 1 ETH with a stop at 3000, which the core holds on paper."""
    user, _ = await harness.user("watched", telegram_id=31)
    entry = await harness.placed(user, OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000)))
    return user, entry


async def stop_of(harness: Harness, entry: Order) -> Order:
    async with harness.core.uow(read_only=True) as uow:
        [stop] = await uow.orders.children(entry.id)
    return stop


async def test_a_price_set_fires_the_alert_and_sells_the_stop_at_its_tick(
    harness: Harness, watched: Watched
) -> None:
    user, entry = await stop_loss_entry(harness)
    await set_alert(harness.core, user, "ETH", "below", D(3100))
    assert await watched.alerts.catch_up() == 1  # as its scheduled check reads alerts set elsewhere
    await watched.watch.look()  # as every look of the running watch reads the legs armed since

    harness.market.set_price(ETH, D(2950))
    async with asyncio.timeout(PATIENCE_S):
        while len(watched.notifier.sent) < 2:  # noqa: ASYNC110 - the messages are the outcome
            await asyncio.sleep(0.01)
    sold = await stop_of(harness, entry)
    assert sold.status is OrderStatus.FILLED and sold.filled == D(1)
    assert await active_alerts(harness.core) == []
    alert, stop = sorted(text for _, text in watched.notifier.sent)
    assert alert.startswith("🔔 ETH/USDT is below 3,100.00: now 2,950.00")
    assert stop.startswith("🛑 ETH/USDT stop hit at ")


async def test_a_process_that_does_not_lead_acts_on_no_tick(harness: Harness, watched: Watched) -> None:
    user, entry = await stop_loss_entry(harness)
    await set_alert(harness.core, user, "ETH", "below", D(3100))
    await watched.alerts.catch_up()
    await watched.watch.look()
    # Pushed to the running watch, which reads it after the test's next await: by then it no longer leads.
    harness.market.set_price(ETH, D(2950))
    watched.role.leading = False

    ticker = harness.prices.latest(ETH)
    assert ticker is not None and ticker.last == D(2950)
    await watched.watch.on_price(ticker)
    assert (await stop_of(harness, entry)).status is OrderStatus.ARMED
    assert [a.threshold for a in await active_alerts(harness.core)] == [D(3100)]
    assert watched.notifier.sent == []
