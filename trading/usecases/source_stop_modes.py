"""A signal source's default stop mode ("/source 2 trail 3%"): set by its trader, and given to each position its
signals open, in the transaction that arms the position's stop."""

import logging
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.orders import Order, OrderDraft
from trading.domain.signal_records import SignalSource
from trading.domain.stop_modes import PositionStopMode, StopMode, StopModeKind, check_settings
from trading.ports import UnitOfWork
from trading.usecases.core import Core, new_draft_id

log = logging.getLogger(__name__)


async def set_source_stop_mode(
    core: Core,
    user_id: int,
    source_id: int,
    kind: StopModeKind | None,
    percent: Decimal | None = None,
    after_target: int = 1,
) -> SignalSource:
    """The stop mode each later position of the source's signals gets (None: none). Positions open already
    keep theirs."""
    if kind is StopModeKind.TRAILING_ENTRY:  # it buys: one of the source's entry rules, beside its stop mode
        raise InvalidInput(
            f"A source's trailing entry is one of its entry rules, not a stop mode: set it with '/source "
            f"{source_id} trailing entry 2%' (or trailing_entry_percent in its entry rules over the API). A "
            "source can have both a trailing stop and a trailing entry."
        )
    if kind is not None:
        check_settings(kind, percent, after_target)
    async with core.uow() as uow:
        source = await uow.signals.set_stop_mode(user_id, source_id, kind, percent, after_target)
        if source is None:
            raise NotFound("That signal source was not found.")
        await uow.commit()
    return source


async def adopt_source_mode(
    uow: UnitOfWork, entry: Order, stop: Order, draft: OrderDraft, now: datetime
) -> None:
    """The stop mode of the source whose signal's plan `draft` is part of, set on the position `stop` now
    guards (in force at once: its trader chose it for the source); nothing where the position has one already,
    or the mode cannot act on it (a moving target for a signal without targets)."""
    if draft.group_id is None or entry.average_price is None:
        return
    source = await uow.signals.source_of_plan(draft.group_id)
    if source is None or source.stop_mode is None:
        return
    long = stop.side is Side.SELL
    targets = tuple(sorted(draft.take_profits, reverse=not long))
    price = entry.average_price
    try:
        mode = StopMode(
            source.stop_mode,
            long,
            price,
            price,
            source.stop_mode_percent,
            source.stop_mode_after_target,
            targets,
        )
    except InvalidInput as error:
        log.info("source %s's stop mode not set on entry %s: %s", source.id, entry.id, error.message)
        return
    record = PositionStopMode(
        new_draft_id(), entry.user_id, entry.account_id, entry.symbol, mode, now, now, now
    )
    await uow.stop_modes.add(record)
