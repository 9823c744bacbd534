"""Previews left unconfirmed are deleted a day after they expired, by the leader's five-minute pass; those an
order was made from stay with their orders, and live or recently expired ones stay too."""

import asyncio
from decimal import Decimal

from bot.server import track_orders
from tests.fakes import RecordingNotifier
from tests.harness import Harness
from trading.domain.enums import Side
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderDraft
from trading.usecases.drafting import EXPIRED_DRAFTS_KEPT, draft_order, purge_expired_drafts
from trading.usecases.execution import cancel_draft, confirm_draft
from trading.usecases.notices import NoticeDelivery

BUY = OrderIntent("ETH", Side.BUY, Decimal("0.01"))


async def kept(harness: Harness, drafts: list[OrderDraft]) -> list[bool]:
    async with harness.core.uow(read_only=True) as uow:
        return [await uow.drafts.get(draft.id) is not None for draft in drafts]


async def expired_and_live_drafts(harness: Harness) -> tuple[list[OrderDraft], list[OrderDraft]]:
    """Drafts that expired long ago (never confirmed, and cancelled), and drafts that stay: one an order was
    made from, long ago too; one expired within the time kept; one still live."""
    user, _ = await harness.user()
    unconfirmed = await draft_order(harness.core, user, BUY)
    cancelled = await draft_order(harness.core, user, BUY)
    await cancel_draft(harness.core, user, cancelled.id)
    confirmed = await draft_order(harness.core, user, BUY)
    await confirm_draft(harness.core, user, confirmed.id)
    harness.clock.advance(EXPIRED_DRAFTS_KEPT.total_seconds())
    recently_expired = await draft_order(harness.core, user, BUY)
    # Past its expiry by a second: the first three, past theirs by the time kept and a second.
    harness.clock.advance((recently_expired.expires_at - recently_expired.created_at).total_seconds() + 1)
    live = await draft_order(harness.core, user, BUY)
    return [unconfirmed, cancelled], [confirmed, recently_expired, live]


async def test_expired_drafts_go_and_the_others_stay(harness: Harness) -> None:
    gone, staying = await expired_and_live_drafts(harness)
    assert await purge_expired_drafts(harness.core) == 2
    assert await kept(harness, gone) == [False, False]
    assert await kept(harness, staying) == [True, True, True]
    assert await harness.count("orders") == 1
    assert await purge_expired_drafts(harness.core) == 0


async def test_the_leaders_pass_purges_them(harness: Harness) -> None:
    gone, staying = await expired_and_live_drafts(harness)
    stop = asyncio.Event()
    notices = NoticeDelivery(harness.core, RecordingNotifier())
    tracking = asyncio.create_task(track_orders(harness.container, stop, notices))
    try:
        for _ in range(1000):  # a bound on a hang, not on time: the first pass purges
            if await kept(harness, gone) == [False, False]:
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await tracking
    assert await kept(harness, gone) == [False, False]
    assert await kept(harness, staying) == [True, True, True]
