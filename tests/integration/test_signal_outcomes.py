"""Signal plans tracked to their end: target and stop fills reported once, the outcome and P&L recorded once."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from bot.server import report
from tests.harness import Harness, track_and_report
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import DraftAlreadyUsed
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderRequest
from trading.domain.signal_records import SignalOutcome, SignalRecord
from trading.domain.signals import SignalSpec
from trading.usecases.brackets import fire_leg
from trading.usecases.execution import cancel_order
from trading.usecases.portfolio import portfolio
from trading.usecases.reporting import NOTHING, TrackingEvents
from trading.usecases.signal_plans import PlanDraft, draft_signal_plan
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import receive_signal, set_stop_to_entry, source_stats
from trading.usecases.tracking import reconcile_submitted

D = Decimal


async def follow(
    harness: Harness, user: int, spec: SignalSpec, *, stop_to_entry: bool = False, text: str = "signal"
) -> tuple[SignalRecord, PlanDraft]:
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", text, spec)
    plan = await draft_signal_plan(harness.core, user, spec, D(1500), signal_id=received.signal.id)
    if stop_to_entry:
        await set_stop_to_entry(harness.core, user, plan.group_id, True)
    await follow_signal(harness.core, user, received.signal.id)
    return received.signal, plan


async def signal_of(harness: Harness, user: int, signal_id: int) -> SignalRecord:
    async with harness.core.uow() as uow:
        [(_, signals)] = await uow.signals.for_user(user)
    return next(s for s in signals if s.id == signal_id)


async def move(harness: Harness, symbol: str, price: Decimal) -> TrackingEvents:
    harness.market.set_price(symbol, price)
    harness.clock.advance(1)
    return await track_and_report(harness.core)


async def test_targets_then_the_stop_at_entry_make_a_win_recorded_once(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(160), D(170)), stop_loss=D(140))
    signal, plan = await follow(harness, user, spec, stop_to_entry=True)
    assert (await signal_of(harness, user, signal.id)).group_id == plan.group_id
    assert await track_and_report(harness.core) == NOTHING  # nothing reached, nothing to say

    first = await move(harness, "SOL/USDT", D(161))
    [hit] = first.fills
    entry_price = (await portfolio(harness.core, user)).positions[0].average_cost
    assert (hit.role, hit.target, hit.targets, hit.side) == (OrderRole.TAKE_PROFIT, 1, 2, Side.SELL)
    assert hit.price >= D(160) and hit.pnl > 0 and not hit.closed
    assert hit.stop_moved_to is not None and abs(hit.stop_moved_to - entry_price) < D("0.01")
    assert first.closed == ()  # half the position is still held
    assert await track_and_report(harness.core) == NOTHING  # reported once

    second = await move(harness, "SOL/USDT", D(171))
    [last] = second.fills
    assert (last.target, last.stop_moved_to, last.closed) == (2, None, True)
    [closed] = second.closed
    assert closed.outcome is SignalOutcome.WIN and closed.source_title == "Crypto Calls"
    assert closed.pnl == hit.pnl + last.pnl  # the plan's P&L is what the notifications said, summed
    view = await portfolio(harness.core, user)
    assert view.positions == ()
    assert closed.pnl == view.realised_pnl - view.fees_paid  # the ledger agrees, fees included

    recorded = await signal_of(harness, user, signal.id)
    assert (recorded.outcome, recorded.pnl, recorded.closed_at) == ("win", closed.pnl, harness.clock.now())
    [stats] = await source_stats(harness.core, user)
    assert (stats.followed, stats.wins, stats.losses, stats.win_rate) == (1, 1, 0, D(100))
    assert stats.pnl == closed.pnl

    assert await track_and_report(harness.core) == NOTHING
    restarted = harness_factory()  # a tracker started again reports nothing twice
    assert await track_and_report(restarted.core) == NOTHING
    assert (await signal_of(restarted, user, signal.id)).closed_at == recorded.closed_at


async def test_a_stop_makes_a_loss_and_the_statistics_count_it(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(160), D(170)), stop_loss=D(140))
    await follow(harness, user, spec, text="first")
    win = await move(harness, "SOL/USDT", D(171))  # both targets in one pass
    assert sorted(f.target or 0 for f in win.fills) == [1, 2]
    assert [c.outcome for c in win.closed] == [SignalOutcome.WIN]

    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(190),), stop_loss=D(160))
    signal, _ = await follow(harness, user, spec, text="second")
    stopped = await move(harness, "SOL/USDT", D(159))
    [stop] = stopped.fills
    assert (stop.role, stop.target, stop.closed) == (OrderRole.STOP_LOSS, None, True) and stop.pnl < 0
    [closed] = stopped.closed
    assert (closed.signal.id, closed.outcome, closed.pnl) == (signal.id, SignalOutcome.LOSS, stop.pnl)

    [stats] = await source_stats(harness.core, user)
    assert (stats.signals, stats.followed, stats.wins, stats.losses, stats.win_rate) == (2, 2, 1, 1, D(50))
    assert stats.pnl == win.closed[0].pnl + closed.pnl


async def test_a_plan_that_never_filled_closes_without_an_outcome(harness: Harness) -> None:
    user, _ = await harness.user()
    bid = (await harness.market.ticker("ETH/USDT")).bid
    low = (bid * D("0.8")).quantize(D("0.01"))
    spec = SignalSpec("ETH", Side.BUY, entries=(low,), targets=(bid,), stop_loss=low - 100)
    signal, _ = await follow(harness, user, spec)
    assert await track_and_report(harness.core) == NOTHING  # the entry rests: not over
    async with harness.core.uow() as uow:
        [entry] = await uow.orders.for_user(user, [OrderStatus.OPEN])
    await cancel_order(harness.core, user, entry.id)
    assert await track_and_report(harness.core) == NOTHING  # closed, but there is no result to tell
    recorded = await signal_of(harness, user, signal.id)
    assert recorded.closed_at is not None and recorded.outcome is None and recorded.pnl is None
    [stats] = await source_stats(harness.core, user)
    assert stats.win_rate is None


async def test_an_ordinary_order_reports_its_stop_and_no_signal(harness: Harness) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000), take_profits=(D(4000),))
    entry = await harness.placed(user, intent)
    events = await move(harness, "ETH/USDT", D(2990))
    [stop] = events.fills
    assert (stop.role, stop.quantity, stop.symbol, stop.quote) == (
        OrderRole.STOP_LOSS,
        entry.filled,
        "ETH/USDT",
        "USDT",
    )
    assert stop.pnl < 0 and stop.closed and events.closed == ()
    assert await move(harness, "ETH/USDT", D(2980)) == NOTHING


async def test_a_stop_sent_by_a_tracker_that_stopped_before_booking_it_is_told_after_reconciliation(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, account = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    harness.market.set_price("ETH/USDT", D(2990))
    async with harness.core.uow() as uow:  # the tracker claims the stop and sends it, then stops dead
        [armed] = await uow.orders.with_status([OrderStatus.ARMED])
        leg = await fire_leg(uow, armed, harness.clock.now())
        await uow.commit()
    assert leg is not None
    request = OrderRequest(leg.client_order_id, leg.symbol, leg.side, OrderType.MARKET, leg.quantity)
    await (await harness.exchanges.gateway_of(account.id)).create_order(request)

    restarted = harness_factory()
    reconciled = await reconcile_submitted(restarted.core)
    assert reconciled.found == 1
    [stop] = (await report(restarted.core)).fills  # as the tracker does at start-up
    assert (stop.role, stop.quantity, stop.closed) == (
        OrderRole.STOP_LOSS,
        leg.quantity,
        True,
    ) and stop.pnl < 0
    assert (await reconcile_submitted(restarted.core)).found == 0
    assert await track_and_report(restarted.core) == NOTHING


async def test_a_new_plan_for_a_signal_cancels_the_one_it_replaces(harness: Harness) -> None:
    """A signal planned in chat, then again in the Mini App: the first preview's Follow must not place a
    second plan for the one signal."""
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(ask * 2,), stop_loss=ask - 10)
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", "signal", spec)
    first = await draft_signal_plan(harness.core, user, spec, D(500), signal_id=received.signal.id)
    second = await draft_signal_plan(harness.core, user, spec, D(800), signal_id=received.signal.id)

    with pytest.raises(DraftAlreadyUsed, match="cancelled"):
        await follow_signal(harness.core, user, received.signal.id, first.group_id)
    placed = (await follow_signal(harness.core, user, received.signal.id, second.group_id)).result
    assert len(placed.orders) == 1 and not placed.failures
    assert (await signal_of(harness, user, received.signal.id)).group_id == second.group_id
    async with harness.core.uow(read_only=True) as uow:
        assert len(await uow.orders.for_user(user, [OrderStatus.FILLED])) == 1
