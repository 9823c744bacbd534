"""The alert watcher: it watches the alerts set anywhere, fires each once, and loses none to a failure."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.telegram.alert_watch import AlertWatcher
from tests.fakes import RecordingNotifier
from tests.harness import Harness
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import AlertCondition
from trading.ports import UnitOfWork, UnitOfWorkFactory
from trading.usecases.alerts import active_alerts, delete_alert, set_alert
from trading.usecases.core import Core
from trading.usecases.notices import NoticeDelivery


class DatabaseAway:
    """A unit-of-work factory whose writes, or reads, fail as with the database unreachable, until told."""

    def __init__(self, factory: UnitOfWorkFactory, *, writes_fail: bool, reads_fail: bool = False) -> None:
        self._factory = factory
        self.writes_fail, self.reads_fail = writes_fail, reads_fail

    def __call__(self, *, read_only: bool = False, **options: Any) -> UnitOfWork:
        if self.reads_fail if read_only else self.writes_fail:
            raise ConnectionRefusedError("the database is unreachable")
        return self._factory(read_only=read_only, **options)


@pytest.fixture
async def user(harness: Harness) -> int:
    user_id, _ = await harness.user("watcher", telegram_id=42)
    return user_id


def watcher_on(core: Core, harness: Harness, notifier: RecordingNotifier) -> AlertWatcher:
    return AlertWatcher(core, harness.prices, AlertIndex(), NoticeDelivery(harness.core, notifier))


async def test_alerts_set_since_the_last_look_are_watched_late_commits_included(
    harness: Harness, user: int
) -> None:
    notifier = RecordingNotifier()
    watcher = watcher_on(harness.core, harness, notifier)
    assert await watcher.load() == 0
    await set_alert(harness.core, user, "SOL", "below", Decimal(120))
    # Stamped before the last look, committed after it: a slow transaction, or another process's clock.
    stamped = harness.core.clock.now() - timedelta(seconds=30)
    async with harness.core.uow() as uow:
        await uow.alerts.add(user, "SOL/USDT", AlertCondition.BELOW, Decimal(115), stamped)
        await uow.commit()
    harness.clock.advance(30)
    assert await watcher.catch_up() == 2
    assert await watcher.catch_up() == 0  # already watched: looked at again, not added twice

    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await watcher.tick() == 2
    assert sorted(text.split(":")[0] for _, text in notifier.sent) == [
        "🔔 SOL/USDT is below 115.00",
        "🔔 SOL/USDT is below 120.00",
    ]
    assert await watcher.tick() == 0


async def test_an_alert_deleted_elsewhere_never_fires(harness: Harness, user: int) -> None:
    notifier = RecordingNotifier()
    alert, _ = await set_alert(harness.core, user, "SOL", "below", Decimal(120))
    watcher = watcher_on(harness.core, harness, notifier)
    assert await watcher.load() == 1
    await delete_alert(harness.core, user, alert.id)  # through the web app: this index is not told

    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await watcher.tick() == 0
    assert await watcher.tick() == 0
    assert notifier.sent == []


async def test_an_alert_the_database_could_not_fire_fires_on_a_later_tick_once(
    harness: Harness, user: int
) -> None:
    await set_alert(harness.core, user, "SOL", "below", Decimal(120))
    away = DatabaseAway(harness.core.uow, writes_fail=True)
    notifier = RecordingNotifier()
    watcher = watcher_on(replace(harness.core, uow=away), harness, notifier)
    assert await watcher.load() == 1

    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await watcher.tick() == 0
    assert [a.threshold for a in await active_alerts(harness.core)] == [Decimal(120)]
    assert notifier.sent == []

    away.writes_fail = False
    assert await watcher.tick() == 1
    assert await watcher.tick() == 0
    assert [text.split(":")[0] for _, text in notifier.sent] == ["🔔 SOL/USDT is below 120.00"]
    assert await active_alerts(harness.core) == []


async def test_the_watched_alerts_are_checked_while_new_ones_cannot_be_read(
    harness: Harness, user: int
) -> None:
    await set_alert(harness.core, user, "SOL", "below", Decimal(120))
    away = DatabaseAway(harness.core.uow, writes_fail=False)
    notifier = RecordingNotifier()
    watcher = watcher_on(replace(harness.core, uow=away), harness, notifier)
    assert await watcher.load() == 1
    await set_alert(harness.core, user, "SOL", "below", Decimal(115))

    away.reads_fail = True
    harness.market.set_price("SOL/USDT", Decimal(110))
    assert await watcher.tick() == 1  # the one watched; the new one is read on the next look
    away.reads_fail = False
    assert await watcher.tick() == 1
    assert len(notifier.sent) == 2
