"""Trailing entries: a spot buy placed once the price, having fallen below a level, turns back up a percentage
from its low. The buy is an order draft kept for the bot to confirm, and the mode (kind TRAILING_ENTRY, its id
the draft's) is previewed and confirmed as any stop mode; at the tick that turns, the draft is claimed by the
same compare-and-set as a tap on Confirm (so the buy is placed once, across processes and restarts), the mode
ended and the trader told, in one transaction, and only then is the order sent.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.enums import OrderType, Side
from trading.domain.errors import DraftAlreadyUsed, InvalidInput, TradingError
from trading.domain.intents import OrderIntent
from trading.domain.market import Ticker
from trading.domain.money import price_text
from trading.domain.orders import Order, OrderDraft
from trading.domain.perpetuals import is_perpetual
from trading.domain.stop_modes import PositionStopMode, StopMode, StopModeKind, check_settings, step
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import Claimed, carry_out, claim_draft
from trading.usecases.live_prices import LivePrices
from trading.usecases.notices import add_notices

log = logging.getLogger(__name__)

# How long a trailing entry waits for its turn: its draft's life.
ENTRY_LIFE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TrailingEntryPreview:
    """The mode to confirm, the buy it would place, and the market now."""

    record: PositionStopMode
    draft: OrderDraft
    price: Decimal

    @property
    def armed_at_once(self) -> bool:
        """Whether the ask is at or below the level already: the low is followed from now."""
        return self.price <= self.record.mode.entry


async def preview_trailing_entry(
    core: Core,
    user_id: int,
    intent: OrderIntent,
    percent: Decimal,
    below: Decimal | None = None,
    account_id: int | None = None,
) -> TrailingEntryPreview:
    """A market buy (`intent`) to place once the ask, having been at or below `below` (the market now, if
    None), turns back up `percent` from its low since; previewed, in force once confirmed (confirm_stop_mode)."""
    if intent.side is not Side.BUY or intent.order_type is not OrderType.MARKET:
        raise InvalidInput("A trailing entry is a buy at market, placed when the price turns back up.")
    check_settings(StopModeKind.TRAILING_ENTRY, percent, 1)
    draft = await draft_order(core, user_id, intent, account_id, spot_for=ENTRY_LIFE)
    ask = (await (await core.exchanges.gateway_of(draft.account_id)).ticker(draft.symbol)).ask
    level = below if below is not None else ask
    if level <= 0:
        raise InvalidInput("A trailing entry's level is a price above 0.")
    mode = StopMode(StopModeKind.TRAILING_ENTRY, True, level, ask, percent)
    now = draft.created_at  # the draft's time, so that the mode lapses with it (lapses_at)
    record = PositionStopMode(
        draft.id, user_id, draft.account_id, draft.symbol, mode, now, now + core.config.draft_ttl
    )
    async with core.uow() as uow:
        await uow.stop_modes.add(record)
        await uow.commit()
    return TrailingEntryPreview(record, draft, ask)


async def enter(core: Core, record: PositionStopMode, price: Decimal) -> Order | None:
    """The trailing entry's buy, at the tick that turned: its draft claimed, the mode ended and the trader told
    in one transaction, then the order sent. None where the draft was gone (expired, or claimed already)."""
    now = core.clock.now()
    async with core.uow() as uow:
        claimed: Claimed | None = None
        try:
            claimed = await claim_draft(uow, record.user_id, record.id, now)
            text = entered_text(record, claimed.draft, price)
        except DraftAlreadyUsed:
            return None  # bought by another process, or turned off (its draft cancelled with it)
        except TradingError as error:
            text = f"⌛ Your trailing entry on {record.symbol} ended: {error.message}"
        if not await uow.stop_modes.end(record.id):
            # Ended since it was read (turned off by its trader, or lapsed and told): the claim rolls back.
            return None
        await add_notices(uow, [(record.user_id, text)], now)
        await uow.commit()
    if claimed is None:
        return None
    try:
        return await carry_out(core, claimed)
    except TradingError as error:  # booked as refused on the order, which the trader sees
        log.warning("trailing entry %s not placed: %s", record.id, error.message)
        return None


def entered_text(record: PositionStopMode, draft: OrderDraft, price: Decimal) -> str:
    mode = record.mode
    return (
        f"📈 {record.symbol}: the price turned back up {mode.percent}% from its low of "
        f"{price_text(mode.extreme)} (now {price_text(price)}): buying {draft.quantity.normalize():f} "
        f"{record.symbol.split('/')[0]} at market (trailing entry)."
    )


def lapses_at(record: PositionStopMode) -> datetime | None:
    """When a trailing entry's draft expires, and the entry with it, unbought (it is written at the draft's
    time); None for a signal plan's, which its source's entry rules end (trading.usecases.entry_watch)."""
    return record.created_at + ENTRY_LIFE if record.group_id is None else None


async def lapse(core: Core, record: PositionStopMode) -> bool:
    """A trailing entry whose draft expired ended and its trader told, in one transaction; True for the one
    caller that ended it (the end is a compare-and-set, so that two processes end it once)."""
    async with core.uow() as uow:
        if not await uow.stop_modes.end(record.id):
            return False
        await add_notices(uow, [(record.user_id, lapsed_text(record))], core.clock.now())
        await uow.commit()
    return True


def lapsed_text(record: PositionStopMode) -> str:
    mode = record.mode
    return (
        f"⌛ {record.symbol}: your trailing entry expired unbought after {ENTRY_LIFE.days} days: the price did not "
        f"turn back up {mode.percent}% from a low at or below {price_text(mode.entry)} (its low: "
        f"{price_text(mode.extreme)}). Nothing was bought; set a new one to keep waiting."
    )


def _lapsed(record: PositionStopMode, now: datetime) -> bool:
    until = lapses_at(record)
    return until is not None and until <= now


class TrailingEntries:
    """The trailing entries in force, by symbol, as last read, stepped at each tick of their market (at the
    ask: what the buy would pay) without reading the database; those the feed does not follow are stepped at
    each look. The low each has seen is written at the next look where it moved, for a restart to resume from."""

    def __init__(self, core: Core, live: LivePrices) -> None:
        self._core = core
        self._live = live
        self._books: dict[str, list[PositionStopMode]] = {}
        self._written: dict[str, Decimal] = {}  # each mode's low as last read or written

    def __len__(self) -> int:
        return sum(len(book) for book in self._books.values())

    async def refresh(self) -> None:
        """Write the lows seen since the last look, read the entries in force again, end those whose draft
        expired, and have the feed watch the others' markets; step those it does not follow at their venue's
        price."""
        seen = {r.id: r for book in self._books.values() for r in book}
        lower = [r for r in seen.values() if self._written.get(r.id) != r.mode.extreme]
        if lower:
            async with self._core.uow() as uow:
                for record in lower:
                    await uow.stop_modes.save_extreme(record.id, record.mode.extreme)
                await uow.commit()
        async with self._core.uow(read_only=True) as uow:
            records = [r for r in await uow.stop_modes.active() if r.mode.kind is StopModeKind.TRAILING_ENTRY]
        lapsed = [r for r in records if _lapsed(r, self._core.clock.now())]
        for record in lapsed:
            await lapse(self._core, record)
        records = [r for r in records if r not in lapsed]
        books: dict[str, list[PositionStopMode]] = {}
        polled: list[PositionStopMode] = []
        for record in records:
            kept = seen.get(record.id)
            if kept is not None and kept.mode.extreme < record.mode.extreme:
                record = replace(record, mode=replace(record.mode, extreme=kept.mode.extreme))
            if not is_perpetual(record.symbol) and await self._live.covers(self._core, record.account_id):
                books.setdefault(record.symbol, []).append(record)
            else:
                polled.append(record)
        self._books, self._written = books, {r.id: r.mode.extreme for r in records}
        self._live.feed.watch(self._books)
        for record in polled:  # stepped at this look's price, the low it sets written at once
            try:
                ticker = await (await self._core.exchanges.gateway_of(record.account_id)).ticker(
                    record.symbol
                )
            except TradingError as error:
                log.info("trailing entry %s: no price for %s: %s", record.id, record.symbol, error)
                continue
            after = await self._step(record, ticker)
            if after is not None and after.mode.extreme != record.mode.extreme:
                async with self._core.uow() as uow:
                    await uow.stop_modes.save_extreme(record.id, after.mode.extreme)
                    await uow.commit()

    async def on_price(self, ticker: Ticker) -> int:
        """Step the entries of the tick's market; how many bought."""
        book = self._books.get(ticker.symbol)
        if not book:
            return 0
        kept = [after for record in book if (after := await self._step(record, ticker)) is not None]
        self._books[ticker.symbol] = kept
        return len(book) - len(kept)

    async def _step(self, record: PositionStopMode, ticker: Ticker) -> PositionStopMode | None:
        """The entry after the tick: None once it has bought (or found its draft gone)."""
        moved = step(record.mode, None, ticker.ask)
        if not moved.act:
            return replace(record, mode=moved.mode) if moved.mode is not record.mode else record
        await enter(self._core, replace(record, mode=moved.mode), ticker.ask)
        return None
