"""A signal's way through the core, as the chat and the web app both take it: a post received (not a signal,
seen before, planned, planned again, followed automatically), a post edited (read again, or its change kept
from what was followed) and a plan followed (once, and marked followed only where an entry was placed)."""

import asyncio
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.harness import FailingExchanges, Harness, ProcessDied
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.signal_records import SignalStatus
from trading.domain.signals import SignalSpec
from trading.usecases.execution import cancel_order
from trading.usecases.signal_workflow import (
    AlreadySeen,
    AutoFollowed,
    NoLongerASignal,
    NotASignal,
    Planned,
    PostEdited,
    PostReceived,
    Revised,
    follow_signal,
    receive_post,
    revise_post,
)
from trading.usecases.signals import ignore_plan, set_auto_follow, source_stats
from trading.usecases.tracking import reconcile_submitted

D = Decimal
POST = "ETH/USDT LONG\nEntry: now and lower\nTargets: two\nStop: below"
AMOUNT = D(2000)


async def two_entries(harness: Harness) -> SignalSpec:
    """A long of two entries, one at the market and one resting below it: about 1,000 USDT each of AMOUNT."""
    ask = (await harness.market.ticker("ETH/USDT")).ask
    low = (ask * D("0.97")).quantize(D("0.01"))
    return SignalSpec("ETH", Side.BUY, (ask + 10, low), (ask * 2, ask * 3), stop_loss=low - 100)


async def post(harness: Harness, user: int, spec: SignalSpec | None, text: str = POST) -> PostReceived:
    return await receive_post(harness.core, user, "-100500", "Crypto Calls", text, spec, AMOUNT)


async def status_of(harness: Harness, user: int, signal_id: int) -> SignalStatus:
    async with harness.core.uow(read_only=True) as uow:
        sources = await uow.signals.for_user(user)
    [signal] = [s for _, signals in sources for s in signals if s.id == signal_id]
    return signal.status


async def test_a_post_that_opens_nothing_records_and_trades_nothing(harness: Harness) -> None:
    user, _ = await harness.user()
    before = await harness.counts()
    assert await post(harness, user, None, "ETH target 1 hit! +5%") == NotASignal()
    assert await harness.counts() == before


async def test_a_post_seen_again_after_it_was_followed_is_not_planned_twice(harness: Harness) -> None:
    user, _ = await harness.user()
    spec = await two_entries(harness)
    planned = await post(harness, user, spec)
    assert isinstance(planned, Planned) and not planned.again
    followed = await follow_signal(harness.core, user, planned.signal.id, planned.plan.group_id)
    assert followed.followed and len(followed.result.orders) == 2
    drafts = await harness.count("order_drafts")

    seen = await post(harness, user, spec, POST.upper().replace("\n", "  \n "))  # the same post, respaced
    assert isinstance(seen, AlreadySeen) and seen.signal.status is SignalStatus.FOLLOWED
    assert await harness.count("order_drafts") == drafts
    [stats] = await source_stats(harness.core, user)
    assert (stats.signals, stats.followed) == (1, 1)


async def test_a_post_seen_again_before_it_was_followed_is_planned_afresh_and_traded_once(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    spec = await two_entries(harness)
    first = await post(harness, user, spec)
    again = await post(harness, user, spec)
    assert isinstance(first, Planned) and isinstance(again, Planned)
    assert again.again and again.signal.id == first.signal.id
    assert again.plan.group_id != first.plan.group_id

    with pytest.raises(DraftAlreadyUsed, match="cancelled"):
        await follow_signal(harness.core, user, first.signal.id, first.plan.group_id)
    assert await harness.count("orders") == 0
    followed = await follow_signal(harness.core, user, again.signal.id, again.plan.group_id)
    assert len(followed.result.orders) == 2
    with pytest.raises(InvalidInput, match="followed already"):
        await follow_signal(harness.core, user, again.signal.id, again.plan.group_id)


@pytest.mark.parametrize("break_even", [True, False])
async def test_a_source_followed_automatically_is_followed_as_the_trader_chose(
    harness: Harness, break_even: bool
) -> None:
    user, _ = await harness.user()
    spec = await two_entries(harness)
    first = await post(harness, user, spec, "the first post")
    assert isinstance(first, Planned)
    await set_auto_follow(harness.core, user, first.signal.source_id, True, break_even)

    later = await post(harness, user, spec)
    assert isinstance(later, AutoFollowed) and later.followed.followed
    assert len(later.followed.result.orders) == 2 and not later.followed.result.failures
    assert all(draft.move_stop_to_entry is break_even for draft in later.plan.drafts)
    assert await status_of(harness, user, later.signal.id) is SignalStatus.FOLLOWED
    assert await status_of(harness, user, first.signal.id) is SignalStatus.PREVIEWED
    assert isinstance(await post(harness, user, spec), AlreadySeen)


async def test_a_doubtful_reading_or_plan_is_held_back_from_automatic_following(harness: Harness) -> None:
    """Automatic following needs a sure reading and a plan with no doubt: else the plan waits for a tap."""
    user, _ = await harness.user()
    spec = await two_entries(harness)
    first = await post(harness, user, spec, "the first post")
    assert isinstance(first, Planned)
    await set_auto_follow(harness.core, user, first.signal.source_id, True, False)
    before = await harness.count("orders")

    unsure = await receive_post(
        harness.core,
        user,
        "-100500",
        "Crypto Calls",
        "an unsure post",
        spec,
        AMOUNT,
        "I read it with 82% confidence",
    )
    assert isinstance(unsure, Planned) and unsure.held_back == "I read it with 82% confidence"
    misread = replace(spec, entries=(spec.entries[0] * 10,), targets=(spec.entries[0] * 20,), stop_loss=None)
    stale = await post(harness, user, misread, "a misread post")
    assert (
        isinstance(stale, Planned)
        and stale.held_back is not None
        and "times off the market" in stale.held_back
    )
    assert await harness.count("orders") == before
    assert await status_of(harness, user, stale.signal.id) is SignalStatus.PREVIEWED


async def test_a_signal_one_entry_of_which_was_refused_is_followed(harness: Harness) -> None:
    """Placed in part is followed: the entry placed trades, and the signal is not planned again beside it."""
    user, _ = await harness.user()
    planned = await post(harness, user, await two_entries(harness))
    assert isinstance(planned, Planned)
    await harness.hold_all_but(user, D(1500))  # the first entry, not the second

    followed = await follow_signal(harness.core, user, planned.signal.id)
    [placed] = followed.result.orders
    [(refused, reason)] = followed.result.failures
    assert placed.status is OrderStatus.FILLED and refused.id == planned.plan.drafts[1].id
    assert "only" in reason and "available" in reason
    assert followed.followed and await status_of(harness, user, planned.signal.id) is SignalStatus.FOLLOWED


async def test_a_signal_every_entry_of_which_was_refused_waits_to_be_planned_again(harness: Harness) -> None:
    """Nothing placed is not followed: the signal waits as it did, and the same post plans it afresh."""
    user, _ = await harness.user()
    spec = await two_entries(harness)
    planned = await post(harness, user, spec)
    assert isinstance(planned, Planned)
    holding = await harness.hold_all_but(user, D(500))

    followed = await follow_signal(harness.core, user, planned.signal.id)
    assert followed.result.orders == () and len(followed.result.failures) == 2 and not followed.followed
    assert await status_of(harness, user, planned.signal.id) is SignalStatus.PREVIEWED
    async with harness.core.uow(read_only=True) as uow:
        refused = [o for o in await uow.orders.for_user(user) if o.id != holding.id]
    assert [o.status for o in refused] == [OrderStatus.REJECTED] * 2  # written, then refused: none lost

    await cancel_order(harness.core, user, holding.id)
    again = await post(harness, user, spec)
    assert isinstance(again, Planned) and again.again
    assert len((await follow_signal(harness.core, user, again.signal.id)).result.orders) == 2


async def test_concurrent_follows_from_two_processes_place_the_plan_once(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, _ = await harness.user()
    planned = await post(harness, user, await two_entries(harness))
    assert isinstance(planned, Planned)
    second = harness_factory()

    attempts = [
        follow_signal((harness if i % 2 else second).core, user, planned.signal.id, planned.plan.group_id)
        for i in range(20)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)

    followed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DraftAlreadyUsed | InvalidInput)]
    assert len(followed) == 1 and len(refused) == 19, results
    async with harness.core.uow(read_only=True) as uow:
        entries = [o for o in await uow.orders.for_user(user) if o.parent_id is None]
    assert len(entries) == 2 and len(followed[0].result.orders) == 2
    assert await status_of(harness, user, planned.signal.id) is SignalStatus.FOLLOWED


async def test_a_signal_whose_process_died_before_the_exchange_answered_is_never_planned_again(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """The orders are written and the signal marked in one transaction, before the exchange is called: after a
    crash the orders are found by reconciliation, and the same post does not plan a second trade."""
    user, _ = await harness.user()
    spec = await two_entries(harness)
    planned = await post(harness, user, spec)
    assert isinstance(planned, Planned)
    dying = replace(harness.core, exchanges=FailingExchanges(harness, ProcessDied, after_sending=True))
    with pytest.raises(ProcessDied):
        await follow_signal(dying, user, planned.signal.id)

    restarted = harness_factory()
    assert await status_of(restarted, user, planned.signal.id) is SignalStatus.FOLLOWED
    assert isinstance(await post(restarted, user, spec), AlreadySeen)
    report = await reconcile_submitted(restarted.core)
    assert (report.found, report.never_arrived) == (1, 1)  # the first entry was taken; the second never sent


async def test_a_signal_followed_cannot_then_be_ignored(harness: Harness) -> None:
    """Ignore is a compare-and-set too: a tap racing a Follow that won leaves the signal followed."""
    user, _ = await harness.user()
    planned = await post(harness, user, await two_entries(harness))
    assert isinstance(planned, Planned)
    await follow_signal(harness.core, user, planned.signal.id, planned.plan.group_id)
    with pytest.raises(DraftAlreadyUsed, match="followed or ignored already"):
        await ignore_plan(harness.core, user, planned.plan.group_id, planned.signal.id)
    assert await status_of(harness, user, planned.signal.id) is SignalStatus.FOLLOWED


async def edit(harness: Harness, user: int, post_id: int, spec: SignalSpec | None, text: str) -> PostEdited:
    return await revise_post(harness.core, user, "-100500", "Crypto Calls", post_id, text, spec, AMOUNT)


async def test_an_edited_post_not_yet_followed_is_read_again_and_only_its_new_plan_follows(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    spec = await two_entries(harness)
    first = await receive_post(harness.core, user, "-100500", "Crypto Calls", POST, spec, AMOUNT, post_id=7)
    assert isinstance(first, Planned)
    tighter = replace(spec, stop_loss=spec.stop_loss + 50 if spec.stop_loss else None)

    edited = await edit(harness, user, 7, tighter, POST + " (stop raised)")
    assert isinstance(edited, Revised) and isinstance(edited.received, Planned)
    assert [change.field for change in edited.changes] == ["stop"]
    assert edited.received.signal.id == first.signal.id and edited.received.signal.spec == tighter
    with pytest.raises(DraftAlreadyUsed, match="cancelled"):
        await follow_signal(harness.core, user, first.signal.id, first.plan.group_id)
    followed = await follow_signal(harness.core, user, first.signal.id, edited.received.plan.group_id)
    assert len(followed.result.orders) == 2
    [stats] = await source_stats(harness.core, user)
    assert (stats.signals, stats.followed) == (1, 1)


async def test_an_edit_into_another_signal_s_post_or_of_a_post_never_read(harness: Harness) -> None:
    """An edit that makes a post the same as another of the source's is not planned twice; an edit of a
    post never read as a signal is read as a new one."""
    user, _ = await harness.user()
    spec = await two_entries(harness)
    other = replace(spec, targets=(spec.targets[0],))
    await receive_post(harness.core, user, "-100500", "Crypto Calls", POST, spec, AMOUNT, post_id=7)
    await receive_post(harness.core, user, "-100500", "Crypto Calls", "the other", other, AMOUNT, post_id=8)
    drafts = await harness.count("order_drafts")

    same = await edit(harness, user, 8, spec, POST)
    assert isinstance(same, Revised) and same.received is None and same.changes
    assert await harness.count("order_drafts") == drafts and await harness.count("signals") == 2

    unseen = await edit(harness, user, 9, other, "a third post")
    assert isinstance(unseen, Planned) and not unseen.again
    assert await harness.count("signals") == 3


async def test_an_edited_post_followed_trades_nothing_and_drafts_its_stop_moves(harness: Harness) -> None:
    user, _ = await harness.user()
    spec = await two_entries(harness)
    first = await receive_post(harness.core, user, "-100500", "Crypto Calls", POST, spec, AMOUNT, post_id=7)
    assert isinstance(first, Planned) and spec.stop_loss is not None
    await follow_signal(harness.core, user, first.signal.id, first.plan.group_id)
    orders = await harness.count("orders")

    edited = await edit(harness, user, 7, replace(spec, stop_loss=spec.stop_loss + 50), POST + " stop up")
    assert isinstance(edited, Revised) and edited.received is None and not edited.refused
    [(draft, stop)] = edited.stop_moves  # the entry filled has a stop; the one resting has none yet
    assert draft.replaces_order_id == stop.id and draft.price == spec.stop_loss + 50
    assert await harness.count("orders") == orders
    assert await status_of(harness, user, first.signal.id) is SignalStatus.FOLLOWED

    gone = await edit(harness, user, 7, None, "deleted by the admin")
    assert isinstance(gone, NoLongerASignal) and not gone.withdrawn
    assert await harness.count("orders") == orders


async def test_a_breakout_signal_rests_as_a_stop_entry_until_its_level(harness: Harness) -> None:
    """ "Enter above": an entry above the market waits as a stop order; it never buys at once below the level."""
    user, _ = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    level = (ask * D("1.05")).quantize(D("0.01"))
    spec = SignalSpec("ETH", Side.BUY, (level,), (level * 2,), stop_loss=ask * D("0.9"), breakout=True)
    planned = await post(harness, user, spec, "ETH breakout long above the level")
    assert isinstance(planned, Planned) and planned.signal.spec.breakout

    followed = await follow_signal(harness.core, user, planned.signal.id, planned.plan.group_id)
    [entry] = followed.result.orders
    assert (entry.order_type, entry.price, entry.status) == (OrderType.STOP, level, OrderStatus.OPEN)
    assert entry.filled == 0
