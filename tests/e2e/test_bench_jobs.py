"""bench.jobs runs end to end (a short run: the figures themselves are the benchmark's to print, not a test's)."""

import subprocess
import sys
from pathlib import Path

from tests.patience import PATIENCE_S

ROOT = Path(__file__).resolve().parents[2]


def test_the_jobs_benchmark_runs_and_prints_its_ratios() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.jobs", "--jobs", "200", "--plans", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE_S,
    )
    assert result.returncode == 0, result.stderr
    assert "no-op jobs: bare asyncio tasks" in result.stdout and "in-process queue" in result.stdout
    assert "5 plans due at once: due -> order p50" in result.stdout
    assert "ratio queue / direct:" in result.stdout
