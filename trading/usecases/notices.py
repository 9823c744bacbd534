"""Notices: what users are told outside a conversation goes through an outbox. A notice is written in the
transaction of what it tells of (an alert fired, a target hit), so that it exists exactly when that happened,
and delivery sends it after, from the table: a failed send or a crash delays a message, never loses it."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from trading.domain.channels import EventKind
from trading.ports import Notifier, UnitOfWork
from trading.usecases.core import Core

log = logging.getLogger(__name__)

# A message owed to a user: (user id, text).
Told = tuple[int, str]
# How long a sent notice is kept: the events it told of are kept for good in their own tables (alerts, orders,
# signals); the notice itself answers "was I told, and when?" for a while, then only takes room.
SENT_KEPT = timedelta(days=7)
# A claim older than this is taken to be a dead delivery's: the notice is sent again (at least once).
CLAIM_STALE = timedelta(minutes=2)


async def add_notices(
    uow: UnitOfWork,
    told: Iterable[Told],
    now: datetime,
    kind: EventKind = EventKind.ORDERS,
    with_chart: bool = False,
) -> None:
    """Owe users these messages, inside the caller's unit of work: they are kept if, and only if, it commits.
    `kind`: what they tell of, for the users' choices of channels; `with_chart`: the portfolio chart goes
    with them on Telegram."""
    for user_id, text in told:
        await uow.notices.add(user_id, text, now, kind, with_chart)


async def forget_sent_notices(core: Core) -> int:
    """Delete the notices sent more than SENT_KEPT ago; how many."""
    async with core.uow() as uow:
        forgotten = await uow.notices.delete_sent_before(core.clock.now() - SENT_KEPT)
        await uow.commit()
    return forgotten


class NoticeDelivery:
    """Sends unsent notices through the notifier, oldest first, each claimed before its send and marked sent
    once the send succeeded.

    A send that raises ends the pass: the notice is given back and tried again by the next pass, and the ones
    after it wait, so a user's messages keep their order. Delivery is at least once: a crash after a send and
    before its mark sends that notice again once its claim is stale. The claim (compare-and-set in the
    database) keeps deliveries in several processes (the tracker's, the job queue's on any worker) from sending
    one notice twice; in one process the lock keeps passes apart.
    """

    def __init__(self, core: Core, notifier: Notifier, per_pass: int = 50) -> None:
        self._core = core
        self._notifier = notifier
        # A backlog (after an outage) goes over several passes: the tracker's pass that delivers it is not
        # held up for long, while stops and targets wait to be watched.
        self._per_pass = per_pass
        self._lock = asyncio.Lock()

    async def deliver(self) -> int:
        """One pass; the number of notices sent."""
        async with self._lock:
            async with self._core.uow(read_only=True) as uow:  # every pass: it must not hold up writers
                pending = await uow.notices.unsent(self._per_pass)
            sent = 0
            for notice in pending:
                if not await self._claim(notice.id):
                    continue  # another delivery is sending it
                try:
                    await self._notifier.notify(notice.user_id, notice.text, notice.with_chart)
                except Exception as error:  # whatever the notifier meets, the notice waits for the next pass
                    log.warning(
                        "notice %s to user %s not sent, tried again next pass: %s: %s",
                        notice.id,
                        notice.user_id,
                        type(error).__name__,
                        error,
                    )
                    async with self._core.uow() as uow:
                        await uow.notices.release(notice.id)
                        await uow.commit()
                    break
                async with self._core.uow() as uow:
                    await uow.notices.mark_sent(notice.id, self._core.clock.now())
                    await uow.commit()
                sent += 1
            return sent

    async def _claim(self, notice_id: int) -> bool:
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            claimed = await uow.notices.claim(notice_id, now, now - CLAIM_STALE)
            await uow.commit()
        return claimed
