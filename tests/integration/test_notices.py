"""The outbox of notices: written in the transaction of what they tell of, then delivered oldest first, at least
once, each once per process in the ordinary course."""

import asyncio
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from tests.fakes import RecordingNotifier
from tests.harness import Harness, write_notices
from trading.domain.alerts import Alert, AlertCondition
from trading.usecases.alerts import fire_alert, list_alerts
from trading.usecases.notices import NoticeDelivery, forget_sent_notices


async def _alert(harness: Harness, user_id: int) -> Alert:
    async with harness.core.uow() as uow:
        alert = await uow.alerts.add(
            user_id, "SOL/USDT", AlertCondition.BELOW, Decimal(120), harness.core.clock.now()
        )
        await uow.commit()
    return alert


async def _unsent(harness: Harness) -> list[tuple[int, str]]:
    async with harness.core.uow(read_only=True) as uow:
        return [(notice.user_id, notice.text) for notice in await uow.notices.unsent(100)]


async def test_an_alert_and_its_notice_are_committed_or_rolled_back_together(harness: Harness) -> None:
    user, _ = await harness.user()
    alert = await _alert(harness, user)

    # The notice cannot be written (its user does not exist): the alert's firing goes back with it.
    with pytest.raises(IntegrityError):
        await fire_alert(harness.core, replace(alert, user_id=user + 1000), "never kept")
    assert [a.id for a in await list_alerts(harness.core, user)] == [alert.id]
    assert await harness.count("notices") == 0

    assert await fire_alert(harness.core, alert, "🔔 SOL/USDT is below 120")
    assert await list_alerts(harness.core, user) == []
    assert await _unsent(harness) == [(user, "🔔 SOL/USDT is below 120")]
    assert not await fire_alert(harness.core, alert, "again")  # fired once: no second notice either
    assert await harness.count("notices") == 1


async def test_a_failed_send_is_delivered_by_the_next_pass_exactly_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, "first"), (user, "second")])
    notifier = RecordingNotifier(failures=1)
    delivery = NoticeDelivery(harness.core, notifier)

    assert await delivery.deliver() == 0
    assert notifier.sent == [] and await _unsent(harness) == [(user, "first"), (user, "second")]
    assert "not sent, tried again next pass: ConnectionError: Telegram unreachable" in caplog.text

    assert await delivery.deliver() == 2
    assert notifier.sent == [(user, "first"), (user, "second")]  # in order: the second waited for the first
    assert await _unsent(harness) == []
    assert await delivery.deliver() == 0
    assert len(notifier.sent) == 2


async def test_a_pass_sends_at_most_its_share_and_the_next_pass_the_rest(harness: Harness) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, f"notice {n}") for n in range(3)])
    notifier = RecordingNotifier()
    delivery = NoticeDelivery(harness.core, notifier, per_pass=2)

    assert await delivery.deliver() == 2
    assert await _unsent(harness) == [(user, "notice 2")]
    assert await delivery.deliver() == 1
    assert [text for _, text in notifier.sent] == ["notice 0", "notice 1", "notice 2"]


async def test_a_notice_left_by_a_crash_is_sent_after_the_restart(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """The alert fired and its notice was written, and the process stopped before any delivery."""
    user, _ = await harness.user()
    alert = await _alert(harness, user)
    assert await fire_alert(harness.core, alert, "🔔 SOL/USDT is below 120")

    restarted = harness_factory()
    notifier = RecordingNotifier()
    assert await NoticeDelivery(restarted.core, notifier).deliver() == 1
    assert notifier.sent == [(user, "🔔 SOL/USDT is below 120")]
    async with restarted.core.uow(read_only=True) as uow:
        assert await uow.alerts.for_user(user) == []  # fired, not active again
        assert await uow.notices.unsent(10) == []


async def test_two_deliveries_at_once_send_each_notice_once(harness: Harness) -> None:
    """As the alert watcher and the tracker of one process may call it."""
    first, _ = await harness.user("first")
    second, _ = await harness.user("second")
    await write_notices(harness.core, [(first, "a"), (second, "b"), (first, "c")])
    notifier = RecordingNotifier()
    delivery = NoticeDelivery(harness.core, notifier)

    counts = await asyncio.gather(delivery.deliver(), delivery.deliver())
    assert sorted(counts) == [0, 3]
    assert notifier.sent == [(first, "a"), (second, "b"), (first, "c")]
    assert await _unsent(harness) == []


async def test_sent_notices_are_forgotten_after_a_week_and_unsent_ones_never(harness: Harness) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, "old, sent"), (user, "recent, sent")])
    delivery = NoticeDelivery(harness.core, RecordingNotifier(), per_pass=1)
    assert await delivery.deliver() == 1  # "old, sent", eight days ago
    harness.clock.advance(2 * 86_400)
    assert await delivery.deliver() == 1  # "recent, sent", six days ago
    await write_notices(harness.core, [(user, "never sent")])
    harness.clock.advance(6 * 86_400)

    assert await forget_sent_notices(harness.core) == 1
    async with harness.core.uow(read_only=True) as uow:
        kept = await uow.notices.unsent(10)
    assert [notice.text for notice in kept] == ["never sent"]
    assert await harness.count("notices") == 2  # with "recent, sent"
    assert await forget_sent_notices(harness.core) == 0
