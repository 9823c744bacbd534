"""Alerts per price tick: the index's cost with 100,000 waiting alerts beside the same ticks with 100.

    python -m bench.alerts [--alerts 100000] [--ticks 2000]

Each tick moves every watched symbol's price a little (as the simulated market does) and takes the alerts it
reaches out of the index, as the alert watcher does once a second. Alerts are spread over the symbols with
thresholds from 20% below to 20% above the price, so a tick fires a few and leaves the rest waiting.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert, AlertCondition, AlertStatus

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


def report(name: str, samples: list[float], fired: int, waiting: int) -> None:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(
        f"{name:<22} per tick p50 {statistics.median(samples):8.1f} us  p99 {p99:8.1f} us"
        f"  fired {fired:6d}  still waiting {waiting}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=2000)
    args = parser.parse_args()
    small, large = make_index(100, seed=1), make_index(args.alerts, seed=1)
    base_samples, base_fired = run_ticks(small, args.ticks, seed=2)
    samples, fired = run_ticks(large, args.ticks, seed=2)
    print(f"alert index, {len(SYMBOLS)} symbols, {args.ticks} ticks")
    report("baseline: 100 alerts", base_samples, base_fired, len(small))
    report(f"{args.alerts:,} alerts", samples, fired, len(large))
    ratio = statistics.median(samples) / statistics.median(base_samples)
    print(f"ratio p50 {ratio:.1f}x for {args.alerts // 100:,}x the alerts")


if __name__ == "__main__":
    main()
