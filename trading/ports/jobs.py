"""Work that outlives a request: a job queue. In process by default (trading.jobs.local); SAQ on Redis, with
`tsbot worker` processes, where REDIS_URL is set (storage.saq_jobs)."""

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

# What a job takes and gives back: plain JSON, as a queue on Redis stores it.
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
JobKwargs = Mapping[str, JsonValue]


class JobState(enum.StrEnum):
    QUEUED = "queued"  # waiting for its time or for a worker
    ACTIVE = "active"
    COMPLETE = "complete"
    FAILED = "failed"  # every attempt failed
    ABORTED = "aborted"  # cancelled


@dataclass(frozen=True, slots=True)
class Retry:
    """How a failed job is tried again: up to `attempts` in all, the n-th retry after `delay` * 2**(n-1) (with
    jitter), never more than `max_delay`; `timeout` bounds one attempt."""

    attempts: int = 3
    delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)
    timeout: timedelta = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class JobStatus:
    key: str
    function: str
    state: JobState
    attempts: int
    progress: float
    result: JsonValue = None
    error: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """The operator's view: how many wait, run and wait for their time, and the workers' counts."""

    name: str
    queued: int
    active: int
    scheduled: int
    workers: int
    complete: int
    failed: int
    retried: int
    jobs: tuple[JobStatus, ...] = ()


class JobRun(Protocol):
    """What a running job knows of itself."""

    @property
    def key(self) -> str: ...

    @property
    def attempt(self) -> int:
        """1 on the first attempt."""
        ...

    async def progress(self, fraction: float) -> None:
        """Report how far along it is, 0.0 to 1.0 (also a heartbeat: a job that reports is not stuck)."""
        ...


# A job: called as `function(run, **kwargs)`; what it returns (JSON) is kept as its result.
JobFunction = Callable[..., Awaitable[JsonValue]]


@dataclass(frozen=True, slots=True)
class Periodic:
    """A job enqueued on its own every `every` (on the minute or second boundary), under the unique key
    `cron:<function>`, so that many workers enqueue it once."""

    function: str
    every: timedelta


class JobQueue(Protocol):
    async def enqueue(
        self,
        function: str,
        key: str,
        kwargs: JobKwargs | None = None,
        *,
        at: datetime | None = None,
        retry: Retry | None = None,
    ) -> bool:
        """Queue a job under a unique key, to run at `at` (now where None). False, and nothing queued, while a
        job with this key waits or runs: the same work is never queued twice. `retry`: Retry() where None."""
        ...

    async def cancel(self, key: str) -> bool:
        """Abort a waiting or running job; False when there was none."""
        ...

    async def status(self, key: str) -> JobStatus | None:
        """A job's state while it waits or runs and for a while after (its result, or its error)."""
        ...

    async def queue_status(self, jobs: int = 10) -> QueueStatus:
        """Counts and up to `jobs` of the waiting and running jobs."""
        ...
