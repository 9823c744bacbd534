"""The job queue of `tsbot run`: the in-process runner without REDIS_URL; with it, SAQ's queue on Redis and,
unless JOBS_IN_RUN is false (then only `tsbot worker` processes run the jobs), a SAQ worker in this process's
event loop beside the web app. The queue is built first (the chat enqueues), its jobs once the bot that tells
users exists."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from saq import Worker

from bot.channel_senders import email_sender
from bot.container import Container
from bot.jobs import JobServices, job_functions, local_queue
from bot.metrics import sample_jobs_until
from bot.worker import saq_worker
from storage.saq_jobs import SaqJobQueue, saq_queue
from trading.jobs.local import LocalJobQueue
from trading.ports.jobs import JobQueue
from trading.usecases.audits import Auditor
from trading.usecases.notices import NoticeDelivery


@dataclass
class RunJobs:
    container: Container
    queue: JobQueue
    worker: Worker[Any] | None = None
    services: JobServices | None = None
    _running: asyncio.Task[None] | None = field(default=None, repr=False)
    _sampling: asyncio.Task[None] | None = field(default=None, repr=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def attach(self, notices: NoticeDelivery | None, auditor: Auditor | None = None) -> None:
        """The jobs, with what tells users and what audits channel exports."""
        settings = self.container.settings
        self.services = JobServices(
            self.container.core, self.queue, notices, email_sender(settings), auditor=auditor
        )
        functions = job_functions(self.services)
        if isinstance(self.queue, LocalJobQueue):
            self.queue.add_functions(functions)
        elif isinstance(self.queue, SaqJobQueue) and settings.jobs_in_run:
            # The server owns the signals: SAQ's worker would take SIGINT and SIGTERM from it.
            self.worker = saq_worker(self.queue, functions, settings, in_process=True)

    def start(self) -> None:
        self._sampling = asyncio.create_task(sample_jobs_until(self.queue, self._stop))
        if isinstance(self.queue, LocalJobQueue):
            self._running = asyncio.create_task(self.queue.run(self._stop))
        elif self.worker is not None:
            self._running = asyncio.create_task(self.worker.start())

    async def stop(self) -> None:
        self._stop.set()
        if self.worker is not None:
            await self.worker.stop()
        if self._running is not None:
            await self._running
        if self._sampling is not None:
            await self._sampling
        if self.services is not None:
            await self.services.poster.close()
        if isinstance(self.queue, SaqJobQueue):
            await self.queue.close()


def run_jobs(container: Container) -> RunJobs:
    settings = container.settings
    if not settings.redis_url:
        return RunJobs(container, local_queue(container.core.clock, settings.job_concurrency))
    return RunJobs(container, SaqJobQueue(saq_queue(settings.redis_url)))
