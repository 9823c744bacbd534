"""The job queue's own cost, and how late a plan's order goes out when many are due at once.

    python -m bench.jobs [--jobs 20000] [--plans 1000] [--redis redis://127.0.0.1:6379/14]

1. No-op jobs a second through the in-process queue (enqueue, run, result kept), beside the same number of bare
   asyncio tasks in the same process: the ratio is what the queue's bookkeeping costs. With --redis, the same
   through SAQ on Redis with one worker in this process.
2. `--plans` recurring plans due in the same minute on a SQLite file (ten users, each plan a 10 USDT buy): the
   delay from the due time to each run's order being written, through the tick and the queue, beside the
   same orders drafted and confirmed one after another with no queue (the baseline).
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from bot.clock import SystemClock
from bot.container import build_container
from bot.jobs import JobServices, job_functions
from bot.migrate import upgrade
from bot.settings import Settings
from trading.domain.automations import Plan, PlanKind, PlanStatus, Schedule
from trading.domain.enums import AmountUnit, Side
from trading.domain.intents import OrderIntent
from trading.jobs.local import LocalJobQueue
from trading.ports.jobs import JobRun, JsonValue
from trading.usecases.accounts import register_user
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.plan_runs import enqueue_due

GENEROUS = {
    "risk_max_order_value": Decimal(10_000_000),
    "risk_max_position_share": Decimal(1),
    "risk_max_open_positions": 100,
    "risk_daily_loss_limit": Decimal(10_000_000),
    "paper_start_balance": Decimal(1_000_000),
}


async def noop(run: JobRun) -> JsonValue:
    return None


async def bare_tasks(jobs: int) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.create_task(noop(None)) for _ in range(jobs)))  # type: ignore[arg-type]
    return jobs / (time.perf_counter() - start)


async def local_jobs(jobs: int) -> float:
    queue = LocalJobQueue(SystemClock(), {"noop": noop}, concurrency=jobs, kept=jobs)
    start = time.perf_counter()
    for n in range(jobs):
        await queue.enqueue("noop", f"noop:{n}")
    await queue.run_due()
    return jobs / (time.perf_counter() - start)


async def saq_jobs(jobs: int, redis_url: str) -> float:
    from bot.worker import saq_worker
    from storage.saq_jobs import SaqJobQueue, saq_queue

    queue = SaqJobQueue(saq_queue(redis_url, name="bench"))
    worker = saq_worker(queue, {"noop": noop}, Settings(redis_url=redis_url), periodic=(), in_process=True)
    running = asyncio.create_task(worker.start())
    start = time.perf_counter()
    for n in range(jobs):
        await queue.enqueue("noop", f"noop:{n}")
    while (status := await queue.queue_status(0)).queued + status.active:  # noqa: ASYNC110 - Redis's count
        await asyncio.sleep(0.01)
    rate = jobs / (time.perf_counter() - start)
    await worker.stop()
    await asyncio.gather(running, return_exceptions=True)
    await queue.close()
    return rate


async def plans_due(core: Core, plans: int) -> list[int]:
    users = [(await register_user(core, f"u{n}", None))[0].id for n in range(10)]
    now = core.clock.now()
    schedule = Schedule("day")
    async with core.uow() as uow:
        for n in range(plans):
            plan = Plan(
                0, users[n % 10], PlanKind.RECURRING, Side.BUY, "BTC/USDT", Decimal(10), AmountUnit.QUOTE,
                schedule, None, 0, now, PlanStatus.ACTIVE, now,
            )  # fmt: skip
            await uow.plans.add(plan)
        await uow.commit()
    return users


async def run_due_plans(core: Core, plans: int) -> tuple[list[float], float]:
    """Seconds from the due time to each run's order, through the tick and the in-process queue; and the
    seconds from the tick to the last order."""
    queue = LocalJobQueue(core.clock, {}, concurrency=10, kept=plans * 2)
    queue.add_functions(job_functions(JobServices(core, queue)))
    await plans_due(core, plans)
    start = time.perf_counter()
    await enqueue_due(core, queue)
    while await queue.run_due():  # ten at a time, as `tsbot run` runs them
        pass
    seconds = time.perf_counter() - start
    delays = []
    async with core.uow(read_only=True) as uow:
        for plan in await uow.plans.due(core.clock.now() + timedelta(days=2), plans):
            [run] = await uow.plans.runs(plan.id)
            order = await uow.orders.get(run.order_id or 0)
            assert order is not None, run
            delays.append((order.created_at - run.due_at).total_seconds())
    return delays, seconds


async def direct_orders(core: Core, orders: int) -> float:
    user = (await register_user(core, "direct", None))[0].id
    start = time.perf_counter()
    for _ in range(orders):
        intent = OrderIntent("BTC", Side.BUY, Decimal(10), AmountUnit.QUOTE)
        await confirm_draft(core, user, (await draft_order(core, user, intent)).id)
    return time.perf_counter() - start


async def placement(plans: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings(database_url=url, secret_key="bench", data_dir=Path(folder), **GENEROUS)  # type: ignore[arg-type]
        await asyncio.to_thread(upgrade, settings)  # Alembic runs its own event loop
        container = build_container(settings)
        try:
            delays, queued = await run_due_plans(container.core, plans)
            direct = await direct_orders(container.core, plans)
        finally:
            await container.close()
    p50, p95 = statistics.median(delays), statistics.quantiles(delays, n=20)[-1]
    print(
        f"{plans} plans due at once: due -> order p50 {p50:.2f} s, p95 {p95:.2f} s, last {max(delays):.2f} s"
    )
    print(
        f"  all placed through the queue in {queued:.2f} s; the same orders one by one, no queue: {direct:.2f} s"
    )
    print(f"  ratio queue / direct: {queued / direct:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--redis", help="also through SAQ on this Redis (a database of its own)")
    args = parser.parse_args()
    bare, local = await bare_tasks(args.jobs), await local_jobs(args.jobs)
    print(
        f"no-op jobs: bare asyncio tasks {bare:,.0f}/s; in-process queue {local:,.0f}/s (ratio {bare / local:.1f})"
    )
    if args.redis:
        saq = await saq_jobs(min(args.jobs, 5000), args.redis)
        print(f"  SAQ on Redis, one worker here: {saq:,.0f}/s (ratio to bare tasks {bare / saq:.1f})")
    await placement(args.plans)


if __name__ == "__main__":
    asyncio.run(main())
