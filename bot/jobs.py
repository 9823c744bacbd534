"""The jobs, by name, and the queue they run on: inside the process without REDIS_URL, SAQ on Redis with it.

Every process that enqueues builds the same table, so a job enqueued by `tsbot run` runs the same in any
`tsbot worker`."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.channel_senders import AiohttpWebhookPoster
from handlers.automations_render import RUN_TEXTS
from trading.jobs.local import LocalJobQueue
from trading.ports import Clock
from trading.ports.jobs import JobFunction, JobQueue, JobRun, JsonValue, Periodic
from trading.ports.outside import EmailSender
from trading.usecases.audits import AUDIT_JOB, Auditor, audit_job
from trading.usecases.automations import DUE_JOB
from trading.usecases.channels import DELIVER_JOB, deliver_to_channel, fan_out
from trading.usecases.core import Core
from trading.usecases.follow_pauses import COOLDOWNS_JOB, finish_cooldowns
from trading.usecases.notices import NoticeDelivery
from trading.usecases.plan_runs import RUN_JOB, enqueue_due, run_plan

# The safety nets: what a lost enqueue (a crash just after a commit) or an outage left is picked up by these.
PERIODIC = (
    Periodic("deliver_notices", timedelta(seconds=10)),
    Periodic(DUE_JOB, timedelta(seconds=10)),
    Periodic(COOLDOWNS_JOB, timedelta(seconds=30)),  # cooldowns of automatic following over: told
)
NOOP = "noop"


@dataclass(frozen=True, slots=True)
class JobServices:
    core: Core
    queue: JobQueue
    notices: NoticeDelivery | None = None  # None in a process that cannot tell users anything
    email: EmailSender | None = None  # None where no mail server is configured
    poster: AiohttpWebhookPoster = field(default_factory=AiohttpWebhookPoster)
    auditor: Auditor | None = None  # None in a process that audits no channel exports


async def noop(run: JobRun) -> JsonValue:
    """Nothing: what the benchmark measures the queue's own cost with."""
    return None


def job_functions(services: JobServices) -> Mapping[str, JobFunction]:
    async def deliver_notices(run: JobRun) -> JsonValue:
        """Telegram, then the other channels' deliveries queued."""
        sent = 0 if services.notices is None else await services.notices.deliver()
        return {"sent": sent, "to_channels": await fan_out(services.core, services.queue)}

    async def deliver_to_channel_job(run: JobRun, channel_id: int, notice_id: int) -> JsonValue:
        return await deliver_to_channel(
            services.core, services.email, services.poster, run.attempt, channel_id, notice_id
        )

    async def automations_due(run: JobRun) -> JsonValue:
        return await enqueue_due(services.core, services.queue)

    async def run_plan_job(run: JobRun, plan_id: int, due: str) -> JsonValue:
        outcome = await run_plan(services.core, plan_id, datetime.fromisoformat(due), RUN_TEXTS)
        if services.notices is not None:
            await services.notices.deliver()  # told now, not at the next pass
        return outcome

    async def cooldowns_due(run: JobRun) -> JsonValue:
        finished = await finish_cooldowns(services.core)
        if finished and services.notices is not None:
            await services.notices.deliver()  # told now, not at the next pass
        return finished

    async def audit_export(run: JobRun, user_id: int, export: str) -> JsonValue:
        if services.auditor is None:
            raise RuntimeError("this process audits no channel exports")
        return await audit_job(services.auditor, run, user_id, export)

    return {
        NOOP: noop,
        AUDIT_JOB: audit_export,
        COOLDOWNS_JOB: cooldowns_due,
        "deliver_notices": deliver_notices,
        DUE_JOB: automations_due,
        RUN_JOB: run_plan_job,
        DELIVER_JOB: deliver_to_channel_job,
    }


def local_queue(clock: Clock, concurrency: int) -> LocalJobQueue:
    """The queue inside `tsbot run`; its functions are added once the services that need it are built."""
    return LocalJobQueue(clock, {}, PERIODIC, concurrency=concurrency)
