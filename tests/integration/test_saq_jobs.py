"""The job queue on the real Redis (SAQ): unique keys, status and cancelling, a `tsbot worker` killed in the
middle of a job (another worker's sweep runs it again, and it completes once), and two workers that never run
one key twice."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.jobs import JobServices, job_functions
from handlers.automations_render import queue_status_text
from storage.saq_jobs import SaqJobQueue
from tests.databases import REDIS_URL, sqlite_copy
from tests.harness import Harness
from tests.integration.test_plan_runs import MONDAY_9, weekly
from tests.jobs.saq import ended, saq_workers, until
from tests.patience import PATIENCE_S
from trading.ports.jobs import JobRun, JobState, JsonValue, Retry
from trading.usecases.automations import confirm_plan, propose_plan
from trading.usecases.plan_runs import run_key

ROOT = Path(__file__).resolve().parents[2]
WEEKLY = weekly()


async def test_a_key_waits_once_and_its_status_and_cancel_are_seen(queue: SaqJobQueue) -> None:
    assert await queue.enqueue("probe", "k1", {"folder": "x"})
    assert not await queue.enqueue("probe", "k1", {"folder": "y"})
    status = await queue.status("k1")
    assert status is not None and (status.function, status.state) == ("probe", JobState.QUEUED)
    overview = await queue.queue_status()
    assert (overview.queued, [job.key for job in overview.jobs]) == (1, ["k1"])
    assert "k1  probe  queued" in queue_status_text(overview)
    assert await queue.cancel("k1")
    status = await queue.status("k1")
    assert status is not None and status.state is JobState.ABORTED
    assert await queue.enqueue("probe", "k1", {"folder": "z"})  # ended: the key is free again


@pytest.fixture
def worker_env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": sqlite_copy(sqlite_template, tmp_path, "worker"),
        "DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": REDIS_URL,
        "JOB_SWEEP_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def workers(worker_env: dict[str, str]) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.probe_worker"], env=worker_env, cwd=ROOT
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(PATIENCE_S)


async def test_a_job_whose_worker_is_killed_mid_way_completes_once_on_another(
    queue: SaqJobQueue, workers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    folder = tmp_path / "probe"
    folder.mkdir()
    retry = Retry(attempts=3, delay=timedelta(0), timeout=timedelta(seconds=2))
    assert await queue.enqueue("probe", "probe:1", {"folder": str(folder)}, retry=retry)
    first = workers()
    await until(lambda: (folder / "started-1").exists())
    first.kill()
    first.wait(PATIENCE_S)
    (folder / "release").touch()
    workers()
    status = await ended(queue, "probe:1")
    assert (status.state, status.attempts, status.result) == (JobState.COMPLETE, 2, 2)
    assert (folder / "done").read_text().splitlines() == ["probe:1 attempt 2"]


async def test_two_workers_run_a_key_once(queue: SaqJobQueue) -> None:
    runs: list[str] = []
    release = asyncio.Event()

    async def count(run: JobRun) -> JsonValue:
        runs.append(run.key)
        await release.wait()
        return len(runs)

    async with saq_workers(queue, lambda _: {"count": count}, count=2) as queues:
        enqueued = [await q.enqueue("count", "plan:7:2026-03-02T09:00") for q in (*queues, queue)]
        assert enqueued == [True, False, False]
        await until(lambda: bool(runs))
        assert not await queues[1].enqueue("count", "plan:7:2026-03-02T09:00")  # running: still held
        release.set()
        status = await ended(queue, "plan:7:2026-03-02T09:00")
        assert (status.state, status.result) == (JobState.COMPLETE, 1)
        assert runs == ["plan:7:2026-03-02T09:00"]


async def test_two_workers_run_a_plan_s_due_time_once(queue: SaqJobQueue, harness: Harness) -> None:
    """Two workers on the real Redis, each with the jobs `tsbot worker` runs, both ticking for one due plan:
    one run, one order, one notice."""
    user, _ = await harness.user()
    preview = await propose_plan(harness.core, user, WEEKLY)
    await confirm_plan(harness.core, None, user, preview.plan.id)
    harness.clock.advance(timedelta(weeks=1).total_seconds())
    async with saq_workers(queue, lambda q: job_functions(JobServices(harness.core, q)), count=2) as queues:
        for n, q in enumerate(queues * 2):
            await q.enqueue("automations_due", f"tick:{n}")
        await ended(queue, "tick:3")
        status = await ended(queue, run_key(preview.plan.id, MONDAY_9 + timedelta(weeks=1)))
        assert (status.state, status.result) == (JobState.COMPLETE, "placed")
    assert (await harness.count("orders"), await harness.count("plan_runs")) == (1, 1)
    assert await harness.count("notices") == 1
