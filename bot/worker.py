"""`tsbot worker` and `tsbot jobs`: SAQ workers on Redis that run the jobs `tsbot run` and the web app enqueue,
and the queue's status for the operator. Any number of workers share one queue; a job runs on one of them, and
one that dies mid-job leaves it to another's sweep, which queues it again once past its timeout."""

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from saq import Worker

from bot.channel_senders import email_sender
from bot.container import Container
from bot.jobs import PERIODIC, JobServices, job_functions
from bot.settings import Settings, SettingsError
from handlers.automations_render import queue_status_text
from storage.saq_jobs import SaqJobQueue, cron_jobs, saq_function, saq_queue, timers
from trading.ports.jobs import JobFunction, Periodic


def saq_worker(
    queue: SaqJobQueue,
    functions: Mapping[str, JobFunction],
    settings: Settings,
    *,
    periodic: Sequence[Periodic] = PERIODIC,
    in_process: bool = False,
) -> Worker[Any]:
    """`in_process`: inside another program (`tsbot run`, a test), which owns the signals."""
    by_name = dict(saq_function(name, function) for name, function in functions.items())
    worker: Worker[Any] = Worker(
        queue.queue,
        list(by_name.items()),
        cron_jobs=cron_jobs(periodic, by_name),
        concurrency=settings.job_concurrency,
        timers=timers(settings.job_sweep_seconds),
    )
    if in_process:
        worker.SIGNALS = []
    return worker


def require_redis(settings: Settings) -> str:
    if not settings.redis_url:
        raise SettingsError(
            "setting REDIS_URL: required by `tsbot worker` and `tsbot jobs` (without it, jobs run inside `tsbot run`)"
        )
    return settings.redis_url


async def run_worker(container: Container, extra: Mapping[str, JobFunction] | None = None) -> None:
    """Until SIGINT or SIGTERM. `extra`: more jobs beside the table's (the tests' probes)."""
    from bot.telegram.notifying import notice_delivery

    settings = container.settings
    queue = SaqJobQueue(saq_queue(require_redis(settings)))
    notices, close_notifier = notice_delivery(container)
    from bot.audits import build_auditor
    from nlp.pipeline import Pipeline

    auditor = build_auditor(container, Pipeline(model_in_background=True))
    services = JobServices(container.core, queue, notices, email_sender(settings), auditor=auditor)
    functions = {**job_functions(services), **(extra or {})}
    worker = saq_worker(queue, functions, settings)
    print(f"tsbot worker: queue {queue.name!r} on {settings.redis_url}", flush=True)
    try:
        async with container.liveness.alive("worker"):  # the orders its jobs place carry its id
            await worker.start()
    finally:
        await close_notifier()
        await services.poster.close()
        await queue.close()


async def jobs_command(container: Container, args: argparse.Namespace) -> None:
    """`tsbot jobs [--key KEY] [--cancel KEY]`."""
    queue = SaqJobQueue(saq_queue(require_redis(container.settings)))
    try:
        if args.cancel:
            cancelled = await queue.cancel(args.cancel)
            print(f"job {args.cancel}: {'cancelled' if cancelled else 'not waiting or running'}")
        elif args.key:
            job = await queue.status(args.key)
            print(f"job {args.key}: unknown" if job is None else f"job {args.key}: {job}")
        else:
            print(queue_status_text(await queue.queue_status(args.limit)))
    finally:
        await queue.close()
