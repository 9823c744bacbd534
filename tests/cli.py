"""`tsbot` through its real command line, in a process of its own: the CLI's tests."""

import os
import subprocess
import sys
from pathlib import Path


def cli_env(dropped: tuple[str, ...], **settings: str) -> dict[str, str]:
    """This process's environment without the settings that start with `dropped`, with `settings` set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return env | settings


def run_tsbot(env: dict[str, str], cwd: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
