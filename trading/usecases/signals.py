"""Signals read from channels: recorded once per source and content, followed or ignored, counted per source."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import OrderRole
from trading.domain.errors import DraftAlreadyUsed, InvalidInput, NotFound
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.orders import Fill, Order
from trading.domain.risk_sizing import check_risk_percent
from trading.domain.signal_records import (
    SignalOutcome,
    SignalRecord,
    SignalSource,
    SignalStatus,
    SourceSettings,
    SourceStats,
    closing_pnl,
    outcome_of,
)
from trading.domain.signals import SignalSpec, check_signal
from trading.ports import UnitOfWork
from trading.usecases.core import Core
from trading.usecases.protection_checks import after_signal_closed


@dataclass(frozen=True, slots=True)
class ClosedSignal:
    """A followed signal whose plan is over: everything it opened is closed, its outcome recorded."""

    signal: SignalRecord
    source_title: str
    symbol: str  # the market its plan traded
    outcome: SignalOutcome
    pnl: Decimal
    quote: str


@dataclass(frozen=True, slots=True)
class Received:
    source: SignalSource
    signal: SignalRecord
    duplicate: bool


def content_hash(text: str) -> str:
    """The same post, whatever its spacing and case, hashes the same."""
    normal = " ".join(text.lower().split())
    return hashlib.sha256(normal.encode()).hexdigest()


async def receive_signal(
    core: Core,
    user_id: int,
    external_id: str,
    title: str,
    text: str,
    spec: SignalSpec,
    post_id: int | None = None,
) -> Received:
    """Record a signal from a source (`post_id`: the channel's message id of its post, where known); a signal
    seen before (same source, same content) comes back as duplicate."""
    check_signal(spec)
    digest = content_hash(text)
    now = core.clock.now()
    async with core.uow() as uow:
        source = await uow.signals.source(user_id, external_id, title, now)
        seen = await uow.signals.find(source.id, digest)
        if seen is None:
            seen = await uow.signals.add(source.id, user_id, digest, text, spec, now, post_id)
            if seen is not None:
                await uow.commit()
                return Received(source, seen, duplicate=False)
            seen = await uow.signals.find(source.id, digest)
        await uow.commit()
    if seen is None:  # pragma: no cover - inserted and gone within one call
        raise NotFound("The signal could not be recorded; forward it again.")
    return Received(source, seen, duplicate=True)


async def find_signal(uow: UnitOfWork, user_id: int, signal_id: int) -> SignalRecord:
    """The user's signal; another user's is 'not found'."""
    sources = await uow.signals.for_user(user_id)
    found = next((s for _, signals in sources for s in signals if s.id == signal_id), None)
    if found is None:
        raise NotFound("That signal was not found.")
    return found


def check_open(signal: SignalRecord, also: SignalStatus = SignalStatus.PREVIEWED) -> None:
    """A signal still waiting to be followed or ignored (or in status `also`) passes."""
    if signal.status not in (SignalStatus.PREVIEWED, also):
        raise InvalidInput(f"That signal was {signal.status.value} already.")


async def open_signal(
    core: Core, user_id: int, signal_id: int, also: SignalStatus = SignalStatus.PREVIEWED
) -> SignalRecord:
    """The user's signal, still waiting to be followed or ignored (or in status `also`)."""
    async with core.uow(read_only=True) as uow:
        signal = await find_signal(uow, user_id, signal_id)
    check_open(signal, also)
    return signal


async def sources_of_channel(core: Core, external_id: str) -> Sequence[SignalSource]:
    async with core.uow() as uow:
        return await uow.signals.sources_for_external(external_id)


async def followers_of_channel(core: Core, external_id: str) -> list[tuple[int, int]]:
    """The users who follow the channel, each as (user id, Telegram id), where the user has a Telegram id."""
    async with core.uow(read_only=True) as uow:
        sources = await uow.signals.sources_for_external(external_id)
        users = [await uow.users.get(source.user_id) for source in sources]
    return [
        (user.id, user.telegram_id) for user in users if user is not None and user.telegram_id is not None
    ]


async def link_channel(core: Core, user_id: int, external_id: str, title: str) -> SignalSource:
    """The channel becomes one of the user's sources (it is one already where the user forwarded a post of
    it): its posts are read for the user from now on."""
    async with core.uow() as uow:
        source = await uow.signals.source(user_id, external_id, title, core.clock.now())
        await uow.commit()
    return source


async def signal_of_post(
    core: Core, user_id: int, external_id: str, title: str, post_id: int
) -> tuple[SignalSource, SignalRecord | None]:
    """The user's source for the channel, and its signal read from the channel's message `post_id` (None
    where that post was never read as a signal)."""
    async with core.uow() as uow:
        source = await uow.signals.source(user_id, external_id, title, core.clock.now())
        signal = await uow.signals.for_post(source.id, post_id)
        await uow.commit()
    return source, signal


async def revise_signal(
    core: Core, user_id: int, signal_id: int, text: str, spec: SignalSpec
) -> SignalRecord | None:
    """A signal not yet followed, as its post now reads after an edit; None where it was followed or ignored
    meanwhile, or where the source sent that content before (it is then that other signal)."""
    check_signal(spec)
    async with core.uow() as uow:
        revised = await uow.signals.revise(user_id, signal_id, content_hash(text), text, spec)
        await uow.commit()
    return revised


async def mark_signal(core: Core, user_id: int, signal_id: int, status: SignalStatus) -> None:
    async with core.uow() as uow:
        if not await uow.signals.set_status(user_id, signal_id, status):
            raise NotFound("That signal was not found.")
        await uow.commit()


async def set_auto_follow(
    core: Core, user_id: int, source_id: int, auto_follow: bool, move_stop_to_entry: bool | None = None
) -> SignalSource:
    """`move_stop_to_entry`: whether the plans it follows automatically move the stop to the entry after the
    first target; None keeps the source's choice."""
    async with core.uow() as uow:
        source = await uow.signals.set_auto_follow(user_id, source_id, auto_follow, move_stop_to_entry)
        if source is None:
            raise NotFound("That signal source was not found.")
        await uow.commit()
    return source


async def signal_source(core: Core, user_id: int, source_id: int) -> SignalSource:
    async with core.uow(read_only=True) as uow:
        source = await uow.signals.source_by_id(source_id)
    if source is None or source.user_id != user_id:
        raise NotFound(f"You have no signal source #{source_id}: /sources lists yours.")
    return source


async def set_source_settings(
    core: Core, user_id: int, source_id: int, settings: SourceSettings
) -> SignalSource:
    """Where the source's signals trade and what its plans risk. InvalidInput, writing nothing, for a risk out
    of range; NotFound for a source that is not the user's."""
    if settings.risk_percent is not None:
        check_risk_percent(settings.risk_percent)
    async with core.uow() as uow:
        source = await uow.signals.set_settings(user_id, source_id, settings)
        if source is None:
            raise NotFound(f"You have no signal source #{source_id}: /sources lists yours.")
        await uow.commit()
    return source


async def source_stats(core: Core, user_id: int) -> Sequence[SourceStats]:
    async with core.uow() as uow:
        rows = await uow.signals.for_user(user_id)
    stats = []
    for source, signals in rows:
        stats.append(
            SourceStats(
                source=source,
                signals=len(signals),
                followed=sum(s.status is SignalStatus.FOLLOWED for s in signals),
                wins=sum(s.outcome == "win" for s in signals),
                losses=sum(s.outcome == "loss" for s in signals),
                pnl=sum((s.pnl or ZERO for s in signals), Decimal(0)),
            )
        )
    return stats


async def ignore_plan(core: Core, user_id: int, group_id: str, signal_id: int) -> None:
    """Drop a plan's drafts unconfirmed and mark its signal ignored."""
    async with core.uow() as uow:
        for draft in await uow.drafts.in_group(group_id):
            if draft.user_id == user_id:
                await uow.drafts.cancel(draft.id, user_id)
        if not await uow.signals.set_status(user_id, signal_id, SignalStatus.IGNORED, SignalStatus.PREVIEWED):
            raise DraftAlreadyUsed(
                "That signal was followed or ignored already: ignoring it now changes nothing."
            )
        await uow.commit()


async def auto_follow_source_of(core: Core, user_id: int, signal_id: int, group_id: str) -> SignalSource:
    """Follow every later signal of the source this signal came from without asking, as this one was followed
    (its plan `group_id`): with the stop moved to the entry after the first target, or not."""
    async with core.uow(read_only=True) as uow:
        drafts = await uow.drafts.in_group(group_id)
    break_even = any(d.move_stop_to_entry for d in drafts if d.user_id == user_id)
    for source, signals in await _sources(core, user_id):
        if any(s.id == signal_id for s in signals):
            return await set_auto_follow(core, user_id, source.id, True, break_even)
    raise NotFound("That signal was not found.")


async def _sources(core: Core, user_id: int) -> Sequence[tuple[SignalSource, Sequence[SignalRecord]]]:
    async with core.uow() as uow:
        return await uow.signals.for_user(user_id)


async def telegram_id_of(core: Core, user_id: int) -> int | None:
    async with core.uow() as uow:
        user = await uow.users.get(user_id)
    return user.telegram_id if user else None


async def set_stop_to_entry(core: Core, user_id: int, group_id: str, on: bool) -> None:
    """Break-even after the first target, chosen on a plan before it is followed."""
    async with core.uow() as uow:
        if not await uow.signals.set_stop_to_entry(user_id, group_id, on):
            raise NotFound("This plan was already followed, ignored or has expired.")
        await uow.commit()


def plan_pnl(orders: Sequence[Order], fills: Sequence[Fill], quote: str) -> Decimal | None:
    """Net realised P&L of a plan: each entry against what its own legs sold, so that it is the sum of what
    the target and stop notifications said. None when no leg sold anything (there is nothing to judge)."""
    by_order: dict[int, list[Fill]] = {}
    for fill in fills:
        by_order.setdefault(fill.order_id, []).append(fill)
    total, judged = ZERO, False
    for entry in (o for o in orders if o.role is OrderRole.ENTRY):
        exits = [f for leg in orders if leg.parent_id == entry.id for f in by_order.get(leg.id, [])]
        if exits:
            judged = True
            total += closing_pnl(entry.side, by_order.get(entry.id, []), exits, quote)
    return total if judged else None


async def close_settled_signals(core: Core) -> None:
    """Record the outcome and P&L of every followed signal whose plan is over, each once (a compare-and-set on
    its closing time, so a restarted or second tracker never records it twice). Telling the user follows
    from the record (see reporting).

    A plan that never sold anything through its legs (nothing filled, or no stop and no targets to track, or a
    position closed by hand) closes without an outcome: there is no result of the signal's to count."""
    async with core.uow(read_only=True) as uow:
        settled = await uow.signals.settled_plans()
    for signal in settled:
        assert signal.group_id is not None
        async with core.uow() as uow:
            orders = await uow.signals.plan_orders(signal.group_id)
            _, quote = parse_symbol(orders[0].symbol) if orders else ("", "")
            pnl = plan_pnl(orders, await uow.signals.plan_fills(signal.group_id), quote)
            outcome = outcome_of(pnl) if pnl is not None else None
            if await uow.signals.close(signal.id, outcome, pnl, core.clock.now()):
                await after_signal_closed(core, uow, signal, outcome)  # a source's losing streak
                await uow.commit()


async def followed_signal(
    core: Core, user_id: int, channel: str, symbol: str | None
) -> tuple[SignalSource, SignalRecord] | None:
    """The latest signal of `channel` the trader followed and that is not closed, on `symbol` (any, where
    None), and its source: what a follow-up from that channel (close now, move the stop) is about."""
    async with core.uow(read_only=True) as uow:
        sources = await uow.signals.for_user(user_id)
    followed = [
        (source, signal)
        for source, signals in sources
        if source.external_id == channel
        for signal in signals
        if signal.status is SignalStatus.FOLLOWED
        and signal.closed_at is None
        and (symbol is None or signal.spec.symbol == symbol)
    ]
    return max(followed, key=lambda found: found[1].id, default=None)
