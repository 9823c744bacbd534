"""Order path on the paper exchange: from draft to filled, p50 and p99, on SQLite and PostgreSQL.

    python -m bench.order_path [--orders 1000] [--backends sqlite,postgres]

Beside each, a baseline in the same process and on the same database: one row inserted and committed through
the same unit of work. The ratio says how many such commits the whole order path costs.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from bot.clock import SystemClock
from bot.container import build_container
from bot.migrate import upgrade
from bot.settings import Settings
from storage.db import execute_autocommit
from trading.domain.enums import OrderStatus, Side
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import deposit, register_user
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft

POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_BENCH_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tsbot_bench"
WARM_UP = 50


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed(times: int, step: Callable[[int], Awaitable[None]]) -> list[float]:
    for i in range(WARM_UP):
        await step(i)
    samples = []
    for i in range(times):
        start = time.perf_counter()
        await step(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def measure(database_url: str, orders: int) -> tuple[list[float], list[float]]:
    settings = Settings(
        database_url=database_url,
        secret_key="bench",
        risk_max_order_value=Decimal(10**9),
        risk_max_position_share=Decimal(1),
    )
    container = build_container(settings, SystemClock())
    core = container.core
    try:
        user, account = await register_user(core, "bench")
        await deposit(core, user.id, account.id, "USDT", Decimal(1_000_000))

        async def one_row(i: int) -> None:
            async with core.uow() as uow:
                await uow.commands.add(user.id, "bench", f"baseline {i}", "ok", core.clock.now())
                await uow.commit()

        async def one_order(i: int) -> None:
            side = Side.BUY if i % 2 == 0 else Side.SELL  # buy then sell it back: the balance stays put
            draft = await draft_order(core, user.id, OrderIntent("ETH", side, Decimal("0.01")))
            order = await confirm_draft(core, user.id, draft.id)
            assert order.status is OrderStatus.FILLED, order

        baseline = await timed(orders, one_row)
        path = await timed(orders, one_order)
        return baseline, path
    finally:
        await container.close()


def report(name: str, baseline: list[float], path: list[float]) -> None:
    b50, b99 = statistics.median(baseline), percentile(baseline, 0.99)
    p50, p99 = statistics.median(path), percentile(path, 0.99)
    print(f"{name:<10} baseline (1 row + commit)  p50 {b50:7.2f} ms  p99 {b99:7.2f} ms")
    print(f"{name:<10} draft -> filled            p50 {p50:7.2f} ms  p99 {p99:7.2f} ms")
    print(f"{name:<10} ratio order path / baseline p50 {p50 / b50:6.1f}x  p99 {p99 / b99:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
                upgrade(Settings(database_url=url))
                report("sqlite", *asyncio.run(measure(url, args.orders)))
        elif backend == "postgres":
            asyncio.run(
                execute_autocommit(POSTGRES_ADMIN_URL, "DROP DATABASE IF EXISTS tsbot_bench WITH (FORCE)")
            )
            asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, "CREATE DATABASE tsbot_bench"))
            try:
                upgrade(Settings(database_url=POSTGRES_BENCH_URL, secret_key="bench"))
                report("postgres", *asyncio.run(measure(POSTGRES_BENCH_URL, args.orders)))
            finally:
                asyncio.run(
                    execute_autocommit(POSTGRES_ADMIN_URL, "DROP DATABASE IF EXISTS tsbot_bench WITH (FORCE)")
                )
        else:
            parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
