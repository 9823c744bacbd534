"""Stops that move: the tracker's cost per price tick with 10,000 trailing stops beside the same ticks with 100;
and the delay from a price crossing a stop to its order sent, beside the same sale sent straight through the
order path.

    python -m bench.trailing [--stops 10000] [--ticks 500] [--crossings 30]

The trailing stops all trail one market (the worst case: a tick steps every one of them), on SQLite, on the
paper venue. The ticks wander below the high the stops have seen, so that none moves: the common tick, which
costs memory and arithmetic only. A crossing: a position bought with its stop, a tick through the stop, and
the time from the price watch taking the tick to the stop's sale booked; the baseline is the same sale sent
by hand (written, then sent to the venue and booked), taking turns.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from bot.clock import SystemClock
from bot.container import Container, build_container
from bot.migrate import upgrade
from bot.price_watch import PriceWatch
from bot.settings import Settings
from bot.telegram.alert_watch import AlertWatcher
from storage.models import ExchangeAccountRow, OrderRow, UserRow, table_of
from storage.stop_mode_models import StopModeRow
from trading.domain.alert_index import AlertIndex
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import register_user
from trading.usecases.core import new_client_order_id
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.notices import NoticeDelivery
from trading.usecases.price_ticks import ArmedLegs
from trading.usecases.trailing import TrailingStops

SYMBOL = "ETH/USDT"
HIGH = Decimal(4000)


class Unsent:
    async def notify(self, user_id: int, text: str, with_chart: bool = False) -> None:
        return None


async def nothing_to_tell() -> None:
    return None


def fresh_database() -> Settings:
    folder = Path(tempfile.mkdtemp(prefix="tsbot-bench-trailing-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'trailing.db'}", data_dir=folder)
    upgrade(settings)
    return settings


async def seed(container: Container, stops: int) -> None:
    """`stops` traders, each holding ETH guarded by a stop order that trails 5% below a high of 4,000."""
    now = datetime.now(UTC)
    users = [{"id": n, "name": f"t{n}", "created_at": now} for n in range(1, stops + 1)]
    accounts = [
        {"id": n, "user_id": n, "exchange": "paper", "label": "paper", "created_at": now}
        for n in range(1, stops + 1)
    ]
    orders = [
        {
            "user_id": n,
            "account_id": n,
            "client_order_id": new_client_order_id(),
            "role": OrderRole.ENTRY.value,
            "symbol": SYMBOL,
            "side": Side.SELL.value,
            "order_type": OrderType.STOP.value,
            "quantity": Decimal(1),
            "price": HIGH * Decimal("0.95"),
            "status": OrderStatus.ARMED.value,
            "filled": Decimal(0),
            "fee": Decimal(0),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, stops + 1)
    ]
    modes = [
        {
            "id": f"m{n}",
            "user_id": n,
            "account_id": n,
            "symbol": SYMBOL,
            "kind": "trailing",
            "long": True,
            "entry": Decimal(3500),
            "extreme": HIGH,
            "percent": Decimal(5),
            "after_target": 1,
            "targets": "",
            "created_at": now,
            "expires_at": now + timedelta(minutes=2),
            "confirmed_at": now,
            "active_key": f"{n}:{SYMBOL}",
        }
        for n in range(1, stops + 1)
    ]
    async with container.engine.begin() as connection:
        for row, rows in (
            (UserRow, users),
            (ExchangeAccountRow, accounts),
            (OrderRow, orders),
            (StopModeRow, modes),
        ):
            await connection.execute(insert(table_of(row)), rows)


async def tick_samples(settings: Settings, stops: int, ticks: int) -> list[float]:
    """Microseconds per tick that moves none of `stops` trailing stops."""
    container = build_container(settings, SystemClock())
    try:
        await seed(container, stops)
        trailing = TrailingStops(container.core, container.prices)
        await trailing.refresh()
        assert len(trailing) == stops, len(trailing)
        samples = []
        for n in range(ticks):
            container.market.set_price(SYMBOL, Decimal(3900) + n % 50)  # below the high: nothing moves
            ticker = await container.market.ticker(SYMBOL)
            started = time.perf_counter()
            moved = await trailing.on_price(ticker)
            samples.append((time.perf_counter() - started) * 1_000_000)
            assert moved == 0
        return samples
    finally:
        await container.close()


async def timed(action: Awaitable[object]) -> float:
    """Microseconds the action (not started until awaited here) takes."""
    started = time.perf_counter()
    await action
    return (time.perf_counter() - started) * 1_000_000


async def crossing_samples(settings: Settings, crossings: int) -> tuple[list[float], list[float]]:
    """Microseconds from a tick through a stop to its sale booked, with 100 trailing stops on the market beside
    it; and from a sale by hand to its booking."""
    container = build_container(settings, SystemClock())
    core = container.core
    try:
        await seed(container, 100)
        live = container.prices
        alerts = AlertWatcher(core, live.feed, AlertIndex(), NoticeDelivery(core, Unsent()))
        watch = PriceWatch(
            live, alerts, ArmedLegs(core, live), nothing_to_tell, trailing=TrailingStops(core, live)
        )
        user, _ = await register_user(core, "crossing")
        through, by_hand = [], []
        for _ in range(crossings):
            container.market.set_price(SYMBOL, Decimal(3800))
            buy = await draft_order(
                core, user.id, OrderIntent("ETH", Side.BUY, Decimal("0.1"), stop_loss=Decimal(3700))
            )
            await confirm_draft(core, user.id, buy.id)
            await watch.look()
            container.market.set_price(SYMBOL, Decimal(3690))
            ticker = await container.market.ticker(SYMBOL)
            through.append(await timed(watch.on_price(ticker)))
            container.market.set_price(SYMBOL, Decimal(3800))
            hand = await draft_order(core, user.id, OrderIntent("ETH", Side.BUY, Decimal("0.1")))
            await confirm_draft(core, user.id, hand.id)
            sell = await draft_order(core, user.id, OrderIntent("ETH", Side.SELL, Decimal("0.1")))
            by_hand.append(await timed(confirm_draft(core, user.id, sell.id)))
        return through, by_hand
    finally:
        await container.close()


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"{name:<46} p50 {statistics.median(samples):9.0f} us  p99 {p99:9.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stops", type=int, default=10_000)
    parser.add_argument("--ticks", type=int, default=500)
    parser.add_argument("--crossings", type=int, default=30)
    args = parser.parse_args()
    base = asyncio.run(tick_samples(fresh_database(), 100, args.ticks))
    many = asyncio.run(tick_samples(fresh_database(), args.stops, args.ticks))
    print(f"a tick moving no stop, all the stops on {SYMBOL}, {args.ticks} ticks, per tick")
    report("baseline: 100 trailing stops", base)
    report(f"{args.stops:,} trailing stops", many)
    ratio = statistics.median(many) / statistics.median(base)
    print(f"ratio p50 {ratio:.1f}x for {args.stops // 100:,}x the stops")
    through, by_hand = asyncio.run(crossing_samples(fresh_database(), args.crossings))
    print(f"a price through a stop to its sale booked, {args.crossings} crossings, paper venue, SQLite")
    report("baseline: the same sale confirmed by hand", by_hand)
    report("price watch: tick -> stop sent and booked", through)
    print(f"ratio p50 {statistics.median(through) / statistics.median(by_hand):.1f}x")


if __name__ == "__main__":
    main()
