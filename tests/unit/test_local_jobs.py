"""The job queue inside `tsbot run`: unique keys, due times on the core's clock, retries with back-off, timeouts,
progress and results, cancelling, periodic jobs, and the operator's counts."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes import ManualClock
from trading.jobs.local import LocalJobQueue, backoff, next_boundary
from trading.ports.jobs import JobRun, JobState, JsonValue, Periodic, Retry


class Probe:
    """Jobs that record their calls; `fail_first`: how many calls raise before one succeeds."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[tuple[str, int, dict[str, JsonValue]]] = []
        self.fail_first = fail_first

    async def work(self, run: JobRun, **kwargs: JsonValue) -> JsonValue:
        self.calls.append((run.key, run.attempt, kwargs))
        await run.progress(0.5)
        if self.fail_first:
            self.fail_first -= 1
            raise ConnectionError("venue away")
        return {"done": run.key}


def queue_of(clock: ManualClock, probe: Probe, **options: object) -> LocalJobQueue:
    return LocalJobQueue(clock, {"work": probe.work}, jitter=lambda: 1.0, **options)  # type: ignore[arg-type]


async def test_a_key_is_queued_once_while_it_waits_and_again_once_it_ended(clock: ManualClock) -> None:
    probe = Probe()
    queue = queue_of(clock, probe)
    assert await queue.enqueue("work", "plan:1:2026-03-02T09:30", {"n": 1})
    assert not await queue.enqueue("work", "plan:1:2026-03-02T09:30", {"n": 2})
    assert await queue.run_due() == 1
    assert probe.calls == [("plan:1:2026-03-02T09:30", 1, {"n": 1})]
    status = await queue.status("plan:1:2026-03-02T09:30")
    assert status is not None
    assert (status.state, status.result, status.progress) == (JobState.COMPLETE, {"done": status.key}, 1.0)
    assert await queue.enqueue("work", "plan:1:2026-03-02T09:30", {"n": 3})


async def test_a_job_waits_for_its_time_on_the_clock(clock: ManualClock) -> None:
    probe = Probe()
    queue = queue_of(clock, probe)
    await queue.enqueue("work", "later", at=clock.now() + timedelta(minutes=5))
    assert await queue.run_due() == 0
    clock.advance(299)
    assert await queue.run_due() == 0
    clock.advance(1)
    assert await queue.run_due() == 1


async def test_a_failed_job_is_tried_again_after_a_doubling_wait(clock: ManualClock) -> None:
    probe = Probe(fail_first=2)
    queue = queue_of(clock, probe)
    await queue.enqueue("work", "k", retry=Retry(attempts=3, delay=timedelta(seconds=10)))
    await queue.run_due()
    status = await queue.status("k")
    assert status is not None and status.state is JobState.QUEUED and "venue away" in (status.error or "")
    clock.advance(9)
    assert await queue.run_due() == 0
    clock.advance(1)
    assert await queue.run_due() == 1  # the second attempt, 10 s on; it fails too
    clock.advance(19)
    assert await queue.run_due() == 0
    clock.advance(1)
    assert await queue.run_due() == 1  # the third, 20 s on
    assert [attempt for _, attempt, _ in probe.calls] == [1, 2, 3]
    assert (await queue.queue_status()).retried == 2
    status = await queue.status("k")
    assert status is not None and status.state is JobState.COMPLETE


async def test_a_job_that_fails_every_attempt_ends_failed_with_its_error(clock: ManualClock) -> None:
    probe = Probe(fail_first=5)
    queue = queue_of(clock, probe)
    await queue.enqueue("work", "k", retry=Retry(attempts=2, delay=timedelta(seconds=1)))
    await queue.run_due()
    clock.advance(1)
    await queue.run_due()
    status = await queue.status("k")
    assert status is not None
    assert (status.state, status.attempts) == (JobState.FAILED, 2)
    assert status.error == "ConnectionError: venue away"


async def test_an_attempt_past_its_timeout_fails(clock: ManualClock) -> None:
    release = asyncio.Event()

    async def hangs(run: JobRun) -> JsonValue:
        await release.wait()
        return None

    queue = LocalJobQueue(clock, {"hangs": hangs})
    await queue.enqueue("hangs", "k", retry=Retry(attempts=1, timeout=timedelta(milliseconds=1)))
    await queue.run_due()
    status = await queue.status("k")
    assert status is not None and status.state is JobState.FAILED and "TimeoutError" in (status.error or "")


async def test_cancelling_aborts_a_waiting_job_and_a_running_one(clock: ManualClock) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def waits(run: JobRun) -> JsonValue:
        started.set()
        await release.wait()
        return None

    queue = LocalJobQueue(clock, {"waits": waits})
    await queue.enqueue("waits", "later", at=clock.now() + timedelta(hours=1))
    assert await queue.cancel("later")
    await queue.enqueue("waits", "now")
    stop = asyncio.Event()
    running = asyncio.create_task(queue.run(stop))
    await started.wait()
    assert (await queue.queue_status()).active == 1
    assert await queue.cancel("now")
    assert not await queue.cancel("now")
    stop.set()
    await running
    states = [await queue.status(key) for key in ("later", "now")]
    assert [s.state for s in states if s is not None] == [JobState.ABORTED, JobState.ABORTED]


async def test_a_periodic_job_is_enqueued_once_at_each_turn(clock: ManualClock) -> None:
    probe = Probe()
    queue = LocalJobQueue(clock, {"work": probe.work}, [Periodic("work", timedelta(minutes=1))])
    assert await queue.run_due() == 0  # enqueued for the next minute's turn
    status = await queue.status("cron:work")
    assert status is not None and status.due_at == datetime(2026, 3, 2, 9, 31, tzinfo=UTC)
    clock.advance(59)
    assert await queue.run_due() == 0
    clock.advance(1)
    assert await queue.run_due() == 1
    assert await queue.run_due() == 0
    clock.advance(60)
    assert await queue.run_due() == 1
    assert len(probe.calls) == 2


async def test_the_operator_sees_what_waits_and_what_ended(clock: ManualClock) -> None:
    probe = Probe(fail_first=1)
    queue = queue_of(clock, probe)
    await queue.enqueue("work", "a", retry=Retry(attempts=1))
    await queue.enqueue("work", "b")
    await queue.enqueue("work", "c", at=clock.now() + timedelta(days=1))
    await queue.run_due()
    status = await queue.queue_status()
    assert (status.queued, status.active, status.scheduled) == (0, 0, 1)
    assert (status.complete, status.failed) == (1, 1)
    assert [job.key for job in status.jobs] == ["c"]


async def test_an_unknown_job_is_refused(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="no job named"):
        await queue_of(clock, Probe()).enqueue("nothing", "k")


def test_back_off_doubles_up_to_its_cap() -> None:
    retry = Retry(delay=timedelta(seconds=2), max_delay=timedelta(seconds=5))
    assert [backoff(retry, n, 1.0).total_seconds() for n in (1, 2, 3)] == [2, 4, 5]
    assert backoff(retry, 2, 0.5) == timedelta(seconds=2)
    assert next_boundary(datetime(2026, 3, 2, 9, 30, 10, tzinfo=UTC), timedelta(seconds=10)) == datetime(
        2026, 3, 2, 9, 30, 20, tzinfo=UTC
    )


async def test_run_ends_once_stopped_without_waiting_out_its_tick(clock: ManualClock) -> None:
    queue = queue_of(clock, Probe())
    stop = asyncio.Event()
    running = asyncio.create_task(queue.run(stop, tick=3600))
    await asyncio.sleep(0)  # into its wait
    stop.set()
    # An hour's tick: only the stop itself can end the run before this generous bound.
    await asyncio.wait_for(running, timeout=60)
