"""A signal's way through the core, whichever door it comes in by (the chat, the web app): a post received, and a
plan followed.

Following confirms the plan's entries and marks the signal followed in one transaction, committed before any
entry is sent (an order is written before its exchange is called). So a signal whose orders exist is never
planned again, even if the process dies before the exchange answers. Where the exchange then refuses every
entry, nothing was placed and the signal goes back to waiting (previewed), to be planned again: a signal is
followed only when at least one entry was placed, or may have been (sent with no answer).
"""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.orders import Order, OrderDraft
from trading.domain.signal_records import SignalRecord, SignalSource, SignalStatus
from trading.domain.signals import SignalSpec, SpecChange, break_even_applies, spec_changes
from trading.usecases.core import Core
from trading.usecases.follow_pauses import following_paused
from trading.usecases.follow_ups import draft_plan_stop_moves
from trading.usecases.signal_plans import PlanDraft, PlanResult, claim_plan, draft_signal_plan, place_plan
from trading.usecases.signals import (
    check_open,
    find_signal,
    ignore_plan,
    receive_signal,
    revise_signal,
    signal_of_post,
)


@dataclass(frozen=True, slots=True)
class Followed:
    """What following a signal placed, what the exchange refused and what it did not answer for."""

    signal_id: int
    result: PlanResult

    @property
    def followed(self) -> bool:
        """Whether the signal is now marked followed: something was placed, or may have been, or armed."""
        return bool(self.result.orders or self.result.unconfirmed or self.result.armed)


@dataclass(frozen=True, slots=True)
class NotASignal:
    """A post that opens no trade (a target-hit report, results, commentary): nothing recorded or traded."""


@dataclass(frozen=True, slots=True)
class AlreadySeen:
    """The same post from the same source, followed or ignored before: not planned twice."""

    signal: SignalRecord


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan waiting for the trader's Follow; `again`: the signal was seen before and never followed, and this
    plan replaces the one it had; `held_back`: why a source followed automatically was not followed at once (a
    doubtful reading, or a plan that looks stale or misread)."""

    signal: SignalRecord
    plan: PlanDraft
    again: bool
    held_back: str | None = None


@dataclass(frozen=True, slots=True)
class AutoFollowed:
    """Planned and followed at once: the trader follows its source automatically."""

    signal: SignalRecord
    plan: PlanDraft
    followed: Followed


PostReceived = NotASignal | AlreadySeen | Planned | AutoFollowed


async def receive_post(
    core: Core,
    user_id: int,
    channel: str,
    title: str,
    text: str,
    spec: SignalSpec | None,
    amount: Decimal,
    reading_doubt: str | None = None,
    post_id: int | None = None,
) -> PostReceived:
    """A post of `channel` (titled `title`; `post_id`: the channel's message id, where known), read as `spec`
    (None: it opens no trade), for a user who follows signals with `amount` (quote currency). Recorded once per
    source and content; planned, or planned again where seen before and never followed; followed at once where
    the user follows its source automatically (with the stop to the entry after target 1, where the user chose
    that for the source), unless the reading is in doubt (`reading_doubt`, the reader's words) or the plan is
    (stale or misread against the market)."""
    if spec is None:
        return NotASignal()
    received = await receive_signal(core, user_id, channel, title, text, spec, post_id)
    signal, source = received.signal, received.source
    if received.duplicate and signal.status is not SignalStatus.PREVIEWED:
        return AlreadySeen(signal)
    return await _plan(core, source, signal, spec, amount, reading_doubt, again=received.duplicate)


async def _plan(
    core: Core,
    source: SignalSource,
    signal: SignalRecord,
    spec: SignalSpec,
    amount: Decimal,
    reading_doubt: str | None,
    again: bool,
) -> Planned | AutoFollowed:
    user_id = signal.user_id
    plan = await draft_signal_plan(
        core,
        user_id,
        spec,
        amount,
        move_stop_to_entry=source.auto_follow and source.move_stop_to_entry and break_even_applies(spec),
        signal_id=signal.id,
        source=source,
    )
    if not source.auto_follow:
        return Planned(signal, plan, again=again)
    paused = await following_paused(core, user_id, source.id)  # previewed while paused, never dropped
    held_back = "; ".join(filter(None, (paused, reading_doubt, *plan.plan.doubts)))
    if held_back:
        return Planned(signal, plan, again=again, held_back=held_back)
    return AutoFollowed(signal, plan, await follow_signal(core, user_id, signal.id, plan.group_id))


@dataclass(frozen=True, slots=True)
class Revised:
    """An edit of a post read before as `signal` (as it then read): what it changed (nothing tradable:
    `changes` empty), and what became of it. Not yet followed: planned again (`received`), the new plan
    replacing the old. Followed or ignored: nothing is traded; a changed stop comes with the moves of the
    position's stops to confirm (`stop_moves`), or why it cannot be moved (`refused`)."""

    signal: SignalRecord
    changes: tuple[SpecChange, ...]
    received: Planned | AutoFollowed | None = None
    stop_moves: tuple[tuple[OrderDraft, Order], ...] = ()
    refused: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NoLongerASignal:
    """An edit of a post read before as `signal` that now opens no trade; `withdrawn`: its plan, not yet
    followed, was withdrawn (the signal ignored), so that its Follow places nothing."""

    signal: SignalRecord
    withdrawn: bool


PostEdited = PostReceived | Revised | NoLongerASignal


async def revise_post(
    core: Core,
    user_id: int,
    channel: str,
    title: str,
    post_id: int,
    text: str,
    spec: SignalSpec | None,
    amount: Decimal,
    reading_doubt: str | None = None,
) -> PostEdited:
    """The channel's post `post_id` edited, now reading `text` as `spec`. A post never read as a signal is
    read as a new post. A signal not yet followed is planned again as the post now reads; one followed or
    ignored is left as it is and nothing is traded."""
    source, seen = await signal_of_post(core, user_id, channel, title, post_id)
    if seen is None:
        return await receive_post(core, user_id, channel, title, text, spec, amount, reading_doubt, post_id)
    if spec is None:
        return await _unsignalled(core, seen)
    changes = spec_changes(seen.spec, spec)
    if not changes:
        return Revised(seen, ())
    if seen.status is not SignalStatus.PREVIEWED:
        return await _followed_changed(core, seen, spec, changes)
    revised = await revise_signal(core, user_id, seen.id, text, spec)
    if revised is None:  # followed or ignored meanwhile, or the same as another signal of the source
        return Revised(seen, changes)
    return Revised(seen, changes, await _plan(core, source, revised, spec, amount, reading_doubt, again=True))


async def _unsignalled(core: Core, seen: SignalRecord) -> NoLongerASignal:
    if seen.status is not SignalStatus.PREVIEWED or seen.group_id is None:
        return NoLongerASignal(seen, withdrawn=False)
    try:
        await ignore_plan(core, seen.user_id, seen.group_id, seen.id)
    except DraftAlreadyUsed:  # followed or ignored meanwhile
        return NoLongerASignal(seen, withdrawn=False)
    return NoLongerASignal(seen, withdrawn=True)


async def _followed_changed(
    core: Core, seen: SignalRecord, spec: SignalSpec, changes: tuple[SpecChange, ...]
) -> Revised:
    """A signal followed (or ignored) whose post changed: where it was followed and its stop changed, the
    moves of the stops guarding its position to the new stop, each to confirm."""
    if (
        seen.status is not SignalStatus.FOLLOWED
        or spec.stop_loss is None
        or spec.stop_loss == seen.spec.stop_loss
    ):
        return Revised(seen, changes)
    moves, refused = await draft_plan_stop_moves(core, seen, spec.stop_loss)
    return Revised(seen, changes, stop_moves=moves, refused=refused)


async def follow_signal(core: Core, user_id: int, signal_id: int, group_id: str | None = None) -> Followed:
    """Follow a signal through its plan: `group_id`, the plan a Follow button was shown for, or the signal's
    own. Every entry is placed once, even under repeated or concurrent calls (compare-and-set on each draft).
    A signal followed or ignored already, a plan expired, used or replaced by a newer one, is refused."""
    async with core.uow() as uow:
        signal = await find_signal(uow, user_id, signal_id)
        claimed = await claim_plan(uow, user_id, _plan_of(signal, group_id), core.clock.now())
        await uow.signals.set_status(user_id, signal.id, SignalStatus.FOLLOWED)
        await uow.commit()
    followed = Followed(signal.id, await place_plan(core, claimed))
    if followed.followed:
        await core.followed_plans.followed(signal)
    else:
        async with core.uow() as uow:
            await uow.signals.set_status(user_id, signal.id, SignalStatus.PREVIEWED)
            await uow.commit()
    return followed


def _plan_of(signal: SignalRecord, group_id: str | None) -> str:
    """The plan to follow the signal by, where it still waits to be followed."""
    if group_id is not None and group_id != signal.group_id:
        # Its drafts were cancelled when the newer plan was made; a button of the older one must not follow.
        raise DraftAlreadyUsed("This plan was cancelled: a newer plan of the signal replaced it.")
    check_open(signal)
    if signal.group_id is None:
        raise InvalidInput("Preview a plan for this signal first, for an amount to follow it with.")
    return signal.group_id
