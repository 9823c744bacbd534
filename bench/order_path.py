"""Order path on the paper exchange: from draft to filled, p50 and p99, on SQLite and PostgreSQL; a spot order,
and a futures order (a 2x short with its stop, then its close) in the same run.

    python -m bench.order_path [--orders 1000] [--backends sqlite,postgres] [--postgres URL]

Beside each, a baseline in the same process and on the same database: one row inserted and committed through
the same unit of work. The ratio says how many such commits the whole order path costs. CPU per order is the
process's CPU time (every thread's: aiosqlite runs SQLite on a thread of its own) over the orders measured.
PostgreSQL: a database of the run's own, made beside the one `--postgres` names and dropped afterwards.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from bench.databases import scratch_postgres
from bot.clock import SystemClock
from bot.container import Container, build_container
from bot.migrate import upgrade
from bot.settings import Settings
from trading.domain.enums import AmountUnit, OrderStatus, Side
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import deposit, register_user
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft

POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
WARM_UP = 50


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed(times: int, step: Callable[[int], Awaitable[None]]) -> tuple[list[float], float]:
    """Each step's wall time in ms, and the process's CPU time per step in ms."""
    for i in range(WARM_UP):
        await step(i)
    samples = []
    cpu_started = time.process_time()
    for i in range(times):
        start = time.perf_counter()
        await step(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, (time.process_time() - cpu_started) * 1000 / times


Timed = tuple[list[float], float]


@asynccontextmanager
async def funded_trader(database_url: str) -> AsyncIterator[tuple[Container, int]]:
    """The app's container on `database_url`, with risk limits that refuse no bench order, and the id of a user
    holding 1,000,000 USDT on the paper venue."""
    settings = Settings(
        database_url=database_url,
        secret_key="bench",
        risk_max_order_value=Decimal(10**9),
        risk_max_position_share=Decimal(1),
    )
    container = build_container(settings, SystemClock())
    try:
        user, account = await register_user(container.core, "bench")
        await deposit(container.core, user.id, account.id, "USDT", Decimal(1_000_000))
        yield container, user.id
    finally:
        await container.close()


async def measure(database_url: str, orders: int) -> tuple[Timed, Timed, Timed]:
    async with funded_trader(database_url) as (container, user_id):
        core = container.core
        # The short's stop: above it, below its liquidation at 2x, and far enough that it never fires here.
        stop = ((await container.market.ticker("ETH/USDT")).ask * Decimal("1.2")).quantize(Decimal("0.01"))

        async def one_row(i: int) -> None:
            async with core.uow() as uow:
                await uow.commands.add(user_id, "bench", f"baseline {i}", "ok", core.clock.now())
                await uow.commit()

        async def one_order(i: int) -> None:
            side = Side.BUY if i % 2 == 0 else Side.SELL  # buy then sell it back: the balance stays put
            draft = await draft_order(core, user_id, OrderIntent("ETH", side, Decimal("0.01")))
            order = await confirm_draft(core, user_id, draft.id)
            assert order.status is OrderStatus.FILLED, order

        async def one_futures_order(i: int) -> None:
            # A 2x short with its stop (its leverage set, its stop armed), then its close (reduce-only, the
            # stop cancelled with the position): the margin comes back each time.
            if i % 2 == 0:
                intent = OrderIntent("ETH", Side.SELL, Decimal("0.01"), leverage=Decimal(2), stop_loss=stop)
            else:
                intent = OrderIntent("ETH", Side.BUY, Decimal(100), AmountUnit.PERCENT)
            draft = await draft_order(core, user_id, replace(intent, position=PositionSide.SHORT))
            order = await confirm_draft(core, user_id, draft.id)
            assert order.status is OrderStatus.FILLED, order

        baseline = await timed(orders, one_row)
        path = await timed(orders, one_order)
        futures = await timed(orders, one_futures_order)
        return baseline, path, futures


def report(name: str, baseline: Timed, path: Timed, futures: Timed) -> None:
    one_row, row_cpu = baseline
    b50, b99 = statistics.median(one_row), percentile(one_row, 0.99)
    print(
        f"{name:<10} baseline (1 row + commit)  p50 {b50:7.2f} ms  p99 {b99:7.2f} ms  CPU {row_cpu:6.2f} ms"
    )
    for what, (order, order_cpu) in (("spot", path), ("futures", futures)):
        p50, p99 = statistics.median(order), percentile(order, 0.99)
        print(
            f"{name:<10} {what:<7} draft -> filled    p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  CPU {order_cpu:6.2f} ms"
        )
        print(f"{name:<10} {what:<7} ratio / baseline   p50 {p50 / b50:6.1f}x  p99 {p99 / b99:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN_URL, help="a database on the server to use")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
                upgrade(Settings(database_url=url))
                report("sqlite", *asyncio.run(measure(url, args.orders)))
        elif backend == "postgres":
            with scratch_postgres(args.postgres, "order_path") as url:
                upgrade(Settings(database_url=url, secret_key="bench"))
                report("postgres", *asyncio.run(measure(url, args.orders)))
        else:
            parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
