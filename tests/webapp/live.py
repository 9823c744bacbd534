"""`tsbot web` (or `tsbot run`: the bot and its Telegram sandbox too) in a process of its own, on a free port,
over a migrated SQLite copy."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.databases import sqlite_copy
from tests.patience import PATIENCE_S

BOT_TOKEN = "123456:sandbox-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(template: Path, folder: Path, command: str = "web", **settings: str) -> Iterator[str]:
    """The base URL of a running `tsbot web` (`command="run"`: `tsbot run`, whose sandbox stands in for
    Telegram); `settings` are extra environment variables (a DATABASE_URL among them replaces the copy of the
    migrated SQLite template)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "REDIS_"))}
    env |= {
        "DATABASE_URL": settings.get("DATABASE_URL") or sqlite_copy(template, folder, "live"),
        "DATA_DIR": str(folder / "data"),
        "SECRET_KEY": "live-server-test-secret",
        "SANDBOX_BOT_TOKEN": BOT_TOKEN,
        "TSBOT_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    # Its output to a file: a pipe nobody reads fills up and blocks the process at its next log line.
    log = folder / f"tsbot-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", command], cwd=folder, env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PATIENCE_S
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError(f"tsbot web was not healthy within {PATIENCE_S:g} s")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"tsbot web exited: {log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=PATIENCE_S)
