"""Without Redis, one `tsbot run` per database (bot.sole_run): a start finds the others that beat; one that
crashed a moment ago is waited out, one that beats again refuses the start, a `tsbot web` does not count."""

import asyncio
import logging
from collections.abc import Callable, Iterator

import pytest

from bot.sole_run import AnotherRun, wait_until_sole_run
from tests.harness import Harness
from trading.usecases.tracking import SILENT_AT_MOST

SILENT = SILENT_AT_MOST.total_seconds()
LOOK_EVERY = 0.01


async def _passing(harness: Harness, seconds_per_look: float) -> None:
    """Time going by, `seconds_per_look` of it at each look of the waiting start."""
    while True:
        await asyncio.sleep(LOOK_EVERY)
        harness.clock.advance(seconds_per_look)


class _Looked(logging.Handler):
    """Set once the waiting start has looked a first time: it logs that it waits."""

    def __init__(self) -> None:
        super().__init__()
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.event.set()


@pytest.fixture
def first_look() -> Iterator[asyncio.Event]:
    looked = _Looked()
    logger = logging.getLogger("bot.sole_run")
    logger.addHandler(looked)
    yield looked.event
    logger.removeHandler(looked)


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
    await asyncio.wait_for(wait_until_sole_run(harness.container.liveness, harness.clock, LOOK_EVERY), 1)


async def test_a_run_that_crashed_a_moment_ago_is_waited_out(
    harness: Harness,
    harness_factory: Callable[[], Harness],
    caplog: pytest.LogCaptureFixture,
    first_look: asyncio.Event,
) -> None:
    crashed = harness_factory()
    await crashed.container.liveness.register("run")  # and never beats again
    last_beat = harness.clock.now()
    harness.clock.advance(3)
    waiting = asyncio.create_task(wait_until_sole_run(harness.container.liveness, harness.clock, LOOK_EVERY))
    await asyncio.wait_for(first_look.wait(), 30)  # the clock stands still until then
    assert "another tsbot run beat 3s ago: waiting up to 20s" in caplog.text
    passing = asyncio.create_task(_passing(harness, 1))
    await asyncio.sleep(10 * LOOK_EVERY)  # ten seconds of the clock at most: 13 since the beat, of 20
    assert not waiting.done()  # not yet silent long enough to be known gone
    await asyncio.wait_for(waiting, 30)
    passing.cancel()
    assert harness.clock.now() - last_beat > SILENT_AT_MOST  # gone ahead only once it was known gone


async def test_a_run_that_beats_again_refuses_the_start(
    harness: Harness, harness_factory: Callable[[], Harness], first_look: asyncio.Event
) -> None:
    running = harness_factory()
    await running.container.liveness.register("run")
    waiting = asyncio.create_task(wait_until_sole_run(harness.container.liveness, harness.clock, LOOK_EVERY))
    await asyncio.wait_for(first_look.wait(), 30)
    harness.clock.advance(1)
    await running.container.liveness.beat()  # a second later, and the clock stands still again
    with pytest.raises(AnotherRun, match=r"another `tsbot run` is serving this database \(it beat 0s ago\)"):
        await asyncio.wait_for(waiting, 30)
