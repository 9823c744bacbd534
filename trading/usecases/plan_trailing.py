"""A signal plan's trailing entries, where its source's entry rules want them: each a trailing entry
(trading.usecases.trailing_entries) whose draft is the plan's entry and whose mode carries the plan's group.
Previewed with the plan, armed by its Confirm (a compare-and-set on the mode, as a lone one is confirmed), bought
by the price watch through the claim of its draft, and ended with the plan's other waiting entries."""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.errors import DraftAlreadyUsed, DraftExpired
from trading.domain.orders import OrderDraft
from trading.domain.stop_modes import PositionStopMode, StopMode, StopModeKind
from trading.ports import UnitOfWork
from trading.usecases.core import Core
from trading.usecases.notices import add_notices


def trailing_records(
    drafts: Sequence[OrderDraft], ask: Decimal, now: datetime, to_confirm: timedelta
) -> list[PositionStopMode]:
    """The modes of a plan's trailing entries, previewed with it (to confirm within `to_confirm`); each
    follows the low from `ask`, the market when planned."""
    records: list[PositionStopMode] = []
    for draft in drafts:
        percent = draft.preview.trailing_entry_percent
        if percent is None:
            continue
        mode = StopMode(StopModeKind.TRAILING_ENTRY, True, draft.preview.price, ask, percent)
        records.append(
            PositionStopMode(
                draft.id,
                draft.user_id,
                draft.account_id,
                draft.symbol,
                mode,
                now,
                now + to_confirm,
                group_id=draft.group_id,
            )
        )
    return records


async def arm(uow: UnitOfWork, draft: OrderDraft, now: datetime) -> PositionStopMode:
    """A plan's trailing entry armed by its Confirm, once across processes; why it cannot be, raised."""
    record = await uow.stop_modes.confirm(draft.id, draft.user_id, now)
    if record is not None:
        return record
    known = await uow.stop_modes.get(draft.id)
    if known is not None and known.confirmed_at is None:
        raise DraftExpired("This plan's preview has expired; ask again for a fresh one.")
    raise DraftAlreadyUsed("This plan was already followed: each entry is armed or placed only once.")


async def end_plan_entries(
    core: Core,
    user_id: int,
    group_id: str,
    tell: Callable[[Sequence[PositionStopMode]], str] | None = None,
) -> tuple[PositionStopMode, ...]:
    """The plan's trailing entries in force ended, their drafts cancelled and (with `tell`) the trader told of
    those ended, in one transaction; those this caller ended (each end is a compare-and-set)."""
    async with core.uow() as uow:
        ended: list[PositionStopMode] = []
        for record in await uow.stop_modes.of_group(group_id):
            if record.user_id == user_id and await uow.stop_modes.end(record.id):
                await uow.drafts.cancel(record.id, record.user_id)
                ended.append(record)
        if ended and tell is not None:
            await add_notices(uow, [(user_id, tell(ended))], core.clock.now())
        await uow.commit()
    return tuple(ended)
