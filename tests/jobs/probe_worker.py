"""`tsbot worker` with one more job, `probe`, for the tests that kill a worker mid-job: it marks each attempt's
start in a folder, waits there until the test releases it, then writes its completion."""

import asyncio
import sys
from pathlib import Path

from bot.container import build_container
from bot.settings import load_settings
from bot.worker import run_worker
from trading.ports.jobs import JobRun, JsonValue


async def probe(run: JobRun, folder: str) -> JsonValue:
    where = Path(folder)
    (where / f"started-{run.attempt}").touch()
    while not (where / "release").exists():  # noqa: ASYNC110 - a file is what another process can set
        await asyncio.sleep(0.05)
    with (where / "done").open("a") as done:
        done.write(f"{run.key} attempt {run.attempt}\n")
    return run.attempt


async def main() -> None:
    container = build_container(load_settings())
    try:
        await run_worker(container, {"probe": probe})
    finally:
        await container.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
