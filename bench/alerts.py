"""Alerts per price tick: the index's cost with 100,000 waiting alerts beside the same ticks with 100; and the
watcher's look for the alerts set since its last, on SQLite holding 100,000 alerts beside one holding 100.

    python -m bench.alerts [--alerts 100000] [--ticks 2000] [--looks 300]

Each tick moves every watched symbol's price a little (as the simulated market does) and takes the alerts it
reaches out of the index, as the alert watcher does once a second. Alerts are spread over the symbols with
thresholds from 20% below to 20% above the price, so a tick fires a few and leaves the rest waiting. The look
runs once a tick too; the alerts it reads were set in the last minute (five here), the rest long before.
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from bot.clock import SystemClock
from bot.container import build_container
from bot.migrate import upgrade
from bot.settings import Settings
from storage.models import table_of
from storage.signal_models import AlertRow
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert, AlertCondition, AlertStatus
from trading.usecases.accounts import register_user
from trading.usecases.alerts import alerts_set_since

SYMBOLS = [
    f"{base}/USDT"
    for base in ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "TON", "TRX", "DOT", "AVAX", "LINK"]
]
START = Decimal(100)


def make_index(alerts: int, seed: int) -> AlertIndex:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    index = AlertIndex()
    for alert_id in range(1, alerts + 1):
        condition = AlertCondition.ABOVE if alert_id % 2 else AlertCondition.BELOW
        offset = Decimal(rng.randint(1, 2000)) / 100  # 0.01 .. 20 away from the price, on its side
        threshold = START + offset if condition is AlertCondition.ABOVE else START - offset
        symbol = SYMBOLS[alert_id % len(SYMBOLS)]
        index.add(Alert(alert_id, alert_id, symbol, condition, threshold, AlertStatus.ACTIVE, now))
    return index


def run_ticks(index: AlertIndex, ticks: int, seed: int) -> tuple[list[float], int]:
    """Microseconds per tick (all symbols), and the alerts fired."""
    rng = random.Random(seed)
    prices = dict.fromkeys(SYMBOLS, START)
    samples, fired = [], 0
    for _ in range(ticks):
        for symbol in SYMBOLS:  # a random walk of about 0.01% a tick, as the simulated market's
            prices[symbol] += Decimal(rng.randint(-1, 1)) / 100
        started = time.perf_counter()
        for symbol in index.symbols():
            fired += len(index.take_due(symbol, prices[symbol]))
        samples.append((time.perf_counter() - started) * 1_000_000)
    return samples, fired


def report(name: str, samples: list[float], outcome: str) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"{name:<22} p50 {statistics.median(samples):8.1f} us  p99 {p99:8.1f} us  {outcome}")


def fresh_database() -> Settings:
    folder = Path(tempfile.mkdtemp(prefix="tsbot-bench-alerts-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'alerts.db'}", data_dir=folder)
    upgrade(settings)
    return settings


async def look_samples(settings: Settings, alerts: int, looks: int) -> list[float]:
    """Microseconds per look for the alerts set in the last minute, with `alerts` in the table."""
    container = build_container(settings, SystemClock())
    try:
        user, _ = await register_user(container.core, "bench")
        now = datetime.now(UTC)
        rows = [
            {
                "user_id": user.id,
                "symbol": SYMBOLS[n % len(SYMBOLS)],
                "condition": AlertCondition.ABOVE.value,
                "threshold": START + n,
                "status": AlertStatus.ACTIVE.value,
                "created_at": now - (timedelta(seconds=n) if n < 5 else timedelta(days=1, seconds=n)),
            }
            for n in range(alerts)
        ]
        async with container.engine.begin() as connection:
            await connection.execute(insert(table_of(AlertRow)), rows)
        samples = []
        for _ in range(looks):
            started = time.perf_counter()
            found = await alerts_set_since(container.core, now - timedelta(minutes=1))
            samples.append((time.perf_counter() - started) * 1_000_000)
            assert len(found) == 5, len(found)
        return samples
    finally:
        await container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=2000)
    parser.add_argument("--looks", type=int, default=300)
    args = parser.parse_args()
    small, large = make_index(100, seed=1), make_index(args.alerts, seed=1)
    base_samples, base_fired = run_ticks(small, args.ticks, seed=2)
    samples, fired = run_ticks(large, args.ticks, seed=2)
    print(f"alert index, {len(SYMBOLS)} symbols, {args.ticks} ticks, per tick")
    report("baseline: 100 alerts", base_samples, f"fired {base_fired:6d}  still waiting {len(small)}")
    report(f"{args.alerts:,} alerts", samples, f"fired {fired:6d}  still waiting {len(large)}")
    ratio = statistics.median(samples) / statistics.median(base_samples)
    print(f"ratio p50 {ratio:.1f}x for {args.alerts // 100:,}x the alerts")
    base_looks = asyncio.run(look_samples(fresh_database(), 100, args.looks))
    looks = asyncio.run(look_samples(fresh_database(), args.alerts, args.looks))
    print(f"the watcher's look for new alerts, SQLite, {args.looks} looks, per look")
    report("baseline: 100 alerts", base_looks, "read the 5 set in the last minute")
    report(f"{args.alerts:,} alerts", looks, "read the 5 set in the last minute")
    print(f"ratio p50 {statistics.median(looks) / statistics.median(base_looks):.1f}x")


if __name__ == "__main__":
    main()
