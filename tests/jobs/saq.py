"""SAQ on the real Redis for tests: a clean queue, waiting for a job to end, and in-process workers as
`tsbot worker` runs them, one per queue."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping

from bot.settings import load_settings
from bot.worker import saq_worker
from storage.saq_jobs import SaqJobQueue, saq_queue
from tests.databases import REDIS_URL, delete_redis_keys
from tests.patience import PATIENCE_S
from trading.ports.jobs import JobFunction, JobState, JobStatus


@contextlib.asynccontextmanager
async def clean_queue() -> AsyncIterator[SaqJobQueue]:
    await delete_redis_keys("saq:*")
    jobs = SaqJobQueue(saq_queue(REDIS_URL))
    try:
        yield jobs
    finally:
        await jobs.close()
        await delete_redis_keys("saq:*")


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(PATIENCE_S):
        while not condition():  # noqa: ASYNC110 - what it waits for is another process's
            await asyncio.sleep(0.05)


async def ended(queue: SaqJobQueue, key: str) -> JobStatus:
    async with asyncio.timeout(PATIENCE_S):
        while True:
            status = await queue.status(key)
            if status is not None and status.state not in (JobState.QUEUED, JobState.ACTIVE):
                return status
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def saq_workers(
    queue: SaqJobQueue, functions: Callable[[SaqJobQueue], Mapping[str, JobFunction]], count: int = 1
) -> AsyncIterator[list[SaqJobQueue]]:
    """`count` workers on the real Redis, the first on `queue`, each other one on a queue of its own (as separate
    processes have); yields their queues. No periodic jobs: the test enqueues what should run."""
    queues = [queue, *(SaqJobQueue(saq_queue(REDIS_URL)) for _ in range(count - 1))]
    settings = load_settings(redis_url=REDIS_URL)
    workers = [saq_worker(q, functions(q), settings, periodic=(), in_process=True) for q in queues]
    tasks = [asyncio.create_task(worker.start()) for worker in workers]
    try:
        yield queues
    finally:
        for worker in workers:
            await worker.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        for other in queues[1:]:
            await other.close()
