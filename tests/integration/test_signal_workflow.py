"""A signal's way through the core, as the chat and the web app both take it: a post received (not a signal,
seen before, planned, planned again, followed automatically) and a plan followed (once, and marked followed
only where an entry was placed)."""

import asyncio
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.harness import FailingExchanges, Harness, ProcessDied
from trading.domain.enums import OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.signal_records import SignalStatus
from trading.domain.signals import SignalSpec
from trading.usecases.execution import cancel_order
from trading.usecases.signal_workflow import (
    AlreadySeen,
    AutoFollowed,
    NotASignal,
    Planned,
    PostReceived,
    follow_signal,
    receive_post,
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
