"""`tsbot db upgrade` then `tsbot run` (as `make run` does) or `tsbot web`: the process comes up healthy and stops
cleanly."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from bot.redis_leadership import LOCK_NAME
from tests.databases import REDIS_URL
from tests.fakes import ManualClock
from tests.harness import ProcessDied, left_in_flight, make_harness
from tests.patience import PATIENCE_S
from trading.domain.enums import OrderStatus
from trading.domain.orders import Order

TSBOT = str(Path(sys.executable).with_name("tsbot"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def healthy(process: subprocess.Popen[str], port: int, deadline: float) -> bool:
    """Waits for the process to answer /health, ok with its database (and its Redis, where it has one)."""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status, answer = get_json(f"http://127.0.0.1:{port}/health")
            return (status, answer.get("status"), answer.get("database"), answer.get("redis", "ok")) == (
                200,
                "ok",
                "ok",
                "ok",
            )
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return False


def processes(folder: Path) -> int:
    """The serving processes registered in the database (storage.liveness)."""
    with contextlib.closing(sqlite3.connect(folder / "tsbot.db")) as db:
        return int(db.execute("SELECT count(*) FROM processes").fetchone()[0])


@pytest.mark.parametrize(
    ("command", "stop", "with_redis"),
    [
        ("run", signal.SIGINT, False),
        ("run", signal.SIGTERM, False),
        ("run", signal.SIGTERM, True),
        ("web", signal.SIGTERM, False),
    ],
)
def test_the_server_migrates_serves_health_and_stops_cleanly_on_a_signal(
    tmp_path: Path, command: str, stop: signal.Signals, with_redis: bool
) -> None:
    """As a person's Ctrl-C or a service manager's stop: status 0, nothing logged as an error. With REDIS_URL,
    `tsbot run` takes the scheduler's lead in Redis, and gives it up as it stops."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tsbot.db'}",
        "DATA_DIR": str(tmp_path),
        "TSBOT_PORT": str(port),
    }
    redis = Redis.from_url(REDIS_URL) if with_redis else None
    if redis is not None:
        env["REDIS_URL"] = REDIS_URL
        assert not redis.exists(LOCK_NAME), "another process leads on the tests' Redis"
    subprocess.run([TSBOT, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    process = subprocess.Popen(
        [TSBOT, command], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + PATIENCE_S
        assert healthy(process, port, deadline)
        assert processes(tmp_path) == 1  # alive, beating: what it sends is its own to finish
        while redis is not None and not redis.exists(LOCK_NAME):
            assert time.monotonic() < deadline and process.poll() is None, "the lead was never taken"
            time.sleep(0.1)
    finally:
        process.send_signal(stop)
        output, _ = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == 0, output
    # In `tsbot run`, the bot stops polling before the server closes: no long poll fails against its socket.
    assert " ERROR " not in output and "Failed to fetch updates" not in output, output
    assert f"http://127.0.0.1:{port}/" in output
    if command == "run":
        assert "reconciled orders: 0 found at the exchange, 0 never arrived, 0 unreachable" in output
    assert "Traceback" not in output
    assert processes(tmp_path) == 0  # stopped: whatever it left in flight is looked up at once
    if redis is not None:
        assert "scheduler lead taken" in output, output
        assert not redis.exists(LOCK_NAME)  # given up at once, not left to expire
        redis.close()


def test_run_on_a_database_that_is_not_migrated_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [TSBOT, "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=PATIENCE_S
    )
    assert result.returncode == 2
    assert "tsbot: the database is at revision none, not " in result.stderr
    assert "run `tsbot db upgrade`" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "database"),
    [
        (["run"], "postgres"),
        (["web"], "postgres"),
        (["db", "upgrade"], "postgres"),
        (["run"], "sqlite"),
        (["db", "upgrade"], "sqlite"),
    ],
)
def test_a_database_that_cannot_be_reached_is_named_in_one_line(
    tmp_path: Path, command: list[str], database: str
) -> None:
    """PostgreSQL on a port nobody listens on (its password never shown), or a SQLite file where no folder can
    be made (beneath a plain file: permissions would not stop root): one line, status 2, no traceback."""
    if database == "postgres":
        port = free_port()
        url = f"postgresql://tsbot:sekrit@127.0.0.1:{port}/tsbot"
        expected = f"postgresql://tsbot:***@127.0.0.1:{port}/tsbot (connection refused)"
    else:
        (tmp_path / "plain").write_text("not a folder")
        url = f"sqlite:///{tmp_path / 'plain' / 'tsbot.db'}"
        expected = f"{url} (cannot make the folder {tmp_path / 'plain'}: file exists)"
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path), "SECRET_KEY": "test-secret"}
    result = subprocess.run(
        [TSBOT, *command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=PATIENCE_S
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"tsbot: setting DATABASE_URL: cannot connect to {expected}"]
    assert result.stdout == ""


def test_a_second_run_on_the_same_database_without_redis_is_refused(tmp_path: Path) -> None:
    """Both would keep chat state in their own memory and both would lead the scheduler (bot.sole_run)."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tsbot.db'}",
        "DATA_DIR": str(tmp_path),
    }
    subprocess.run([TSBOT, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    port = free_port()
    first = subprocess.Popen(
        [TSBOT, "run"],
        env={**env, "TSBOT_PORT": str(port)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert healthy(first, port, time.monotonic() + PATIENCE_S)
        second = subprocess.run(
            [TSBOT, "run"],
            env={**env, "TSBOT_PORT": str(free_port())},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
        )
        assert second.returncode == 2, second.stderr
        assert "tsbot: another `tsbot run` is serving this database" in second.stderr
        assert "set REDIS_URL" in second.stderr and "Traceback" not in second.stderr
        assert healthy(first, port, time.monotonic() + PATIENCE_S)  # the first serves on
        assert processes(tmp_path) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        output, _ = first.communicate(timeout=PATIENCE_S)
    assert first.returncode == 0, output


async def _crashed_a_minute_ago(database_url: str) -> Order:
    """A process that placed an order, died before booking the exchange's answer, and last beat a minute ago:
    too recent for the longest flight (five minutes) to have passed."""
    crashed = make_harness(database_url, ManualClock(datetime.now(UTC) - timedelta(minutes=1)))
    try:
        await crashed.container.liveness.register("run")
        _, order = await left_in_flight(crashed, ProcessDied)
        return order
    finally:
        await crashed.close()


def test_run_looks_up_at_once_an_order_a_crashed_process_left_in_flight(tmp_path: Path) -> None:
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'tsbot.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "TSBOT_PORT": str(port),
        "SECRET_KEY": "test-secret",
    }
    subprocess.run([TSBOT, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    order = asyncio.run(_crashed_a_minute_ago(database_url))
    process = subprocess.Popen(
        [TSBOT, "run"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert healthy(process, port, time.monotonic() + PATIENCE_S)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=PATIENCE_S)
    assert "reconciled orders: 1 found at the exchange, 0 never arrived, 0 unreachable" in output, output
    with contextlib.closing(sqlite3.connect(tmp_path / "tsbot.db")) as db:
        status = db.execute("SELECT status FROM orders WHERE id = ?", (order.id,)).fetchone()[0]
    assert status == OrderStatus.FILLED.value
