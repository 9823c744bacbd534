"""Without Redis, one `tsbot run` per database.

Without REDIS_URL, a `tsbot run` keeps chat state, throttling and the scheduler's lead in its own memory:
a second one on the same database would split conversations between them (half of an API key's set-up in
each), and both would lead the scheduler, each firing the same alerts and reports. So before it registers,
`tsbot run` looks for another that beats (storage.liveness). One that has just crashed still looks alive
for up to SILENT_AT_MOST after its last beat: that wait is sat out, so a restart after a crash starts by
itself; one that beats again meanwhile is running, and the new process refuses to start.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from storage.liveness import ProcessLiveness
from trading.ports import Clock
from trading.usecases.tracking import SILENT_AT_MOST

log = logging.getLogger(__name__)

LOOK_EVERY_SECONDS = 1.0


async def _look_again_later() -> None:
    await asyncio.sleep(LOOK_EVERY_SECONDS)


class AnotherRun(Exception):
    """Another `tsbot run` serves this database, and no Redis lets the two share their work."""


async def wait_until_sole_run(
    liveness: ProcessLiveness, clock: Clock, pause: Callable[[], Awaitable[None]] = _look_again_later
) -> None:
    """Returns once no other `tsbot run` beats; raises AnotherRun if one beats while this waits. `pause`: what
    passes between two looks (a second's sleep; a test steps its clock instead)."""
    seen = dict(await liveness.others_beating("run", clock.now() - SILENT_AT_MOST))
    if not seen:
        return
    log.warning(
        "another tsbot run beat %ds ago: waiting up to %ds to see whether it has stopped",
        _seconds_since(max(seen.values()), clock),
        SILENT_AT_MOST.total_seconds(),
    )
    while seen:
        await pause()
        beating = dict(await liveness.others_beating("run", clock.now() - SILENT_AT_MOST))
        if any(beat > seen.get(process, beat) for process, beat in beating.items()) or beating.keys() - seen:
            raise AnotherRun(
                "another `tsbot run` is serving this database (it beat "
                f"{_seconds_since(max(beating.values()), clock)}s ago). Without REDIS_URL only one may run: stop "
                "it first, or set REDIS_URL so that several share their chat state and take turns to lead."
            )
        seen = beating


def _seconds_since(moment: datetime, clock: Clock) -> int:
    return max(0, round((clock.now() - moment).total_seconds()))
