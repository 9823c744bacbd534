"""Without Redis, one `tsbot run` per database (bot.sole_run): a start finds the others that beat; one that
crashed a moment ago is waited out, one that beats again refuses the start, a `tsbot web` does not count."""

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from bot.sole_run import AnotherRun, wait_until_sole_run
from tests.harness import Harness
from trading.usecases.tracking import SILENT_AT_MOST

SILENT = SILENT_AT_MOST.total_seconds()


def seconds_passing(harness: Harness, beating: Harness | None = None) -> Callable[[], Awaitable[None]]:
    """A second between two looks of the waiting start, on the test's clock; `beating` beats in each."""

    async def pause() -> None:
        harness.clock.advance(1)
        if beating is not None:
            await beating.container.liveness.beat()

    return pause


async def test_the_others_that_beat_are_those_of_the_kind_not_silent_and_not_this_one(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    run, web, silent = harness_factory(), harness_factory(), harness_factory()
    await silent.container.liveness.register("run")
    harness.clock.advance(SILENT + 1)
    await run.container.liveness.register("run")
    await web.container.liveness.register("web")
    await harness.container.liveness.register("run")
    since = harness.clock.now() - SILENT_AT_MOST
    beating = await harness.container.liveness.others_beating("run", since)
    assert [process for process, _ in beating] == [run.container.liveness.placer]
    assert [p for p, _ in await harness.container.liveness.others_beating("web", since)] == [
        web.container.liveness.placer
    ]


async def test_a_start_with_no_other_run_goes_ahead_at_once(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    await harness_factory().container.liveness.register("web")  # a web process serves beside one run
    started = harness.clock.now()
    await wait_until_sole_run(harness.container.liveness, harness.clock, seconds_passing(harness))
    assert harness.clock.now() == started  # no look waited for


async def test_a_run_that_crashed_a_moment_ago_is_waited_out(
    harness: Harness, harness_factory: Callable[[], Harness], caplog: pytest.LogCaptureFixture
) -> None:
    crashed = harness_factory()
    await crashed.container.liveness.register("run")  # and never beats again
    last_beat = harness.clock.now()
    harness.clock.advance(3)
    await wait_until_sole_run(harness.container.liveness, harness.clock, seconds_passing(harness))
    waited = harness.clock.now() - last_beat
    assert SILENT_AT_MOST < waited <= SILENT_AT_MOST + timedelta(seconds=1)  # gone ahead once known gone
    assert "another tsbot run beat 3s ago: waiting up to 20s" in caplog.text


async def test_a_run_that_beats_again_refuses_the_start(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    running = harness_factory()
    await running.container.liveness.register("run")
    with pytest.raises(AnotherRun, match=r"another `tsbot run` is serving this database \(it beat 0s ago\)"):
        await wait_until_sole_run(
            harness.container.liveness, harness.clock, seconds_passing(harness, running)
        )
