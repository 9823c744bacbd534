"""The web API under load: requests a second and p99 at 64 connections, for the portfolio and an order
preview, beside a trivial endpoint of the same app in the same run.

    python -m bench.webapp [--seconds 5] [--connections 64] [--backends sqlite,postgres] [--postgres URL]

`tsbot web` runs in its own process over a fresh database (rate limits off: the app is measured, not the
limiter); the load comes from this process over loopback, one endpoint at a time, each for a fixed time.
PostgreSQL is the local server's: a database of the run's own, made beside the one `--postgres` names and
dropped by the run.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from alembic import command

from bench.databases import scratch_postgres
from bot.migrate import alembic_config
from tests.webapp.live import BOT_TOKEN, live_server
from webapp.init_data import sign_init_data

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


async def load(
    session: aiohttp.ClientSession,
    name: str,
    method: str,
    url: str,
    body: object,
    seconds: float,
    connections: int,
) -> Result:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.request(method, url, json=body) as answer:
                await answer.read()
                if answer.status >= 300:
                    failures += 1
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return Result(name, len(latencies), time.perf_counter() - began, latencies, failures)


async def run(base: str, seconds: float, connections: int) -> list[Result]:
    init_data = sign_init_data(BOT_TOKEN, {"id": 99, "first_name": "Bench"}, int(time.time()))
    connector = aiohttp.TCPConnector(limit=connections)
    async with (
        aiohttp.ClientSession(connector=connector) as anonymous,
        anonymous.post(f"{base}/api/v1/auth/telegram", json={"init_data": init_data}) as answer,
    ):
        token = (await answer.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=connections)
    preview = {"symbol": "BTC", "side": "buy", "amount": "0.001"}
    plan = [
        ("trivial (GET /api/v1/ping)", "GET", f"{base}/api/v1/ping", None),
        ("portfolio (GET /api/v1/portfolio)", "GET", f"{base}/api/v1/portfolio", None),
        ("order preview (POST /api/v1/orders/preview)", "POST", f"{base}/api/v1/orders/preview", preview),
    ]
    results = []
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        for name, method, url, body in plan:
            await load(session, name, method, url, body, min(1.0, seconds), connections)  # warm-up
            results.append(await load(session, name, method, url, body, seconds, connections))
    return results


def measure(backend: str, seconds: float, connections: int, postgres: str) -> list[Result]:
    no_limits = {"RATE_LIMIT_PER_IP": "0", "RATE_LIMIT_PER_USER": "0"}
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        if backend == "sqlite":
            command.upgrade(alembic_config(f"sqlite:///{template}"), "head")
            with live_server(template, Path(folder), **no_limits) as base:
                return asyncio.run(run(base, seconds, connections))
        with scratch_postgres(postgres, "web") as url:
            command.upgrade(alembic_config(url), "head")
            with live_server(template, Path(folder), DATABASE_URL=url, **no_limits) as base:
                return asyncio.run(run(base, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load time per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgres or both, comma-separated")
    parser.add_argument("--postgres", default=PG_ADMIN_URL, help="a database on the server to use")
    args = parser.parse_args()
    failed = False
    for backend in args.backends.split(","):
        results = measure(backend.strip(), args.seconds, args.connections, args.postgres)
        report(backend.strip(), results, args.seconds, args.connections)
        failed = failed or any(r.failures for r in results)
    if failed:
        sys.exit(1)


def report(backend: str, results: list[Result], seconds: float, connections: int) -> None:
    baseline = results[0]
    print(f"web API on {backend}, {connections} connections, {seconds:g} s per endpoint")
    for r in results:
        print(
            f"  {r.name:<46} {r.rps:8.0f} req/s  p50 {r.p50_ms:7.1f} ms  p99 {r.p99_ms:7.1f} ms"
            f"  ratio to trivial {r.rps / baseline.rps:5.2f}"
            + (f"  ({r.failures} not 2xx)" if r.failures else "")
        )
    if any(r.failures for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
