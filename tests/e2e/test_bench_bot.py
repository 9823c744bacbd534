"""bench.bot runs end to end (a short run: the figures themselves are the benchmark's to print, not a test's)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bot_benchmark_runs_and_prints_its_ratios() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bot", "--users", "3", "--seconds", "0.5", "--rounds", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    rounds = re.findall(
        r"^round \d: tsbot \d+ updates/s .* bare echo \d+/s .* echo on tsbot's session", result.stdout, re.M
    )
    assert len(rounds) == 3, result.stdout
    assert (
        "against the bare aiogram echo bot (target >= 0.6): throughput ratio, median of 3 rounds"
        in result.stdout
    )
    assert "against the echo on tsbot's session (stricter)" in result.stdout
    assert re.search(r"at 50 updates/s: message to first reply p50 [\d.]+ ms, p99 [\d.]+ ms", result.stdout)
