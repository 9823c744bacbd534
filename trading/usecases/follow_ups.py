"""A channel's follow-up to a signal the trader followed, whichever door it comes in by (a channel post, a
forward): a report (a target or the stop hit, an entry filled) changes nothing, the signal's own orders track
it; an instruction (move the stop, to the entry or to a price; close now; cancel) is carried out on the
signal's orders where the trader follows the source automatically, and otherwise left to preview and confirm.

A follow-up never opens a trade: it moves the stops the signal's entries armed, cancels its entries not yet
filled, and sells no more than its entries bought and its legs have not sold.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trading.domain.enums import AmountUnit, OrderRole, OrderType, Side
from trading.domain.errors import TradingError
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO
from trading.domain.orders import Order, OrderDraft
from trading.domain.signal_records import SignalRecord
from trading.domain.stop_modes import PositionStopMode
from trading.usecases.brackets import guarding, stop_of
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.follow_pauses import following_paused
from trading.usecases.plan_trailing import end_plan_entries
from trading.usecases.signals import followed_signal
from trading.usecases.stop_moves import draft_move_of


class FollowUpKind(StrEnum):
    """What a post says of an earlier signal (the parse contract's `update`)."""

    TARGET_HIT = "target_hit"
    STOP_HIT = "stop_hit"
    ENTRY_FILLED = "entry_filled"
    CLOSE = "close"
    MOVE_STOP = "move_stop"
    MOVE_STOP_TO_ENTRY = "move_stop_to_entry"
    CANCEL = "cancel"

    @property
    def is_report(self) -> bool:
        return self in (FollowUpKind.TARGET_HIT, FollowUpKind.STOP_HIT, FollowUpKind.ENTRY_FILLED)


@dataclass(frozen=True, slots=True)
class FollowUpAsked:
    kind: FollowUpKind
    symbol: str | None  # the signal's market, where the post names it
    stop: Decimal | None = None  # where MOVE_STOP moves the stop


@dataclass(frozen=True, slots=True)
class NoSignal:
    """No open signal of the channel that the trader followed (on the market named): nothing to act on."""


@dataclass(frozen=True, slots=True)
class Reported:
    """A report on a followed signal: its own stop and targets track it, nothing else is done."""

    signal: SignalRecord


@dataclass(frozen=True, slots=True)
class ToConfirm:
    """An instruction on a signal from a source not followed automatically (or whose automatic following is
    paused: `paused` says why): previewed, to confirm or not."""

    signal: SignalRecord
    paused: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """An instruction carried out on the signal's orders: the stops moved (each as it now stands, with its
    price before), entries not yet filled whose stop was moved for when they fill (`rearmed`), entries
    cancelled, trailing entries ended unbought, the position sold, and what could not be done, in the trader's
    words."""

    signal: SignalRecord
    moved: tuple[tuple[Order, Decimal | None], ...] = ()
    rearmed: int = 0
    cancelled: tuple[Order, ...] = ()
    sold: Order | None = None
    refused: tuple[str, ...] = ()
    ended: tuple[PositionStopMode, ...] = ()


FollowUpTaken = NoSignal | Reported | ToConfirm | Applied

NO_STOP_PRICE = "The post gives no price to move the stop to."
CLOSED_ALREADY = "That signal was closed already: nothing more was done."
NO_BUY_BACK = "It was a sell: buying the coins back is not done automatically. Nothing was bought; say 'buy …' to do it."


async def take_follow_up(core: Core, user_id: int, channel: str, asked: FollowUpAsked) -> FollowUpTaken:
    """A follow-up from `channel`, about the latest signal of it the trader followed on the market named."""
    found = await followed_signal(core, user_id, channel, asked.symbol)
    if found is None:
        return NoSignal()
    source, signal = found
    if asked.kind.is_report:
        return Reported(signal)
    if not source.auto_follow:
        return ToConfirm(signal)
    paused = await following_paused(core, user_id, source.id)
    if paused is not None:
        return ToConfirm(signal, paused)
    if asked.kind is FollowUpKind.CLOSE:
        return await _close(core, signal)
    if asked.kind is FollowUpKind.CANCEL:
        ended = await _end_trailing(core, signal)
        cancelled, refused = await _cancel_waiting(core, signal, await _plan_orders(core, signal))
        return Applied(signal, cancelled=cancelled, refused=refused, ended=ended)
    return await _move_stops(core, signal, asked)


async def _end_trailing(core: Core, signal: SignalRecord) -> tuple[PositionStopMode, ...]:
    """The plan's trailing entries ended unbought (told by what the follow-up did)."""
    if signal.group_id is None:
        return ()
    return await end_plan_entries(core, signal.user_id, signal.group_id)


async def _plan_orders(core: Core, signal: SignalRecord) -> Sequence[Order]:
    if signal.group_id is None:
        return ()
    async with core.uow(read_only=True) as uow:
        return await uow.signals.plan_orders(signal.group_id)


def _entries(orders: Sequence[Order]) -> list[Order]:
    return [order for order in orders if order.role is OrderRole.ENTRY]


def _legs(orders: Sequence[Order], entry: Order) -> list[Order]:
    return [order for order in orders if order.parent_id == entry.id]


async def draft_plan_stop_moves(
    core: Core, signal: SignalRecord, price: Decimal
) -> tuple[tuple[tuple[OrderDraft, Order], ...], tuple[str, ...]]:
    """The moves to `price` of the stops guarding what the signal's entries filled, each a draft to confirm
    with the stop it moves; and why a stop cannot be moved there."""
    moves: list[tuple[OrderDraft, Order]] = []
    refused: list[str] = []
    orders = await _plan_orders(core, signal)
    for entry in _entries(orders):
        stop = stop_of(_legs(orders, entry))
        if stop is None:
            continue
        try:
            moves.append((await draft_move_of(core, signal.user_id, stop.id, price), stop))
        except TradingError as error:
            refused.append(error.message)
    return tuple(moves), tuple(refused)


async def _move_stops(core: Core, signal: SignalRecord, asked: FollowUpAsked) -> Applied:
    """Each stop guarding what an entry filled, moved (to that entry's own fill price, for the stop to the
    entry); an entry not yet filled arms its stop at the new price when it fills."""
    to_entry = asked.kind is FollowUpKind.MOVE_STOP_TO_ENTRY
    if not to_entry and asked.stop is None:
        return Applied(signal, refused=(NO_STOP_PRICE,))
    orders = await _plan_orders(core, signal)
    moved: list[tuple[Order, Decimal | None]] = []
    refused: list[str] = []
    for entry in _entries(orders):
        stop = stop_of(_legs(orders, entry))
        price = entry.average_price if to_entry else asked.stop
        if stop is None or price is None:
            continue
        try:
            draft = await draft_move_of(core, signal.user_id, stop.id, price)
            moved.append((await confirm_draft(core, signal.user_id, draft.id), stop.price))
        except TradingError as error:
            refused.append(error.message)
    rearmed = 0 if asked.stop is None or to_entry else await _rearm_waiting(core, signal, orders, asked.stop)
    return Applied(signal, moved=tuple(moved), rearmed=rearmed, refused=tuple(refused))


async def _rearm_waiting(core: Core, signal: SignalRecord, orders: Sequence[Order], price: Decimal) -> int:
    """The stop that the buy entries not yet filled (or trailing entries not yet bought) arm when they fill,
    moved to `price` where it is below them (a stop above a buy's price would sell as soon as it filled)."""
    waiting = [
        entry.draft_id
        for entry in _entries(orders)
        if entry.side is Side.BUY
        and guarding(entry)
        and entry.filled == 0
        and entry.draft_id is not None
        and (entry.price is None or price < entry.price)
    ]
    async with core.uow() as uow:
        if signal.group_id is not None:
            armed = await uow.stop_modes.of_group(signal.group_id)
            waiting += [r.id for r in armed if price < r.mode.entry]  # a trailing entry's draft is its id
        changed = await uow.signals.set_entry_stops(signal.user_id, waiting, price) if waiting else 0
        await uow.commit()
    return changed


async def _cancel_waiting(
    core: Core, signal: SignalRecord, orders: Sequence[Order]
) -> tuple[tuple[Order, ...], tuple[str, ...]]:
    """The signal's entries still waiting to fill (or to fill the rest), cancelled; what filled stays."""
    cancelled: list[Order] = []
    refused: list[str] = []
    for entry in _entries(orders):
        if not guarding(entry):
            continue
        try:
            cancelled.append(await cancel_order(core, signal.user_id, entry.id))
        except TradingError as error:
            refused.append(f"Entry #{entry.id} was not cancelled: {error.message}")
    return tuple(cancelled), tuple(refused)


def _held(orders: Sequence[Order]) -> Decimal:
    """What the signal's buy entries filled and their legs have not sold."""
    held = ZERO
    for entry in _entries(orders):
        sold = sum((leg.filled for leg in _legs(orders, entry) if leg.side is Side.SELL), ZERO)
        held += entry.filled - sold
    return max(held, ZERO)


async def _close(core: Core, signal: SignalRecord) -> Applied:
    """The signal closed now: marked closed first (once, across processes, so that a repeated post sells
    nothing more), then its waiting entries cancelled, what it holds sold at market, and its legs cancelled.
    It closes without an outcome: its position was not closed by its own stop or targets."""
    if signal.spec.side is not Side.BUY:
        return Applied(signal, refused=(NO_BUY_BACK,))
    async with core.uow() as uow:
        if not await uow.signals.close(signal.id, None, None, core.clock.now()):
            return Applied(signal, refused=(CLOSED_ALREADY,))
        await uow.commit()
    ended = await _end_trailing(core, signal)
    cancelled, refused = await _cancel_waiting(core, signal, await _plan_orders(core, signal))
    orders = await _plan_orders(core, signal)
    held = _held(orders)
    if held <= 0:
        return Applied(signal, cancelled=cancelled, refused=refused, ended=ended)
    try:
        sold = await _sell(core, signal, orders, held)
    except TradingError as error:
        refused = (*refused, f"Not sold: {error.message}")
        return Applied(signal, cancelled=cancelled, refused=refused, ended=ended)
    left = await _cancel_legs(core, signal)
    return Applied(signal, cancelled=cancelled, sold=sold, refused=(*refused, *left), ended=ended)


async def _sell(core: Core, signal: SignalRecord, orders: Sequence[Order], quantity: Decimal) -> Order:
    """A market sale of `quantity` of the signal's coins, drafted and confirmed as a close asked in chat."""
    entry = _entries(orders)[0]
    intent = OrderIntent(entry.symbol, Side.SELL, quantity, AmountUnit.BASE, OrderType.MARKET)
    draft = await draft_order(core, signal.user_id, intent, entry.account_id)
    return await confirm_draft(core, signal.user_id, draft.id)


async def _cancel_legs(core: Core, signal: SignalRecord) -> tuple[str, ...]:
    """The signal's stop and targets still guarding after its position was sold: they would sell coins no
    longer its own."""
    refused: list[str] = []
    for leg in await _plan_orders(core, signal):
        if leg.parent_id is None or not guarding(leg):
            continue
        try:
            await cancel_order(core, signal.user_id, leg.id)
        except TradingError as error:
            refused.append(f"Its {leg.role.value.replace('_', ' ')} #{leg.id} stays: {error.message}")
    return tuple(refused)
