"""The job queue inside `tsbot run`, with nothing to install: the same promises as SAQ's on Redis (unique keys,
a due time, retries with back-off, a timeout per attempt, progress and results, periodic jobs), held in the
process's memory and timed by the core's clock, so a test moves time and runs what is due.

What it holds is lost with the process; what must outlive a crash is the database's: a plan's next due time,
an unsent notice. The periodic jobs read those again on every run."""

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from trading.ports.jobs import (
    JobFunction,
    JobKwargs,
    JobState,
    JobStatus,
    JsonValue,
    Periodic,
    QueueStatus,
    Retry,
)
from trading.ports.outside import Clock

log = logging.getLogger(__name__)

WAITING = frozenset({JobState.QUEUED, JobState.ACTIVE})


@dataclass(frozen=True, slots=True)
class _Job:
    key: str
    function: str
    kwargs: JobKwargs
    due_at: datetime
    retry: Retry
    state: JobState = JobState.QUEUED
    attempts: int = 0
    progress: float = 0.0
    result: JsonValue = None
    error: str | None = None

    def status(self) -> JobStatus:
        return JobStatus(
            self.key,
            self.function,
            self.state,
            self.attempts,
            self.progress,
            self.result,
            self.error,
            self.due_at,
        )


class _Run:
    def __init__(self, queue: "LocalJobQueue", key: str, attempt: int) -> None:
        self._queue = queue
        self._key = key
        self._attempt = attempt

    @property
    def key(self) -> str:
        return self._key

    @property
    def attempt(self) -> int:
        return self._attempt

    async def progress(self, fraction: float) -> None:
        self._queue.set_progress(self._key, fraction)


def next_boundary(now: datetime, every: timedelta) -> datetime:
    """The first multiple of `every` since the epoch after `now`: the minute's or the ten seconds' turn."""
    step = every.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // step + 1) * step, UTC)


def backoff(retry: Retry, attempts: int, jitter: float) -> timedelta:
    """The wait before the next attempt after `attempts` failed ones: doubling from retry.delay, capped, times
    a jitter in [0, 1) so that jobs that failed together are not all tried again at one instant."""
    delay = min(retry.max_delay, retry.delay * (1 << max(attempts - 1, 0)))
    return delay * jitter


class LocalJobQueue:
    """`functions`: the jobs it can run by name; `periodic`: those it enqueues on its own."""

    name = "local"

    def __init__(
        self,
        clock: Clock,
        functions: Mapping[str, JobFunction],
        periodic: Sequence[Periodic] = (),
        *,
        concurrency: int = 10,
        kept: int = 1000,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._clock = clock
        self._functions = dict(functions)
        self._periodic = tuple(periodic)
        self._concurrency = concurrency
        self._kept = kept
        self._jitter = jitter
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self.complete = self.failed = self.retried = 0

    def add_functions(self, functions: Mapping[str, JobFunction]) -> None:
        self._functions.update(functions)

    async def enqueue(
        self,
        function: str,
        key: str,
        kwargs: JobKwargs | None = None,
        *,
        at: datetime | None = None,
        retry: Retry | None = None,
    ) -> bool:
        if function not in self._functions:
            raise ValueError(f"no job named {function!r}")
        held = self._jobs.get(key)
        if held is not None and held.state in WAITING:
            return False
        self._jobs.pop(key, None)
        due = at or self._clock.now()
        self._jobs[key] = _Job(key, function, dict(kwargs or {}), due, retry or Retry())
        self._forget_finished()
        self._wake.set()
        return True

    async def cancel(self, key: str) -> bool:
        job = self._jobs.get(key)
        if job is None or job.state not in WAITING:
            return False
        self._jobs[key] = replace(job, state=JobState.ABORTED, error="cancelled")
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return True

    async def status(self, key: str) -> JobStatus | None:
        job = self._jobs.get(key)
        return job.status() if job is not None else None

    async def queue_status(self, jobs: int = 10) -> QueueStatus:
        now = self._clock.now()
        waiting = [job for job in self._jobs.values() if job.state in WAITING]
        scheduled = sum(1 for job in waiting if job.state is JobState.QUEUED and job.due_at > now)
        active = len(self._tasks)
        return QueueStatus(
            self.name,
            queued=len(waiting) - scheduled - active,
            active=active,
            scheduled=scheduled,
            workers=1,
            complete=self.complete,
            failed=self.failed,
            retried=self.retried,
            jobs=tuple(job.status() for job in waiting[:jobs]),
        )

    def set_progress(self, key: str, fraction: float) -> None:
        job = self._jobs.get(key)
        if job is not None:
            self._jobs[key] = replace(job, progress=min(max(fraction, 0.0), 1.0))

    async def run_due(self) -> int:
        """Start what is due now and wait for those attempts to end; how many ran. Tests call this after moving
        the clock; `run` calls the same without waiting."""
        started = self._start_due()
        await asyncio.gather(*started, return_exceptions=True)
        return len(started)

    async def run(self, stop: asyncio.Event, tick: float = 0.2) -> None:
        """Until `stop`: enqueue the periodic jobs, start what is due, then wait for an enqueue, `tick` or `stop`
        (so that a process shutting down does not wait out a tick)."""
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                self._start_due()
                woken = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait((woken, stopped), timeout=tick, return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
        finally:
            stopped.cancel()
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def _start_due(self) -> list[asyncio.Task[None]]:
        now = self._clock.now()
        for periodic in self._periodic:
            key = f"cron:{periodic.function}"
            held = self._jobs.get(key)
            if held is None or held.state not in WAITING:
                self._jobs.pop(key, None)
                self._jobs[key] = _Job(
                    key, periodic.function, {}, next_boundary(now, periodic.every), Retry(attempts=1)
                )
        due = [
            job
            for job in self._jobs.values()
            if job.state is JobState.QUEUED and job.due_at <= now and job.key not in self._tasks
        ]
        started = []
        for job in due[: max(self._concurrency - len(self._tasks), 0)]:
            task = asyncio.create_task(self._attempt(job))
            self._tasks[job.key] = task
            started.append(task)
        return started

    async def _attempt(self, job: _Job) -> None:
        job = replace(job, state=JobState.ACTIVE, attempts=job.attempts + 1)
        self._jobs[job.key] = job
        run = _Run(self, job.key, job.attempts)
        try:
            result = await asyncio.wait_for(
                self._functions[job.function](run, **job.kwargs), job.retry.timeout.total_seconds()
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # whatever a job raises is its failure: tried again or kept as its error
            self._failed(job.key, f"{type(error).__name__}: {error}")
        else:
            self._finish(job.key, JobState.COMPLETE, result=result)
        finally:
            self._tasks.pop(job.key, None)

    def _failed(self, key: str, error: str) -> None:
        job = self._jobs[key]
        if job.attempts < job.retry.attempts:
            wait = backoff(job.retry, job.attempts, self._jitter())
            self._jobs[key] = replace(
                job, state=JobState.QUEUED, error=error, due_at=self._clock.now() + wait
            )
            self.retried += 1
            log.warning("job %s failed (attempt %d), tried again: %s", key, job.attempts, error)
        else:
            self._finish(key, JobState.FAILED, error=error)
            log.error("job %s failed for good after %d attempts: %s", key, job.attempts, error)

    def _finish(self, key: str, state: JobState, result: JsonValue = None, error: str | None = None) -> None:
        job = self._jobs[key]
        progress = 1.0 if state is JobState.COMPLETE else job.progress
        self._jobs[key] = replace(job, state=state, result=result, error=error, progress=progress)
        if state is JobState.COMPLETE:
            self.complete += 1
        else:
            self.failed += 1

    def _forget_finished(self) -> None:
        """Keep at most `kept` jobs: the oldest finished ones go first; a waiting one never does."""
        excess = len(self._jobs) - self._kept
        if excess <= 0:
            return
        for key in [k for k, job in self._jobs.items() if job.state not in WAITING][:excess]:
            del self._jobs[key]
