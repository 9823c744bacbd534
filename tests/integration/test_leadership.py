"""One process leads the scheduled work: with Redis, the holder of a lock that a crashed or frozen leader loses
when it expires; and a process that does not lead fires no alert and delivers no notice."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from bot.redis_leadership import RedisLeadership
from bot.server import track_orders
from bot.telegram.alert_watch import AlertWatcher
from tests.databases import REDIS_URL, delete_redis_keys
from tests.fakes import RecordingNotifier
from tests.harness import Harness, write_notices
from trading.domain.alert_index import AlertIndex
from trading.usecases.alerts import set_alert
from trading.usecases.notices import NoticeDelivery

TTL_S = 0.6


async def eventually(condition: Callable[[], bool], within_s: float = 10.0) -> None:
    """Wait until `condition` holds, or fail after `within_s` (a bound on a hang, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        assert loop.time() < deadline, "the condition never held"
        await asyncio.sleep(0.02)


@pytest.fixture
async def lock_name() -> AsyncIterator[str]:
    name = f"tsbot-test:leader-{secrets.token_hex(4)}"
    yield name
    await delete_redis_keys(name)


def contender(name: str) -> RedisLeadership:
    return RedisLeadership(Redis.from_url(REDIS_URL), name=name, ttl_s=TTL_S)


async def test_one_process_leads_and_another_takes_over_when_it_stops(lock_name: str) -> None:
    first, second = contender(lock_name), contender(lock_name)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    keeping_first = asyncio.create_task(first.keep(stop_first))
    await eventually(lambda: first.leading)
    keeping_second = asyncio.create_task(second.keep(stop_second))
    await asyncio.sleep(TTL_S * 2)  # renewed meanwhile: still the first's
    assert first.leading and not second.leading

    stop_first.set()  # a clean stop gives the lead up at once
    await keeping_first
    assert not first.leading
    await eventually(lambda: second.leading)
    stop_second.set()
    await keeping_second


async def test_a_leader_that_stops_renewing_loses_the_lead_when_it_expires(lock_name: str) -> None:
    frozen, other = contender(lock_name), contender(lock_name)
    await frozen.renew()
    assert frozen.leading
    stop = asyncio.Event()
    keeping = asyncio.create_task(other.keep(stop))
    await eventually(lambda: other.leading)  # once the frozen one's lock expired

    await frozen.renew()  # it wakes up: too late, the lead is another's
    assert not frozen.leading and other.leading
    stop.set()
    await keeping


@dataclass
class Follower:
    """A Leadership of a process that does not lead, until told."""

    leading: bool = False

    async def keep(self, stop: asyncio.Event) -> None:
        await stop.wait()


async def test_a_process_that_does_not_lead_fires_no_alert(harness: Harness) -> None:
    user, _ = await harness.user("follower", telegram_id=77)
    await set_alert(harness.core, user, "SOL", "below", Decimal(120))
    notifier = RecordingNotifier()
    role = Follower()
    watcher = AlertWatcher(
        harness.core, harness.prices, AlertIndex(), NoticeDelivery(harness.core, notifier), role
    )
    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await watcher.tick() == 0
    role.leading = True
    assert await watcher.tick() == 1
    assert len(notifier.sent) == 1


async def test_a_process_that_does_not_lead_delivers_no_notice(harness: Harness) -> None:
    user, _ = await harness.user("follower", telegram_id=78)
    await write_notices(harness.core, [(user, "🎯 BTC/USDT target 1 hit")])
    notifier = RecordingNotifier()
    role = Follower()
    stop = asyncio.Event()
    tracking = asyncio.create_task(
        track_orders(harness.container, stop, NoticeDelivery(harness.core, notifier), leadership=role)
    )
    try:
        await asyncio.sleep(2.5)  # two passes or more, skipped
        assert notifier.sent == []
        role.leading = True
        await eventually(lambda: bool(notifier.sent))
        assert notifier.sent == [(user, "🎯 BTC/USDT target 1 hit")]
    finally:
        stop.set()
        await tracking
