"""The jobs, by name, and the queue they run on: inside the process without REDIS_URL, SAQ on Redis with it.

Every process that enqueues builds the same table, so a job enqueued by `tsbot run` runs the same in any
`tsbot worker`."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from trading.jobs.local import LocalJobQueue
from trading.ports import Clock
from trading.ports.jobs import JobFunction, JobQueue, JobRun, JsonValue, Periodic
from trading.usecases.core import Core
from trading.usecases.notices import NoticeDelivery

# The safety nets: what a lost enqueue (a crash just after a commit) or an outage left is picked up by these.
PERIODIC = (Periodic("deliver_notices", timedelta(seconds=10)),)
NOOP = "noop"


@dataclass(frozen=True, slots=True)
class JobServices:
    core: Core
    queue: JobQueue
    notices: NoticeDelivery | None = None  # None in a process that cannot tell users anything


async def noop(run: JobRun) -> JsonValue:
    """Nothing: what the benchmark measures the queue's own cost with."""
    return None


def job_functions(services: JobServices) -> Mapping[str, JobFunction]:
    async def deliver_notices(run: JobRun) -> JsonValue:
        if services.notices is None:
            return 0
        return await services.notices.deliver()

    return {NOOP: noop, "deliver_notices": deliver_notices}


def local_queue(clock: Clock, concurrency: int) -> LocalJobQueue:
    """The queue inside `tsbot run`; its functions are added once the services that need it are built."""
    return LocalJobQueue(clock, {}, PERIODIC, concurrency=concurrency)
