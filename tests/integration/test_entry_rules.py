"""A source's entry rules on the paper venue, along scripted price paths: the split of a plan, and its waiting
entries given up when a target or the stop comes before any entry fills, or when they expire."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.harness import Harness, track_and_report
from trading.domain.entry_rules import EntryRules, SplitStrategy
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.market import Ticker
from trading.domain.orders import Order
from trading.domain.signal_records import SignalRecord
from trading.domain.signals import SignalSpec
from trading.ports import UnitOfWork
from trading.usecases.entry_rules import entry_rules_of, set_entry_rules
from trading.usecases.entry_ticks import WaitingEntries
from trading.usecases.entry_watch import watch_waiting_entries
from trading.usecases.signal_plans import PlanDraft, draft_signal_plan
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import receive_signal

D = Decimal
SYMBOL = "SOL/USDT"


async def follow(
    harness: Harness, user: int, spec: SignalSpec, rules: EntryRules
) -> tuple[SignalRecord, PlanDraft]:
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", repr(spec), spec)
    await set_entry_rules(harness.core, user, received.signal.source_id, rules)
    plan = await draft_signal_plan(harness.core, user, spec, D(1500), signal_id=received.signal.id)
    await follow_signal(harness.core, user, received.signal.id)
    return received.signal, plan


async def entries_of(harness: Harness, plan: PlanDraft) -> list[Order]:
    async with harness.core.uow() as uow:
        return [o for o in await uow.signals.plan_orders(plan.group_id) if o.role is OrderRole.ENTRY]


async def told(harness: Harness, user: int) -> list[str]:
    async with harness.core.uow() as uow:
        return [n.text for n in await uow.notices.unsent(50) if n.user_id == user and "⌛" in n.text]


async def move(harness: Harness, price: Decimal) -> None:
    harness.market.set_price(SYMBOL, price)
    harness.clock.advance(1)
    await track_and_report(harness.core)


async def test_rules_are_kept_per_source_and_split_its_plans(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec(
        "SOL", Side.BUY, (ask * D("0.97"), ask * D("0.95"), ask * D("0.93")), (ask * 2,), ask / 2
    )
    rules = EntryRules(split=SplitStrategy.CUSTOM, ratios=(D(50), D(30), D(20)), first_at_market=True)
    signal, plan = await follow(harness, user, spec, rules)
    assert (await entry_rules_of(harness.core, user, signal.source_id)).rules == rules
    assert plan.plan.rules == rules
    costs = [e.quantity * e.price for e in plan.plan.entries]
    assert [round(c / 1500, 1) for c in costs] == [D("0.5"), D("0.3"), D("0.2")]
    entries = await entries_of(harness, plan)
    assert entries[0].status is OrderStatus.FILLED and entries[0].order_type is OrderType.MARKET
    assert [e.status for e in entries[1:]] == [OrderStatus.OPEN, OrderStatus.OPEN]


async def test_a_target_reached_before_any_entry_fills_closes_the_plan(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("0.95"), ask * D("0.9")), (ask * D("1.05"),), ask * D("0.8"))
    _, plan = await follow(harness, user, spec, EntryRules(close_on_target_before_entry=True))
    await move(harness, ask * D("1.02"))  # on its way: nothing given up
    assert [e.status for e in await entries_of(harness, plan)] == [OrderStatus.OPEN] * 2
    await move(harness, ask * D("1.07"))
    assert [e.status for e in await entries_of(harness, plan)] == [OrderStatus.CANCELLED] * 2
    [notice] = await told(harness, user)
    assert "target 1" in notice and "reached before any entry filled" in notice and "were cancelled" in notice
    await track_and_report(harness.core)  # the plan is over: the signal closes, without an outcome
    async with harness.core.uow() as uow:
        [(_, [closed])] = await uow.signals.for_user(user)
    assert closed.closed_at is not None and closed.outcome is None
    await move(harness, ask * D("1.08"))
    assert len(await told(harness, user)) == 1  # told once


async def test_the_stop_hit_before_a_breakout_entry_cancels_it(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("1.03"),), (ask * D("1.2"),), ask * D("0.95"), breakout=True)
    _, plan = await follow(harness, user, spec, EntryRules(cancel_on_stop_before_entry=True))
    [entry] = await entries_of(harness, plan)
    assert entry.order_type is OrderType.STOP and entry.status is OrderStatus.OPEN
    await move(harness, ask * D("0.94"))  # a gap down through the stop
    [entry] = await entries_of(harness, plan)
    assert entry.status is OrderStatus.CANCELLED and entry.filled == 0
    [notice] = await told(harness, user)
    assert "the stop" in notice and "hit before any entry filled" in notice and "was cancelled" in notice


async def test_entries_not_filled_expire_and_what_filled_stays(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("1.01"), ask * D("0.9")), (ask * 2,), ask * D("0.8"))
    rules = EntryRules(expiry=timedelta(hours=24))
    _, plan = await follow(harness, user, spec, rules)
    first, second = await entries_of(harness, plan)
    assert first.status is OrderStatus.FILLED and second.status is OrderStatus.OPEN
    harness.clock.advance(23 * 3600)
    await track_and_report(harness.core)
    assert (await entries_of(harness, plan))[1].status is OrderStatus.OPEN
    harness.clock.advance(3600)
    await track_and_report(harness.core)
    first, second = await entries_of(harness, plan)
    assert first.status is OrderStatus.FILLED and second.status is OrderStatus.CANCELLED
    [notice] = await told(harness, user)
    assert "not filled within 1d" in notice and "What filled stays" in notice


async def test_a_short_on_futures_is_split_and_given_up_when_its_target_comes_first(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    spec = SignalSpec("ETH", Side.SELL, (D(3100), D(3200)), (D(2800),), D(3400), leverage=D(2))
    rules = EntryRules(split=SplitStrategy.WEIGHTED_LAST, close_on_target_before_entry=True)
    _, plan = await follow(harness, user, spec, rules)
    assert plan.futures is not None and plan.plan.rules == rules
    first, second = (e.quantity * e.price for e in plan.plan.entries)
    assert second > first * D("1.9")  # 1 : 2
    assert [e.status for e in await entries_of(harness, plan)] == [OrderStatus.OPEN] * 2
    harness.market.set_price("ETH/USDT", D(2790))
    harness.clock.advance(1)
    await track_and_report(harness.core)
    entries = await entries_of(harness, plan)
    assert [e.status for e in entries] == [OrderStatus.CANCELLED] * 2
    [notice] = await told(harness, user)
    assert notice.startswith(f"⌛ {entries[0].symbol} sell signal from Crypto Calls: target 1 (2,800.00)")


async def test_entries_given_up_by_two_watchers_at_once_are_each_told_once(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("0.95"), ask * D("0.9")), (ask * D("1.05"),), ask * D("0.8"))
    _, plan = await follow(harness, user, spec, EntryRules(close_on_target_before_entry=True))
    harness.market.set_price(SYMBOL, ask * D("1.07"))
    await asyncio.gather(watch_waiting_entries(harness.core), watch_waiting_entries(harness.core))
    entries = await entries_of(harness, plan)
    assert [e.status for e in entries] == [OrderStatus.CANCELLED] * 2
    # Each watcher tells what it cancelled, with its last cancel: however they interleave, each entry once.
    told_ids = "".join(await told(harness, user))
    assert all(told_ids.count(f"#{e.id}") == 1 for e in entries)


async def test_a_tick_gives_up_entries_as_it_reaches_the_target_reading_nothing_until_then(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("0.95"), ask * D("0.9")), (ask * D("1.05"),), ask * D("0.8"))
    _, plan = await follow(harness, user, spec, EntryRules(close_on_target_before_entry=True))
    opened = 0

    def counted(*, read_only: bool = False, durable: bool = True) -> UnitOfWork:
        nonlocal opened
        opened += 1
        return harness.core.uow(read_only=read_only, durable=durable)

    core = replace(harness.core, uow=counted)
    entries = WaitingEntries(core, harness.container.prices)
    await entries.refresh()
    assert len(entries) == 1
    opened = 0
    assert (
        await entries.on_price(tick(harness, ask * D("1.02"))) == []
    )  # on its way: nothing read, nothing given up
    assert opened == 0
    [given_up] = await entries.on_price(tick(harness, ask * D("1.06")))
    assert [o.status for o in given_up.cancelled] == [OrderStatus.CANCELLED] * 2
    assert [e.status for e in await entries_of(harness, plan)] == [OrderStatus.CANCELLED] * 2
    [notice] = await told(harness, user)
    assert "reached before any entry filled" in notice
    assert len(entries) == 0 and await entries.on_price(tick(harness, ask * D("1.07"))) == []


def tick(harness: Harness, price: Decimal) -> Ticker:
    return Ticker(SYMBOL, price, price + D("0.01"), price, D(0), harness.clock.now())


async def test_a_plan_is_watched_from_its_follow_on_so_the_next_tick_acts_before_any_read(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    entries = WaitingEntries(harness.core, harness.container.prices)
    harness.core.followed_plans.subscribe(entries.followed)  # as the price watch's process does
    await entries.refresh()
    assert len(entries) == 0
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("0.95"), ask * D("0.9")), (ask * D("1.05"),), ask * D("0.8"))
    _, plan = await follow(harness, user, spec, EntryRules(close_on_target_before_entry=True))
    assert len(entries) == 1  # no read since: the follow itself put it there
    [given_up] = await entries.on_price(tick(harness, ask * D("1.06")))
    assert [e.status for e in await entries_of(harness, plan)] == [OrderStatus.CANCELLED] * 2
    assert given_up.cancelled and "reached before any entry filled" in given_up.why
    await entries.refresh()  # a read after the follow keeps the plan once, and this one is gone
    assert len(entries) == 0


async def test_a_plan_whose_rules_watch_nothing_is_not_indexed_when_followed(harness: Harness) -> None:
    user, _ = await harness.user()
    entries = WaitingEntries(harness.core, harness.container.prices)
    harness.core.followed_plans.subscribe(entries.followed)
    ask = (await harness.market.ticker(SYMBOL)).ask
    spec = SignalSpec("SOL", Side.BUY, (ask * D("0.95"),), (ask * D("1.05"),), ask * D("0.8"))
    await follow(harness, user, spec, EntryRules())
    assert len(entries) == 0 and await entries.on_price(tick(harness, ask * D("1.06"))) == []
