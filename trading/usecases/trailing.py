"""Stop modes acted on at each price tick: a trailing stop follows the market, a stop goes to break-even or
behind the last target reached, a trailing take-profit closes the position through its stop.

Ticks are many and moves few: the modes in force and the stops they move are held in memory by symbol, read
again on the price watch's look, each filed by the price past which it can act (wake_price); a tick steps only
the modes it wakes, and the database is written only when a stop moves (with the extreme the mode has seen, so that a
restart resumes from it).
"""

import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trading.domain.enums import OPEN_STATUSES, OrderStatus
from trading.domain.errors import TradingError
from trading.domain.market import Ticker
from trading.domain.money import price_text
from trading.domain.orders import Order
from trading.domain.perpetuals import is_perpetual
from trading.domain.stop_modes import PositionStopMode, StopMode, StopModeKind, step, wake_price
from trading.usecases.brackets import guarding
from trading.usecases.core import Core
from trading.usecases.live_prices import LivePrices, venue_ticker
from trading.usecases.notices import add_notices
from trading.usecases.stop_moves import guards_holding, move_guarding_stop
from trading.usecases.tracking import send_reached

log = logging.getLogger(__name__)
# The moves the trader is told of: each a step they would want to know of. A trailing stop moves at every new
# high, which would be a message a tick; where it ends is told when it sells.
TOLD = frozenset({StopModeKind.BREAK_EVEN, StopModeKind.MOVING_TARGET})


@dataclass(frozen=True, slots=True)
class Tracked:
    """A mode in force and the stop it moves, as last known."""

    record: PositionStopMode
    stop: Order


def stop_at_tick(mode: StopMode, wanted: Decimal, tick: Decimal) -> Decimal:
    """A stop to the market's price tick, rounded toward the price's side it guards (down for a long): never
    rounded past the price."""
    rounding = ROUND_FLOOR if mode.long else ROUND_CEILING
    return (wanted / tick).to_integral_value(rounding) * tick


async def apply_step(core: Core, record: PositionStopMode, stop: Order, ticker: Ticker) -> Tracked | None:
    """The mode stepped at the ticker's price (a long's at the bid, a short's at the ask, where its stop would
    trade): the stop moved where the mode says, or the position closed through it. The mode and stop as they
    now stand; None where the mode is over, or its stop is out of reach (moved or fired elsewhere)."""
    mode = record.mode
    moved = step(mode, stop.price, ticker.bid if mode.long else ticker.ask)
    record = replace(record, mode=moved.mode)
    if moved.act:
        return await _close_through(core, record, stop)
    if moved.stop is None:
        return Tracked(record, stop)  # the extreme is kept in memory: written when it moves the stop
    market = await (await core.exchanges.gateway_of(stop.account_id)).market(stop.symbol)
    price = stop_at_tick(mode, moved.stop, market.price_tick)
    if stop.price is not None and (price <= stop.price if mode.long else price >= stop.price):
        return Tracked(record, stop)  # less than a tick of the market's: nothing to move yet
    try:
        stop = await move_guarding_stop(core, stop.id, stop.user_id, price)
    except TradingError as error:
        log.info("stop mode %s: stop %s not moved: %s", record.id, stop.client_order_id, error)
        return None
    async with core.uow() as uow:
        await uow.stop_modes.save_extreme(record.id, moved.mode.extreme)
        if mode.kind in TOLD:
            await add_notices(uow, [(stop.user_id, _moved_text(mode, stop.symbol, price))], core.clock.now())
        await uow.commit()
    return Tracked(record, stop)


def _moved_text(mode: StopMode, symbol: str, price: Decimal) -> str:
    why = (
        f"break-even after target {mode.after_target}"
        if mode.kind is StopModeKind.BREAK_EVEN
        else "moving target: a target was reached"
    )
    return f"🛡 {symbol}: your stop moved to {price_text(price)} ({why})."


async def _close_through(core: Core, record: PositionStopMode, stop: Order) -> Tracked | None:
    """A trailing take-profit's exit: the stop sent at market now, through the legs' own path (claimed once,
    its targets cancelled); the mode is over. A stop not held by the core right now (on its way to a venue)
    is tried again at the next tick."""
    if stop.status is not OrderStatus.ARMED or stop.parent_id is None:
        return Tracked(record, stop)
    await send_reached(core, stop)
    async with core.uow() as uow:
        await uow.stop_modes.end(record.id)
        await uow.commit()
    return None


class _Waiting:
    """Modes of one side of one market that act only past a price (wake_price), by that price, nearest first:
    a long's kept as it is (woken by a price above it), a short's negated (woken by one below it)."""

    def __init__(self) -> None:
        self._keys: list[Decimal] = []
        self._entries: list[Tracked] = []

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[Tracked]:
        return list(self._entries)

    def add(self, key: Decimal, entry: Tracked) -> None:
        at = bisect_right(self._keys, key)
        self._keys.insert(at, key)
        self._entries.insert(at, entry)

    def take_below(self, key: Decimal) -> list[Tracked]:
        """The entries whose key is below `key`, taken out."""
        at = bisect_left(self._keys, key)
        woken = self._entries[:at]
        del self._keys[:at], self._entries[:at]
        return woken


class _Book:
    """One market's modes: those that wake only past a price, on each side; the others, stepped at every tick."""

    def __init__(self) -> None:
        self._longs, self._shorts = _Waiting(), _Waiting()
        self._always: list[Tracked] = []

    def __len__(self) -> int:
        return len(self._longs) + len(self._shorts) + len(self._always)

    def entries(self) -> list[Tracked]:
        return self._longs.entries() + self._shorts.entries() + self._always

    def add(self, entry: Tracked) -> None:
        mode = entry.record.mode
        wake = wake_price(mode, entry.stop.price)
        if wake is None:
            self._always.append(entry)
        elif mode.long:
            self._longs.add(wake, entry)
        else:
            self._shorts.add(-wake, entry)

    def take_woken(self, ticker: Ticker) -> list[Tracked]:
        """The modes the tick may act on, taken out (a long's at the bid, a short's at the ask)."""
        always, self._always = self._always, []
        return self._longs.take_below(ticker.bid) + self._shorts.take_below(-ticker.ask) + always


class TrailingStops:
    """The stop modes in force on accounts at the live feed's venue, by symbol, with their stops. A mode set
    since the last read is found by the next; one whose position has had no stop at two reads running is ended
    (at one, its stop may be between its cancel at the venue and its new order there). A tick steps only the
    modes it can wake (wake_price): a tick that moves no stop costs a look-up per side of its market."""

    def __init__(self, core: Core, live: LivePrices) -> None:
        self._core = core
        self._live = live
        self._books: dict[str, _Book] = {}
        self._polled: list[Tracked] = []  # modes the feed does not follow: stepped at each look
        self._missing: set[str] = set()  # modes found without a stop at the last read

    def __len__(self) -> int:
        return sum(len(book) for book in self._books.values()) + len(self._polled)

    async def refresh(self) -> None:
        """Read the modes in force and their stops again, and have the feed watch their markets; the modes it
        does not follow (a perpetual's mark, another venue's account) are stepped at their venue's price."""
        async with self._core.uow(read_only=True) as uow:
            records = await uow.stop_modes.active()
            orders = await uow.orders.with_status(list(OPEN_STATUSES)) if records else []
        stops = {(o.account_id, o.symbol): o for o in orders if guards_holding(o) and guarding(o)}
        known = {t.record.id: t.record for t in self._all()}
        books: defaultdict[str, _Book] = defaultdict(_Book)
        polled: list[Tracked] = []
        missing: set[str] = set()
        for record in records:
            if record.mode.kind is StopModeKind.TRAILING_ENTRY:
                continue  # no stop to move: the price watch's TrailingEntries steps it
            stop = stops.get((record.account_id, record.symbol))
            if stop is None:
                missing.add(record.id)
                if record.id in self._missing:
                    await self._end(record)
                continue
            # The extreme seen since the last write is kept: it is written when it next moves the stop.
            entry = Tracked(replace(record, mode=_furthest(record, known.get(record.id, record))), stop)
            if not is_perpetual(record.symbol) and await self._live.covers(self._core, record.account_id):
                books[record.symbol].add(entry)
            else:
                polled.append(entry)
        self._books, self._missing = dict(books), missing
        self._live.feed.watch(self._books)
        self._polled = [after for entry in polled if (after := await self._poll(entry)) is not None]

    def _all(self) -> list[Tracked]:
        return [t for book in self._books.values() for t in book.entries()] + self._polled

    async def _poll(self, entry: Tracked) -> Tracked | None:
        try:
            ticker = await venue_ticker(self._core, entry.stop)
        except TradingError as error:
            log.info("stop mode %s: no price for %s: %s", entry.record.id, entry.stop.symbol, error)
            return entry
        return await apply_step(self._core, entry.record, entry.stop, ticker)

    async def on_price(self, ticker: Ticker) -> int:
        """Step the modes of the tick's market it can wake; how many stops moved or closed their position."""
        book = self._books.get(ticker.symbol)
        if book is None:
            return 0
        acted = 0
        for entry in book.take_woken(ticker):
            after = await apply_step(self._core, entry.record, entry.stop, ticker)
            if after is None or after.stop is not entry.stop:
                acted += 1
            if after is not None:
                book.add(after)
        return acted

    async def _end(self, record: PositionStopMode) -> None:
        """A mode whose position has no stop left (it went off, or the position was closed) is over."""
        async with self._core.uow() as uow:
            await uow.stop_modes.end(record.id)
            await uow.commit()


def _furthest(record: PositionStopMode, seen: PositionStopMode) -> StopMode:
    """The mode read, with the further of its stored extreme and the one seen in memory."""
    read, kept = record.mode, seen.mode
    further = kept.extreme > read.extreme if read.long else kept.extreme < read.extreme
    return replace(read, extreme=kept.extreme) if further else read
