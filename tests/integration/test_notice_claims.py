"""Notices delivered from several processes at once (the tracker's delivery and the job queue's, on any worker):
each claimed before its send, so one notice is sent once; a claim left by a delivery that died is taken again
once stale, so nothing is lost."""

import asyncio

from tests.fakes import ManualClock, RecordingNotifier
from tests.harness import Harness, write_notices
from trading.usecases.notices import CLAIM_STALE, NoticeDelivery


async def test_two_deliveries_at_once_send_each_notice_once(harness: Harness) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, f"notice {n}") for n in range(20)])
    first, second = RecordingNotifier(), RecordingNotifier()
    deliveries = [NoticeDelivery(harness.core, notifier) for notifier in (first, second)]
    sent = await asyncio.gather(*(delivery.deliver() for delivery in deliveries))
    assert sum(sent) == 20
    assert sorted(text for _, text in first.sent + second.sent) == sorted(f"notice {n}" for n in range(20))


async def test_a_claim_left_by_a_dead_delivery_is_sent_once_stale(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, "your order filled")])
    async with harness.core.uow() as uow:
        [notice] = await uow.notices.unsent(10)
        assert await uow.notices.claim(notice.id, clock.now(), clock.now() - CLAIM_STALE)  # then it died
        await uow.commit()
    notifier = RecordingNotifier()
    delivery = NoticeDelivery(harness.core, notifier)
    assert await delivery.deliver() == 0
    clock.advance(CLAIM_STALE.total_seconds() + 1)
    assert await delivery.deliver() == 1
    assert notifier.sent == [(user, "your order filled")]


async def test_a_failed_send_gives_its_claim_back_for_the_next_pass(harness: Harness) -> None:
    user, _ = await harness.user()
    await write_notices(harness.core, [(user, "alert fired")])
    notifier = RecordingNotifier(failures=1)
    delivery = NoticeDelivery(harness.core, notifier)
    assert await delivery.deliver() == 0
    assert await delivery.deliver() == 1
    assert notifier.sent == [(user, "alert fired")]
