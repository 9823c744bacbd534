"""The sandbox signs Mini App init data for anyone who asks: `tsbot run` serves it beyond a loopback address
only with a token of the operator's own, and it never shows in the web API's schema."""

import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from bot.settings import PUBLIC_SANDBOX_TOKEN
from tests.e2e.test_run import TSBOT, free_port, get_json, healthy
from tests.patience import PATIENCE_S


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    leave_out = {"REDIS_URL", "TELEGRAM_BOT_TOKEN", "SANDBOX_BOT_TOKEN"}
    return {
        **{k: v for k, v in os.environ.items() if k not in leave_out},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tsbot.db'}",
        "DATA_DIR": str(tmp_path),
        "TSBOT_HOST": "0.0.0.0",
        "TSBOT_PORT": str(port),
    }


def test_without_a_token_of_its_own_the_sandbox_is_not_served_beyond_loopback(tmp_path: Path) -> None:
    env = _env(tmp_path, free_port())
    for given in ({}, {"SANDBOX_BOT_TOKEN": PUBLIC_SANDBOX_TOKEN}):
        run = subprocess.run(
            [TSBOT, "run"],
            env={**env, **given},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=PATIENCE_S,
        )
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith("tsbot: setting SANDBOX_BOT_TOKEN: a token of your own is required")
        assert run.stderr.count("\n") == 1 and "0.0.0.0" in run.stderr


def test_with_a_token_of_its_own_it_is_served_and_left_out_of_the_schema(tmp_path: Path) -> None:
    port = free_port()
    own = f"1000001:{secrets.token_urlsafe(24)}"
    env = {**_env(tmp_path, port), "SANDBOX_BOT_TOKEN": own}
    subprocess.run([TSBOT, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    process = subprocess.Popen(
        [TSBOT, "run"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert healthy(process, port, time.monotonic() + PATIENCE_S)
        status, me = get_json(f"{base}/sandbox/bot{own}/getMe")
        assert status == 200 and me["ok"]
        assert get_json(f"{base}/sandbox/bot{PUBLIC_SANDBOX_TOKEN}/getMe")[0] == 401
        status, schema = get_json(f"{base}/api/v1/openapi.json")
        paths: Any = schema["paths"]
        assert status == 200 and "/api/v1/ping" in paths
        assert [path for path in paths if "sandbox" in path] == []
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=PATIENCE_S)
    assert process.returncode == 0, output
