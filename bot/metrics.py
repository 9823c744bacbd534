"""The process's own metrics beside the trade's (trading.metrics) and the reader's (nlp.metrics): Telegram's
answers and the outgoing queue, the job queue, and the users active. Built on the first use; `register_all()`
at start-up makes every family appear before its first sample."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter, Gauge

from nlp.metrics import LLM_OUTCOMES, reader_metrics
from trading.metrics import RECONCILE_OUTCOMES, active_users, trade_metrics
from trading.ports.jobs import JobQueue

log = logging.getLogger(__name__)
JOBS_SAMPLED_EVERY_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class BotMetrics:
    telegram_retry_after: Counter
    telegram_outgoing: Gauge
    jobs: Gauge
    job_runs: Gauge


@cache
def bot_metrics() -> BotMetrics:
    return BotMetrics(
        telegram_retry_after=Counter(
            "tsbot_telegram_retry_after",
            "Telegram's 429 answers (retry_after), by Bot API method",
            ["method"],
        ),
        telegram_outgoing=Gauge(
            "tsbot_telegram_outgoing_queued",
            "Outgoing messages waiting for a slot within Telegram's limits, or being sent",
        ),
        jobs=Gauge("tsbot_jobs", "Jobs in the queue, by state: queued, active, scheduled", ["state"]),
        job_runs=Gauge(
            "tsbot_job_runs",
            "Job runs the queue's workers report since they started, by outcome: complete, failed, retried",
            ["outcome"],
        ),
    )


def register_all() -> None:
    """Every family of the process's metrics, so that /metrics lists them from the start, and the series of
    known labels at 0, so that a rate over them is defined before their first event."""
    for outcome in RECONCILE_OUTCOMES:
        trade_metrics().reconciled_orders.labels(outcome)
    for outcome in LLM_OUTCOMES:
        reader_metrics().llm_calls.labels(outcome)
    bot_metrics()
    active_users()


async def sample_jobs(queue: JobQueue) -> None:
    status = await queue.queue_status(jobs=0)
    metrics = bot_metrics()
    for state, count in (
        ("queued", status.queued),
        ("active", status.active),
        ("scheduled", status.scheduled),
    ):
        metrics.jobs.labels(state).set(count)
    for outcome, runs in (
        ("complete", status.complete),
        ("failed", status.failed),
        ("retried", status.retried),
    ):
        metrics.job_runs.labels(outcome).set(runs)


async def sample_jobs_until(queue: JobQueue, stop: asyncio.Event) -> None:
    """The job queue's depth and its workers' counts, sampled until `stop` (a sample that fails is logged and
    the next one tried)."""
    while not stop.is_set():
        try:
            await sample_jobs(queue)
        except Exception:  # Redis away: the gauges keep their last values until it answers
            log.warning("the job queue could not be sampled for the metrics", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), JOBS_SAMPLED_EVERY_SECONDS)
