"""A source's trailing entry on the paper venue, along scripted price paths: a spot buy's limit entries armed as
trailing entries on Follow (nothing placed), each bought once at the turn back up and booked as the plan's entry
(its fill told, its stop and targets armed), the signal kept open while one waits, and all of them ended by the
stop before any buy, by the source's rules, by their expiry and by the kill switch."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from handlers.follow_ups import applied_text
from handlers.kill_switch_render import cancel_all_preview, cancel_all_result
from handlers.render import plan_preview, plan_result
from tests.harness import Harness, track_and_report
from trading.domain.entry_rules import EntryRules
from trading.domain.enums import DraftStatus, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.domain.signal_records import SignalRecord
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind
from trading.usecases.entry_rules import set_entry_rules
from trading.usecases.entry_ticks import WaitingEntries
from trading.usecases.follow_ups import Applied, FollowUpAsked, FollowUpKind, take_follow_up
from trading.usecases.kill_switch import cancel_all, preview_cancel_all
from trading.usecases.signal_plans import PlanDraft, draft_signal_plan
from trading.usecases.signal_workflow import AutoFollowed, Followed, follow_signal, receive_post
from trading.usecases.signals import find_signal, receive_signal, set_auto_follow
from trading.usecases.stop_mode_setting import confirm_stop_mode, stop_modes_of
from trading.usecases.trailing_entries import ENTRY_LIFE, TrailingEntries, preview_trailing_entry

D = Decimal
SOL = "SOL/USDT"
TRAILING = EntryRules(trailing_entry_percent=D(2))


async def planned(
    harness: Harness, user: int, rules: EntryRules = TRAILING, at_market: bool = True
) -> tuple[SignalRecord, PlanDraft]:
    """A long signal on SOL at 100 whose plan is drafted under `rules`: its first entry at the market (taken at
    market, where `at_market`), the others at 95 and 90; target 110, stop 80."""
    harness.market.set_price(SOL, D(100))
    ask = (await harness.market.ticker(SOL)).ask
    first = ask if at_market else D(97)
    spec = SignalSpec("SOL", Side.BUY, (first, D(95), D(90)), (D(110),), D(80))
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", repr(spec), spec)
    await set_entry_rules(harness.core, user, received.signal.source_id, rules)
    plan = await draft_signal_plan(harness.core, user, spec, D(1500), signal_id=received.signal.id)
    return received.signal, plan


async def followed(
    harness: Harness, user: int, at_market: bool = True
) -> tuple[SignalRecord, PlanDraft, Followed]:
    signal, plan = await planned(harness, user, at_market=at_market)
    return signal, plan, await follow_signal(harness.core, user, signal.id)


async def plan_orders(harness: Harness, plan: PlanDraft) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        return list(await uow.signals.plan_orders(plan.group_id))


def entries(orders: list[Order]) -> list[Order]:
    return [o for o in orders if o.role is OrderRole.ENTRY]


async def told(harness: Harness, user: int, mark: str) -> list[str]:
    async with harness.core.uow() as uow:
        return [
            n.text for n in await uow.notices.unsent(100) if n.user_id == user and n.text.startswith(mark)
        ]


async def drafts_status(harness: Harness, plan: PlanDraft) -> list[DraftStatus]:
    async with harness.core.uow(read_only=True) as uow:
        return [
            d.status for d in await uow.drafts.in_group(plan.group_id) if d.preview.trailing_entry_percent
        ]


async def watcher(harness: Harness) -> TrailingEntries:
    entries = TrailingEntries(harness.core, harness.container.prices)
    await entries.refresh()
    return entries


async def tick(harness: Harness, watchers: list[TrailingEntries], price: str) -> int:
    harness.market.set_price(SOL, D(price))
    ticker = await harness.market.ticker(SOL)
    return sum(await asyncio.gather(*(w.on_price(ticker) for w in watchers)))


async def signal_closed(harness: Harness, signal: SignalRecord) -> bool:
    async with harness.core.uow(read_only=True) as uow:
        found = await find_signal(uow, signal.user_id, signal.id)
    return found.closed_at is not None


async def test_its_limit_entries_are_previewed_as_trailing_entries_and_armed_on_follow(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    signal, plan = await planned(harness, user)
    first, second, third = plan.plan.entries
    assert first.order_type is OrderType.MARKET and first.trailing_percent is None
    assert [(e.price, e.trailing_percent) for e in (second, third)] == [(D(95), D(2)), (D(90), D(2))]
    assert [d.order_type for d in plan.drafts] == [OrderType.MARKET] * 3
    assert [d.preview.trailing_entry_percent for d in plan.drafts] == [None, D(2), D(2)]
    text = plan_preview("Crypto Calls", plan)
    assert "Entry 2: " in text and "(trailing entry 2% armed at 95.00)" in text
    assert "(trailing entry 2% armed at 90.00)" in text and "nothing is placed on Follow" in text

    result = (await follow_signal(harness.core, user, signal.id)).result
    assert [d.id for d in result.armed] == [d.id for d in plan.drafts[1:]]
    assert "🎯 Entry 95.00: trailing entry armed" in plan_result(result)
    [entry] = entries(await plan_orders(harness, plan))  # the market entry alone: nothing else placed
    assert entry.order_type is OrderType.MARKET and entry.status is OrderStatus.FILLED
    armed = [r for r in await stop_modes_of(harness.core, user) if r.mode.kind is StopModeKind.TRAILING_ENTRY]
    assert sorted(r.mode.entry for r in armed) == [D(90), D(95)]
    assert {r.group_id for r in armed} == {plan.group_id}
    with pytest.raises(InvalidInput, match="followed already"):  # a second tap: nothing more
        await follow_signal(harness.core, user, signal.id)


async def test_a_plan_of_trailing_entries_alone_is_followed_and_armed_once(harness: Harness) -> None:
    user, _ = await harness.user()
    signal, plan = await planned(harness, user, at_market=False)
    assert all(d.preview.trailing_entry_percent == D(2) for d in plan.drafts)
    outcomes = await asyncio.gather(
        follow_signal(harness.core, user, signal.id),
        follow_signal(harness.core, user, signal.id),
        return_exceptions=True,
    )
    armed = [o for o in outcomes if isinstance(o, Followed)]
    assert len(armed) == 1 and armed[0].followed and len(armed[0].result.armed) == 3
    assert all(isinstance(o, (DraftAlreadyUsed, InvalidInput)) for o in outcomes if o is not armed[0])
    assert await plan_orders(harness, plan) == []
    await track_and_report(harness.core)
    assert not await signal_closed(harness, signal)  # its trailing entries wait: the signal is open


async def test_one_buys_once_at_the_turn_and_is_booked_as_the_plans_entry(harness: Harness) -> None:
    user, _ = await harness.user()
    signal, plan, _ = await followed(harness, user)
    watchers = [await watcher(harness), await watcher(harness)]  # two processes
    assert await tick(harness, watchers, "96") == 0  # above its level
    assert await tick(harness, watchers, "94") == 0  # armed: the low
    assert await tick(harness, watchers, "95") == 0  # up 1.06%: not yet
    assert len(entries(await plan_orders(harness, plan))) == 1
    await tick(harness, watchers, "96")  # up 2.1% from 94: the entry at 95 buys, once
    orders = await plan_orders(harness, plan)
    first, second = entries(orders)
    assert (second.side, second.status, second.order_type) == (Side.BUY, OrderStatus.FILLED, OrderType.MARKET)
    assert second.quantity == plan.drafts[1].quantity and second.draft_id == plan.drafts[1].id
    [filled] = await told(harness, user, "📥")
    assert filled.startswith("📥 Entry 2 of 3 filled (SOL/USDT): bought ")
    assert len(await told(harness, user, "📈")) == 1
    legs = {o.role: o for o in orders if o.parent_id == second.id}
    assert legs[OrderRole.STOP_LOSS].price == D(80) and legs[OrderRole.STOP_LOSS].quantity == second.filled
    assert legs[OrderRole.TAKE_PROFIT].price == D(110)
    first_legs = {o.role for o in orders if o.parent_id == first.id}
    assert first_legs == set(legs)  # guarded exactly as the entry taken at market
    [waiting] = [r for r in await stop_modes_of(harness.core, user) if r.group_id == plan.group_id]
    assert waiting.mode.entry == D(90)
    await track_and_report(harness.core)
    assert not await signal_closed(harness, signal)


async def test_the_stop_before_any_buy_ends_them_told_once_and_the_signal_closes(harness: Harness) -> None:
    user, _ = await harness.user()
    signal, plan, _ = await followed(harness, user, at_market=False)
    harness.market.set_price(SOL, D(79))
    harness.clock.advance(1)
    await asyncio.gather(track_and_report(harness.core), track_and_report(harness.core))
    [notice] = await told(harness, user, "⌛")
    assert notice == (
        "⌛ SOL/USDT buy signal from Crypto Calls: the stop (80.00) was hit before any entry filled, so its 3 "
        "trailing entries (armed at 97.00, 95.00, 90.00) were ended unbought."
    )
    assert await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 3
    assert await stop_modes_of(harness.core, user) == []
    entries_now = await watcher(harness)
    assert len(entries_now) == 0 and await tick(harness, [entries_now], "85") == 0
    await track_and_report(harness.core)
    assert await signal_closed(harness, signal)


async def test_a_target_before_any_buy_ends_them_where_the_source_says_so(harness: Harness) -> None:
    user, _ = await harness.user()
    rules = EntryRules(trailing_entry_percent=D(2), close_on_target_before_entry=True)
    signal, plan = await planned(harness, user, rules, at_market=False)
    await follow_signal(harness.core, user, signal.id)
    harness.market.set_price(SOL, D(111))
    harness.clock.advance(1)
    await track_and_report(harness.core)
    [notice] = await told(harness, user, "⌛")
    assert "target 1 (110.00) was reached before any entry filled, so its 3 trailing entries" in notice
    assert await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 3


@pytest.mark.parametrize(
    ("rules", "waits", "said"),
    [
        (EntryRules(trailing_entry_percent=D(2), expiry=timedelta(hours=1)), timedelta(hours=1), "1h"),
        (TRAILING, ENTRY_LIFE, "7d"),
    ],
)
async def test_they_expire_as_the_source_says_else_after_a_week(
    harness: Harness, rules: EntryRules, waits: timedelta, said: str
) -> None:
    user, _ = await harness.user()
    signal, plan = await planned(harness, user, rules, at_market=False)
    await follow_signal(harness.core, user, signal.id)
    harness.clock.advance(waits.total_seconds() - 60)
    harness.market.set_price(SOL, D(100))  # the market where it was: only the time passed
    await track_and_report(harness.core)
    assert await told(harness, user, "⌛") == []
    harness.clock.advance(60)
    harness.market.set_price(SOL, D(100))
    entries_then = await watcher(harness)  # the price watch leaves a plan's entries to its rules
    await track_and_report(harness.core)
    [notice] = await told(harness, user, "⌛")
    assert f"not bought within {said}, so its 3 trailing entries" in notice
    assert len(entries_then) == 3 and await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 3


async def test_the_kill_switch_ends_them_and_a_lone_one_with_their_buys(harness: Harness) -> None:
    user, _ = await harness.user()
    _, plan, _ = await followed(harness, user, at_market=False)
    harness.market.set_price("ETH/USDT", D(3000))
    lone = await preview_trailing_entry(harness.core, user, OrderIntent("ETH", Side.BUY, D("0.1")), D(2))
    await confirm_stop_mode(harness.core, user, lone.record.id)
    preview = await preview_cancel_all(harness.core, user)
    assert preview.confirmation_id is not None and preview.orders == () and len(preview.trailing) == 4
    assert "• Trailing entry SOL/USDT armed at 95.00: ended, nothing bought" in cancel_all_preview(
        preview, 60
    )
    done = await cancel_all(harness.core, user, preview.confirmation_id)
    assert len(done.ended) == 4 and await stop_modes_of(harness.core, user) == []
    assert "Ended 4 trailing entries: nothing bought." in cancel_all_result(done)
    assert await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 3
    async with harness.core.uow(read_only=True) as uow:
        lone_buy = await uow.drafts.get(lone.draft.id)
    assert lone_buy is not None and lone_buy.status is DraftStatus.CANCELLED


async def test_a_channels_cancel_ends_them_for_a_source_followed_automatically(harness: Harness) -> None:
    user, _ = await harness.user()
    signal, plan, _ = await followed(harness, user, at_market=False)
    await set_auto_follow(harness.core, user, signal.source_id, True)
    applied = await take_follow_up(harness.core, user, "-100500", FollowUpAsked(FollowUpKind.CANCEL, "SOL"))
    assert isinstance(applied, Applied) and len(applied.ended) == 3
    assert "• Trailing entry armed at 95.00 ended unbought" in applied_text("Crypto Calls", "cancel", applied)
    assert await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 3
    assert len(await watcher(harness)) == 0


async def test_a_futures_plan_keeps_its_limit_entries_and_says_why(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    spec = SignalSpec("ETH", Side.SELL, (D(3100), D(3200)), (D(2800),), D(3400), leverage=D(2))
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", repr(spec), spec)
    await set_entry_rules(harness.core, user, received.signal.source_id, TRAILING)
    plan = await draft_signal_plan(harness.core, user, spec, D(1500), signal_id=received.signal.id)
    assert plan.futures is not None
    assert [d.order_type for d in plan.drafts] == [OrderType.LIMIT] * 2
    assert all(e.trailing_percent is None for e in plan.plan.entries)
    assert (
        "The source's trailing entry (2%) applies to spot buys only: this futures plan's entries rest as limit "
        "orders." in plan_preview("Crypto Calls", plan)
    )


async def test_a_tick_at_the_stop_ends_them_from_the_follow_on_even_after_a_buy(harness: Harness) -> None:
    user, _ = await harness.user()
    waiting = WaitingEntries(harness.core, harness.container.prices)
    harness.core.followed_plans.subscribe(waiting.followed)  # as the price watch's process does
    _, plan, _ = await followed(harness, user)  # the first entry bought at market
    assert len(waiting) == 1  # held from its follow on
    harness.market.set_price(SOL, D(85))
    assert await waiting.on_price(await harness.market.ticker(SOL)) == []
    harness.market.set_price(SOL, D(79))
    [given_up] = await waiting.on_price(await harness.market.ticker(SOL))
    assert [r.mode.entry for r in given_up.ended] == [D(95), D(90)]
    [notice] = await told(harness, user, "⌛")
    assert notice.startswith(
        "⌛ SOL/USDT buy signal from Crypto Calls: the stop (80.00) was hit, so its 2 trailing entries (armed at "
        "95.00, 90.00) were ended unbought."
    )
    assert await drafts_status(harness, plan) == [DraftStatus.CANCELLED] * 2


async def test_a_channels_stop_move_is_armed_by_the_trailing_entries_when_they_buy(harness: Harness) -> None:
    user, _ = await harness.user()
    signal, plan, _ = await followed(harness, user, at_market=False)
    await set_auto_follow(harness.core, user, signal.source_id, True)
    asked = FollowUpAsked(FollowUpKind.MOVE_STOP, "SOL", D(85))
    applied = await take_follow_up(harness.core, user, "-100500", asked)
    assert isinstance(applied, Applied) and applied.rearmed == 3  # all three armed above 85
    watchers = [await watcher(harness)]
    await tick(harness, watchers, "93")
    await tick(harness, watchers, "95")  # up 2.15% from 93: the entries at 97 and 95 buy
    orders = await plan_orders(harness, plan)
    stops = [o.price for o in orders if o.role is OrderRole.STOP_LOSS]
    assert stops == [D(85), D(85)]


async def test_a_source_followed_automatically_arms_its_next_signals_trailing_entries(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    first, _ = await planned(harness, user)  # the source, its rules set
    await set_auto_follow(harness.core, user, first.source_id, True)
    spec = SignalSpec("SOL", Side.BUY, (D(96), D(92)), (D(110),), D(80))
    posted = await receive_post(harness.core, user, "-100500", "Crypto Calls", "next", spec, D(1000))
    assert isinstance(posted, AutoFollowed) and len(posted.followed.result.armed) == 2
    assert posted.followed.result.orders == ()
    assert len(await watcher(harness)) == 2


async def test_its_low_survives_a_restart_and_it_still_buys_once(harness: Harness) -> None:
    user, _ = await harness.user()
    _, plan, _ = await followed(harness, user, at_market=False)
    before = await watcher(harness)
    await tick(harness, [before], "93")
    await before.refresh()  # the look writes the low seen
    restarted = await watcher(harness)
    await tick(harness, [restarted], "95")  # up 2.15% from the low before the restart: 97 and 95 buy
    await before.refresh()
    await tick(harness, [before, restarted], "96")
    bought = entries(await plan_orders(harness, plan))
    assert {o.draft_id for o in bought} == {d.id for d in plan.drafts[:2]} and len(bought) == 2
    assert len(await told(harness, user, "📥")) == 2
