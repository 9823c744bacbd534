"""Automatic following paused and resumed: by the trader ("pause auto follow"), or by a protection (a drawdown,
stop-outs, a source's losing streak; trading.usecases.protection_checks). While a pause covers a source, its
posts are previewed to the trader instead of followed, never dropped. Each pause is told when it starts, and a
cooldown when it ends."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trading.domain.channels import EventKind
from trading.domain.protections import FollowPause, PauseKind
from trading.ports import UnitOfWork
from trading.usecases.core import Core
from trading.usecases.notices import add_notices

PAUSED_BY_YOU = "you paused it"
# Cooldowns over, told per pass of the sweep (a backlog after an outage goes over the next passes).
COOLDOWNS_PER_PASS = 100
COOLDOWNS_JOB = "protections_due"


@dataclass(frozen=True, slots=True)
class FollowingState:
    """The pauses in force on the user's automatic following, with the titles of the sources they name."""

    pauses: tuple[FollowPause, ...]
    titles: dict[int, str]

    @property
    def paused(self) -> bool:
        """Whether every source is paused (rather than some)."""
        return any(pause.source_id is None for pause in self.pauses)


def when_text(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def pause_text(pause: FollowPause, title: str | None = None) -> str:
    """The pause in the trader's words: "automatic following is paused until …: why"."""
    whose = "" if pause.source_id is None else f" of {title or 'this source'}"
    until = "" if pause.until is None else f" until {when_text(pause.until)}"
    return f"automatic following{whose} is paused{until}: {pause.reason}"


def started_text(pause: FollowPause, title: str | None = None) -> str:
    what = pause_text(pause, title)
    ends = (
        "Say 'resume auto follow' when you want it back."
        if pause.until is None
        else "It resumes on its own then (or say 'resume auto follow')."
    )
    whose = "the sources you follow automatically" if pause.source_id is None else title or "this source"
    return (
        f"⏸ {what[0].upper()}{what[1:]}. Signals of {whose} are shown to you to follow or not, never "
        f"followed on their own. {ends}"
    )


def ended_text(pause: FollowPause) -> str:
    return f"▶️ Automatic following resumes: the cooldown ({pause.reason}) is over."


async def following_state(core: Core, user_id: int) -> FollowingState:
    async with core.uow(read_only=True) as uow:
        return await _state(uow, user_id, core.clock.now())


async def _state(uow: UnitOfWork, user_id: int, now: datetime) -> FollowingState:
    pauses = tuple(p for p in await uow.protections.pauses(user_id) if p.active(now))
    titles: dict[int, str] = {}
    for pause in pauses:
        if pause.source_id is not None:
            source = await uow.signals.source_by_id(pause.source_id)
            titles[pause.source_id] = source.title if source is not None else "a source"
    return FollowingState(pauses, titles)


async def following_paused(core: Core, user_id: int, source_id: int) -> str | None:
    """Why automatic following of the source is paused ("automatic following is paused: …"); None where it
    is not."""
    state = await following_state(core, user_id)
    pause = next((p for p in state.pauses if p.covers(source_id)), None)
    return None if pause is None else pause_text(pause, state.titles.get(source_id))


async def start_pause(uow: UnitOfWork, pause: FollowPause, title: str | None = None) -> FollowPause | None:
    """Write the pause and the notice that tells it, in the caller's unit of work; None, and nothing told,
    where one of its kind (and source) is in force already."""
    added = await uow.protections.add_pause(pause)
    if added is not None:
        await add_notices(
            uow, [(pause.user_id, started_text(added, title))], pause.started_at, EventKind.ORDERS
        )
    return added


async def pause_following(core: Core, user_id: int) -> FollowingState:
    """The trader pauses automatic following of every source, until resumed."""
    now = core.clock.now()
    async with core.uow() as uow:
        await uow.protections.add_pause(FollowPause(0, user_id, PauseKind.MANUAL, PAUSED_BY_YOU, now))
        state = await _state(uow, user_id, now)
        await uow.commit()
    return state


async def resume_following(core: Core, user_id: int) -> Sequence[FollowPause]:
    """Every pause on the user's automatic following lifted, whoever put it there; those that were in force."""
    now = core.clock.now()
    async with core.uow() as uow:
        lifted = [p for p in await uow.protections.pauses(user_id) if await uow.protections.lift(p.id, now)]
        await uow.commit()
    return [pause for pause in lifted if pause.active(now)]


async def finish_cooldowns(core: Core, limit: int = COOLDOWNS_PER_PASS) -> int:
    """Lift the cooldowns whose end has come and tell each trader, the lift and its notice in one transaction
    (a compare-and-set: told once however many sweeps reach it); how many."""
    now = core.clock.now()
    async with core.uow(read_only=True) as uow:
        over = await uow.protections.cooldowns_over(now, limit)
    finished = 0
    for pause in over:
        async with core.uow() as uow:
            if not await uow.protections.lift(pause.id, now):
                continue  # resumed by the trader, or told by another sweep
            await add_notices(uow, [(pause.user_id, ended_text(pause))], now, EventKind.ORDERS)
            await uow.commit()
        finished += 1
    return finished


def lifted_since(last: FollowPause | None, since: datetime) -> datetime:
    """Where a protection starts counting again: the window's start, or, if later, when its last pause was
    lifted (or began, while it holds), so that what set it off does not set it off again."""
    if last is None:
        return since
    return max(since, last.ended_at or last.started_at)
