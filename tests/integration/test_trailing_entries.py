"""Trailing entries on the paper venue along scripted price paths: the buy placed once, at the tick that turns
back up the percentage from the low below the level, the trader told; the low kept over a restart; two
processes acting on the same tick place it once."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.harness import Harness
from trading.domain.enums import DraftStatus, OrderStatus, Side
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.domain.stop_modes import StopModeKind
from trading.usecases.source_stop_modes import set_source_stop_mode
from trading.usecases.stop_mode_setting import (
    confirm_stop_mode,
    end_stop_mode,
    stop_modes_of,
    sweep_lapsed_previews,
)
from trading.usecases.trailing_entries import ENTRY_LIFE, TrailingEntries, lapses_at, preview_trailing_entry

D = Decimal
ETH = "ETH/USDT"


async def tick(harness: Harness, entries: TrailingEntries, price: str) -> int:
    harness.market.set_price(ETH, D(price))
    return await entries.on_price(await harness.market.ticker(ETH))


async def orders_of(harness: Harness, user: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        return list(await uow.orders.for_user(user))


async def told(harness: Harness, user: int) -> list[str]:
    async with harness.core.uow() as uow:
        return [n.text for n in await uow.notices.unsent(50) if n.user_id == user]


async def in_force(harness: Harness, level: str, percent: str = "2") -> tuple[int, TrailingEntries]:
    """A user whose trailing entry buys 0.1 ETH once the price turns up `percent` from a low below `level`."""
    user, _ = await harness.user()
    harness.market.set_price(ETH, D(3000))
    intent = OrderIntent("ETH", Side.BUY, D("0.1"))
    preview = await preview_trailing_entry(harness.core, user, intent, D(percent), D(level))
    assert preview.record.mode.kind is StopModeKind.TRAILING_ENTRY
    await confirm_stop_mode(harness.core, user, preview.record.id)
    entries = TrailingEntries(harness.core, harness.container.prices)
    await entries.refresh()
    assert len(entries) == 1
    return user, entries


async def test_it_buys_once_at_the_turn_back_up_from_the_low_below_its_level(harness: Harness) -> None:
    user, entries = await in_force(harness, "2950")
    assert await tick(harness, entries, "2990") == 0  # above the level: never bought there
    assert await tick(harness, entries, "3040") == 0
    assert await tick(harness, entries, "2900") == 0  # the low
    assert await tick(harness, entries, "2950") == 0  # up 1.7%: not yet
    assert await orders_of(harness, user) == []
    assert await tick(harness, entries, "2960") == 1  # up 2.07% from 2900
    [order] = await orders_of(harness, user)
    assert (order.side, order.status, order.quantity) == (Side.BUY, OrderStatus.FILLED, D("0.1"))
    [notice] = await told(harness, user)
    assert notice.startswith("📈 ETH/USDT: the price turned back up 2% from its low of 2,900.")  # the ask
    assert await stop_modes_of(harness.core, user) == [] and len(entries) == 0
    assert await tick(harness, entries, "3100") == 0
    await entries.refresh()
    assert len(await orders_of(harness, user)) == 1


async def test_its_low_is_kept_over_a_restart(harness: Harness) -> None:
    user, entries = await in_force(harness, "3000")
    await tick(harness, entries, "2800")
    await entries.refresh()  # the look writes the low seen
    restarted = TrailingEntries(harness.core, harness.container.prices)
    await restarted.refresh()
    assert await tick(harness, restarted, "2860") == 1  # up 2.1% from 2800, the low before the restart
    assert len(await orders_of(harness, user)) == 1


async def test_two_processes_at_the_same_turn_buy_once(harness: Harness) -> None:
    user, entries = await in_force(harness, "3000")
    other = TrailingEntries(harness.core, harness.container.prices)
    await other.refresh()
    for watcher in (entries, other):
        await tick(harness, watcher, "2800")
    harness.market.set_price(ETH, D(2900))
    ticker = await harness.market.ticker(ETH)
    await asyncio.gather(entries.on_price(ticker), other.on_price(ticker))
    assert len(await orders_of(harness, user)) == 1
    assert len(await told(harness, user)) == 1


async def test_one_unbought_past_its_drafts_expiry_ends_at_the_next_look_told_once(harness: Harness) -> None:
    user, entries = await in_force(harness, "2950")
    [record] = await stop_modes_of(harness.core, user)
    async with harness.core.uow(read_only=True) as uow:
        draft = await uow.drafts.get(record.id)
    assert draft is not None and lapses_at(record) == draft.expires_at == record.created_at + ENTRY_LIFE
    await tick(harness, entries, "2900")  # a low below the level; no turn yet
    harness.clock.advance((ENTRY_LIFE - timedelta(seconds=1)).total_seconds())
    await entries.refresh()
    assert len(entries) == 1 and await told(harness, user) == []
    harness.clock.advance(1)
    other = TrailingEntries(harness.core, harness.container.prices)
    await asyncio.gather(entries.refresh(), other.refresh())  # two processes' looks: ended once
    assert len(entries) == len(other) == 0
    assert await stop_modes_of(harness.core, user) == []
    [notice] = await told(harness, user)
    assert notice.startswith(
        "⌛ ETH/USDT: your trailing entry expired unbought after 7 days: the price did not "
    )
    assert "from a low at or below 2,950.00 (its low: 2,900." in notice
    assert await tick(harness, entries, "3000") == 0  # the turn comes too late: nothing bought, nothing told
    await entries.refresh()
    assert await orders_of(harness, user) == [] and len(await told(harness, user)) == 1


async def test_one_found_past_its_expiry_by_the_turn_before_the_look_ends_told_once(harness: Harness) -> None:
    user, entries = await in_force(harness, "2950")
    await tick(harness, entries, "2900")
    harness.clock.advance(ENTRY_LIFE.total_seconds())
    assert await tick(harness, entries, "3000") == 1  # stepped off the book: its draft is gone
    await entries.refresh()  # the look finds it ended already, and tells nothing more
    assert await orders_of(harness, user) == []
    [notice] = await told(harness, user)
    assert notice.startswith("⌛ Your trailing entry on ETH/USDT ended: ")


async def draft_status(harness: Harness, draft_id: str) -> DraftStatus:
    async with harness.core.uow(read_only=True) as uow:
        draft = await uow.drafts.get(draft_id)
    assert draft is not None
    return draft.status


async def test_one_turned_off_has_its_buy_cancelled_and_buys_nothing_at_a_turn(harness: Harness) -> None:
    user, entries = await in_force(harness, "3000")
    await tick(harness, entries, "2800")
    [record] = await stop_modes_of(harness.core, user)
    ended = await end_stop_mode(harness.core, user, record.id)
    assert ended.id == record.id and await draft_status(harness, record.id) is DraftStatus.CANCELLED
    with pytest.raises(NotFound):  # off already
        await end_stop_mode(harness.core, user, record.id)
    assert await tick(harness, entries, "2900") == 1  # off the book, as last read: nothing bought
    assert await orders_of(harness, user) == [] and await told(harness, user) == []
    assert await draft_status(harness, record.id) is DraftStatus.CANCELLED


async def test_one_replaced_by_a_new_one_on_its_market_has_its_buy_cancelled(harness: Harness) -> None:
    user, _ = await in_force(harness, "3000")
    [old] = await stop_modes_of(harness.core, user)
    intent = OrderIntent("ETH", Side.BUY, D("0.2"))
    preview = await preview_trailing_entry(harness.core, user, intent, D(3), D(2900))
    assert await draft_status(harness, old.id) is DraftStatus.PENDING  # a preview replaces nothing
    await confirm_stop_mode(harness.core, user, preview.record.id)
    assert [r.id for r in await stop_modes_of(harness.core, user)] == [preview.record.id]
    assert await draft_status(harness, old.id) is DraftStatus.CANCELLED
    assert await draft_status(harness, preview.record.id) is DraftStatus.PENDING


async def test_only_a_market_buy_trails_in(harness: Harness) -> None:
    user, _ = await harness.user()
    sell = OrderIntent("ETH", Side.SELL, D("0.1"))
    with pytest.raises(InvalidInput, match="buy at market"):
        await preview_trailing_entry(harness.core, user, sell, D(2))
    with pytest.raises(InvalidInput, match="percentage"):
        await preview_trailing_entry(harness.core, user, OrderIntent("ETH", Side.BUY, D("0.1")), D(60))


async def test_a_source_takes_no_trailing_entry_as_the_stop_mode_of_its_positions(harness: Harness) -> None:
    user, _ = await harness.user()
    with pytest.raises(
        InvalidInput, match="one of its entry rules, not a stop mode: set it with '/source 1 tr"
    ):
        await set_source_stop_mode(harness.core, user, 1, StopModeKind.TRAILING_ENTRY, D(2))


async def test_a_preview_left_unconfirmed_has_its_buy_cancelled_once_it_lapses(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price(ETH, D(3000))
    intent = OrderIntent("ETH", Side.BUY, D("0.1"))
    preview = await preview_trailing_entry(harness.core, user, intent, D(2))
    assert await sweep_lapsed_previews(harness.core) == 0  # still confirmable
    harness.clock.advance(harness.core.config.draft_ttl.total_seconds())
    assert await sweep_lapsed_previews(harness.core) == 1
    async with harness.core.uow(read_only=True) as uow:
        draft = await uow.drafts.get(preview.record.id)
        assert await uow.stop_modes.get(preview.record.id) is None
    assert draft is not None and draft.status is DraftStatus.CANCELLED  # not left pending for a week
    assert await sweep_lapsed_previews(harness.core) == 0
