"""The job queue on Redis: SAQ. A job is stored under its key until it ends (and for `KEPT` after, with its
result or error); a worker that dies mid-job leaves it active, and another worker's sweep finds it past its
timeout and queues it again (a retry), so work outlives any one process. The work itself is written to be
done once per key (a plan's run is recorded under a unique constraint before its order is placed)."""

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from saq import CronJob, Job, Status
from saq.queue.redis import RedisQueue
from saq.types import PartialTimersDict

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

QUEUE_NAME = "tsbot"
# How long an ended job is kept, with its result or error, for the operator to look at.
KEPT = timedelta(days=1)
_STATES = {
    Status.NEW: JobState.QUEUED,
    Status.QUEUED: JobState.QUEUED,
    Status.ACTIVE: JobState.ACTIVE,
    Status.ABORTING: JobState.ACTIVE,  # until its worker stops it (or a sweep queues it again)
    Status.ABORTED: JobState.ABORTED,
    Status.FAILED: JobState.FAILED,
    Status.COMPLETE: JobState.COMPLETE,
}


def saq_queue(redis_url: str, name: str = QUEUE_NAME) -> RedisQueue:
    return RedisQueue.from_url(redis_url, name=name)


def timers(sweep_seconds: int) -> PartialTimersDict:
    """SAQ's timers (seconds), with how often a worker sweeps for the jobs of workers that died."""
    return {"schedule": 1, "worker_info": 10, "sweep": sweep_seconds, "abort": 1}


def _status(job: Job) -> JobStatus:
    due = datetime.fromtimestamp(job.scheduled, UTC) if job.scheduled else None
    return JobStatus(
        job.key, job.function, _STATES[job.status], job.attempts, job.progress, job.result, job.error, due
    )


class SaqRun:
    """The JobRun of a job a SAQ worker runs."""

    def __init__(self, job: Job) -> None:
        self._job = job

    @property
    def key(self) -> str:
        return self._job.key

    @property
    def attempt(self) -> int:
        return self._job.attempts

    async def progress(self, fraction: float) -> None:
        await self._job.update(progress=min(max(fraction, 0.0), 1.0))


def saq_function(name: str, function: JobFunction) -> tuple[str, Any]:
    """A job as SAQ calls it, `(ctx, **kwargs)`, by its name."""

    async def run(ctx: Mapping[str, Any], **kwargs: Any) -> JsonValue:
        return await function(SaqRun(ctx["job"]), **kwargs)

    run.__qualname__ = name
    return name, run


def cron_of(every: timedelta) -> str:
    """A Periodic's period as cron (seconds as croniter's sixth field): every 10 s, "* * * * * */10"."""
    seconds = int(every.total_seconds())
    if seconds % 60 == 0 and seconds < 3600:
        return f"*/{seconds // 60} * * * *" if seconds > 60 else "* * * * *"
    if seconds < 60 and 60 % seconds == 0:
        return f"* * * * * */{seconds}"
    raise ValueError(f"no cron for a period of {every}")


def cron_jobs(periodic: Sequence[Periodic], functions: Mapping[str, Any]) -> list[CronJob[Any]]:
    """`functions`: the SAQ functions by name. Unique: enqueued under `cron:<name>`, once however many
    workers schedule it."""
    return [
        CronJob(functions[p.function], cron=of, unique=True, timeout=60, retries=1)
        for p in periodic
        for of in (cron_of(p.every),)
    ]


class SaqJobQueue:
    def __init__(self, queue: RedisQueue) -> None:
        self.queue = queue

    @property
    def name(self) -> str:
        return self.queue.name

    async def enqueue(
        self,
        function: str,
        key: str,
        kwargs: JobKwargs | None = None,
        *,
        at: datetime | None = None,
        retry: Retry | None = None,
    ) -> bool:
        retry = retry or Retry()
        job = Job(
            function,
            kwargs=dict(kwargs or {}),
            key=key,
            timeout=math.ceil(retry.timeout.total_seconds()),
            retries=retry.attempts,
            retry_delay=retry.delay.total_seconds(),
            retry_backoff=retry.max_delay.total_seconds(),
            ttl=int(KEPT.total_seconds()),
            scheduled=math.ceil(at.timestamp()) if at is not None else 0,
        )
        return await self.queue.enqueue(job) is not None

    async def cancel(self, key: str) -> bool:
        job = await self.queue.job(key)
        if job is None or job.status not in (Status.NEW, Status.QUEUED, Status.ACTIVE):
            return False
        running = job.status is Status.ACTIVE
        await self.queue.abort(job, "cancelled")
        if not running:
            # One waiting for its time is in no worker's hands: nobody else would end its abort.
            waiting = await self.queue.job(key)
            if waiting is not None and waiting.status is Status.ABORTING:
                await self.queue.finish(waiting, Status.ABORTED, error="cancelled")
        return True

    async def status(self, key: str) -> JobStatus | None:
        job = await self.queue.job(key)
        return _status(job) if job is not None else None

    async def queue_status(self, jobs: int = 10) -> QueueStatus:
        info = await self.queue.info(jobs=jobs > 0, limit=jobs)
        stats = [worker["stats"] for worker in info["workers"].values() if worker.get("stats")]
        listed = tuple(
            _status(job)
            for job in (self.queue.deserialize(payload) for payload in info["jobs"])
            if job is not None
        )
        return QueueStatus(
            info["name"],
            queued=info["queued"],
            active=info["active"],
            scheduled=info["scheduled"],
            workers=len(info["workers"]),
            complete=sum(s["complete"] for s in stats if s),
            failed=sum(s["failed"] for s in stats if s),
            retried=sum(s["retried"] for s in stats if s),
            jobs=listed[:jobs],
        )

    async def close(self) -> None:
        await self.queue.disconnect()
