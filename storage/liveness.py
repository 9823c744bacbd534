"""Which serving processes are alive, so that an order a dead one left in flight is looked up at once.

Every order is written SUBMITTED before its exchange is called. If the process dies before the answer is
booked, the order must be asked about by client order id; but while its process lives it may still be in
flight (create_order retries for up to about 90 s), and asking too early could mark as never sent an order
that is about to arrive. Without knowing who sends what, the only safe rule is to wait out the longest
flight (trading.usecases.tracking.IN_FLIGHT_AT_MOST, five minutes), which leaves the trader of an order
caught by a crash without its outcome, and a filled buy without its stop, for that long after a restart.

So each serving process registers a row in `processes` and beats it every few seconds; the orders it makes
SUBMITTED carry its id (orders.placed_by, written by the order repository). An order whose process has gone
silent, or whose row is gone, has nobody sending it, and the tracker looks it up at its next pass. Beats are
stamped with each process's own clock, so processes on several machines need their clocks in step (NTP keeps
them within milliseconds; the margin is seconds).
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Executable, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import ProcessRow, table_of
from storage.transaction import Transaction
from trading.ports import Clock

log = logging.getLogger(__name__)

BEAT_EVERY = timedelta(seconds=5)
# A process silent for a day is long dead: its row goes when another process registers.
FORGOTTEN_AFTER = timedelta(days=1)

_PROCESSES = table_of(ProcessRow)
_MINE = _PROCESSES.c.id == bindparam("process_id")
_REGISTER = insert(_PROCESSES)
_BEAT = update(_PROCESSES).where(_MINE).values(beat_at=bindparam("now"))
_FORGET = delete(_PROCESSES).where(_MINE)
_FORGET_LONG_SILENT = delete(_PROCESSES).where(_PROCESSES.c.beat_at < bindparam("silent_since"))
_BEATING = select(_PROCESSES.c.id, _PROCESSES.c.beat_at).where(
    _PROCESSES.c.kind == bindparam("kind"),
    _PROCESSES.c.beat_at >= bindparam("since"),
    _PROCESSES.c.id != bindparam("process_id"),
)

# What a process serves: `tsbot run` (the bot, and the scheduler's lead when alone), `tsbot web` or `tsbot worker`.
ProcessKind = Literal["run", "web", "worker"]


class ProcessLiveness:
    """This process's row in `processes`. `placer` is its id once registered (what its orders carry), None
    before and after: the orders of a process that does not beat wait out the longest flight."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._id = secrets.token_hex(8)
        self._kind: ProcessKind = "run"
        self.placer: str | None = None

    async def register(self, kind: ProcessKind) -> None:
        now = self._clock.now()
        self._kind = kind
        await self._write(_FORGET_LONG_SILENT, {"silent_since": now - FORGOTTEN_AFTER})
        await self._write(_REGISTER, {"id": self._id, "kind": kind, "started_at": now, "beat_at": now})
        self.placer = self._id

    async def others_beating(self, kind: ProcessKind, since: datetime) -> Sequence[tuple[str, datetime]]:
        """The other processes of this kind that beat at `since` or later, with their last beat."""
        transaction = Transaction(self._engine)
        try:
            params = {"kind": kind, "since": since, "process_id": self._id}
            return [(row.id, row.beat_at) for row in await transaction.execute(_BEATING, params)]
        finally:
            await transaction.close()

    async def beat(self) -> None:
        """Say this process is alive; registered again if its row went (silent for a day: a machine that
        slept)."""
        if not await self._write(_BEAT, {"process_id": self._id, "now": self._clock.now()}):
            await self.register(self._kind)

    async def forget(self) -> None:
        """A process stopping: whatever it leaves SUBMITTED is looked up by the others at once."""
        self.placer = None
        await self._write(_FORGET, {"process_id": self._id})

    @contextlib.asynccontextmanager
    async def alive(self, kind: ProcessKind) -> AsyncIterator[None]:
        """Registered, and beating in the background, for the life of the block; forgotten once it ends (so
        only once what the process was placing has been booked or left)."""
        await self.register(kind)
        stop = asyncio.Event()
        beating = asyncio.create_task(self._beat_until(stop))
        try:
            yield
        finally:
            stop.set()
            await beating
            await self.forget()

    async def _beat_until(self, stop: asyncio.Event) -> None:
        """A beat that fails (the database away) is tried again at the next."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BEAT_EVERY.total_seconds())
            if stop.is_set():
                return
            try:
                await self.beat()
            except Exception:  # the loop must outlive a database outage; the cause goes to the log
                log.exception("could not beat process %s", self._id)

    async def _write(self, statement: Executable, params: dict[str, object]) -> bool:
        """Runs one statement in a transaction of its own; whether it touched a row."""
        transaction = Transaction(self._engine)
        try:
            result = await transaction.execute(statement, params)
            await transaction.commit()
        finally:
            await transaction.close()
        return bool(result.rowcount)
