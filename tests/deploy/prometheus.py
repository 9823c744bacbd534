"""Debian's Prometheus for the tests: a server of its own (configuration and storage in a temporary folder, a
free port) scraping the app every second, and its HTTP API's instant queries."""

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.patience import PATIENCE_S
from tests.webapp.live import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "rules.yml"
SCRAPE_CONFIG = """global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {rules}
scrape_configs:
  - job_name: tsbot
    metrics_path: /metrics
    static_configs:
      - targets: ["{target}"]
"""


def binary(name: str) -> str | None:
    """`prometheus` or `promtool`, from Debian's package (`make prometheus`)."""
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/bin")


@contextmanager
def prometheus_scraping(target: str, folder: Path) -> Iterator[str]:
    """The base URL of a Prometheus that scrapes `target` (host:port) every second, with rules.yml loaded."""
    prometheus = binary("prometheus")
    assert prometheus is not None
    config = folder / "prometheus.yml"
    config.write_text(SCRAPE_CONFIG.format(rules=RULES, target=target))
    port = free_port()
    log = folder / "prometheus.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base, process, log), "Prometheus to be ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=PATIENCE_S)


def _ready(base: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"prometheus exited: {log.read_text()}")
    try:
        return httpx.get(f"{base}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Polls `condition` until it holds, within the tests' patience."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {PATIENCE_S:g} s for {what}")
        time.sleep(0.2)


def query(base: str, expr: str) -> dict[str, Any]:
    """Prometheus's answer to an instant query (its `status`, `data` or `error`), whatever the status code."""
    answer: dict[str, Any] = httpx.get(
        f"{base}/api/v1/query", params={"query": expr}, timeout=PATIENCE_S
    ).json()
    return answer


def values(base: str, expr: str) -> list[float]:
    """The values of an instant vector query's series (none: the series are not there yet)."""
    answer = query(base, expr)
    assert answer["status"] == "success", answer
    return [float(series["value"][1]) for series in answer["data"]["result"]]
