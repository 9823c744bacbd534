"""Auditing a year of a busy channel: 2,000 signals over 50 symbols (with their follow-ups and chatter), once
with its candles fetched and kept, then again with them stored; beside the time to read the posts alone.

    python -m bench.audit [--signals 2000] [--symbols 50]

The candles come from the simulated market's seeded history (15-minute steps, hourly candles), kept in the SQL
table on SQLite; the requests to the venue are counted (a window of 30 days of one symbol a request).
"""

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.container import build_container
from bot.migrate import upgrade
from bot.settings import Settings
from handlers.audit_reader import PipelineReader
from nlp.pipeline import Pipeline
from storage.candles import SqlCandleStore
from trading.domain.audit_export import read_export
from trading.market.history import SimulatedHistory
from trading.usecases.accounts import register_user
from trading.usecases.audits import Auditor

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
CHATTER = [
    "Good morning traders! Market looks bullish today 🚀",
    "Weekly recap coming tonight, stay tuned",
    "Remember: never risk more than 2% per trade",
]


def symbols(count: int) -> dict[str, Decimal]:
    rng = random.Random(7)
    return {f"C{index:02d}X/USDT": Decimal(rng.randint(1, 500)) for index in range(count)}


async def make_export(history: SimulatedHistory, bases: list[str], signals: int) -> bytes:
    """Signals entered near the market of their hour, with targets 2% and 4% away and a 3% stop; a reply moving
    the stop to the entry after one in five, a close after one in ten; chatter between."""
    rng = random.Random(11)
    messages: list[dict[str, Any]] = []
    step = timedelta(days=365) / signals
    for index in range(signals):
        at = YEAR_START + step * index
        pair = bases[index % len(bases)]
        [candle] = await history.history(pair, "1h", at - timedelta(hours=1), at)
        price = candle.close
        long = rng.random() < 0.6
        sign = 1 if long else -1
        targets = [price * (1 + sign * Decimal(p) / 100) for p in (2, 4)]
        stop = price * (1 - sign * Decimal(3) / 100)
        post_id = len(messages) + 1
        text = (
            f"#{pair.split('/')[0]}/USDT {'LONG' if long else 'SHORT'}\nEntry: {price:.4f}\n"
            f"Targets: {targets[0]:.4f}, {targets[1]:.4f}\nStop loss: {stop:.4f}"
        )
        messages.append(_message(post_id, at, text))
        if index % 5 == 0:
            messages.append(_message(post_id + 1, at + timedelta(hours=6), "Move SL to entry", post_id))
        elif index % 10 == 1:
            messages.append(_message(post_id + 1, at + timedelta(hours=12), "Close this trade now", post_id))
        if index % 4 == 0:
            messages.append(_message(len(messages) + 1, at + timedelta(minutes=5), rng.choice(CHATTER)))
    return json.dumps({"name": "Bench Signals", "type": "public_channel", "messages": messages}).encode()


def _message(post_id: int, at: datetime, text: str, reply_to: int | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": post_id, "type": "message", "date": at.isoformat()[:19], "text": text}
    raw["date_unixtime"] = str(int(at.timestamp()))
    if reply_to is not None:
        raw["reply_to_message_id"] = reply_to
    return raw


def migrated() -> Settings:
    folder = Path(tempfile.mkdtemp(prefix="tsbot-bench-audit-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'audit.db'}", data_dir=folder)
    upgrade(settings)
    return settings


async def main(settings: Settings, signals: int, count: int) -> None:
    container = build_container(settings, SystemClock())
    try:
        prices = symbols(count)
        history = SimulatedHistory(prices)
        content = await make_export(history, list(prices), signals)
        reader = PipelineReader(Pipeline(known_markets=list(prices), use_classifier=False))
        venue = SimulatedHistory(prices)  # its own request count
        auditor = Auditor(container.core, reader, venue, SqlCandleStore(container.engine))
        user, _ = await register_user(container.core, "bench")
        export = read_export(content)

        started = time.perf_counter()
        await auditor.read(export)
        reading = time.perf_counter() - started

        started = time.perf_counter()
        first = await auditor.audit(user.id, content)
        fetching = time.perf_counter() - started
        requests = venue.requests

        started = time.perf_counter()
        stored = await auditor.audit(user.id, content)
        audited = time.perf_counter() - started
        report = stored.record.report
        print(
            f"export: {len(export.posts):,} posts, {report.signals:,} signals, {count} symbols, {len(content):,} bytes"
        )
        print(f"read the posts alone:            {reading:7.2f} s")
        print(
            f"audit, candles fetched and kept: {fetching:7.2f} s  ({requests:,} candle requests, hit rate {first.hit_rate:.0%})"
        )
        print(
            f"audit, candles stored:           {audited:7.2f} s  ({venue.requests - requests} requests, hit rate {stored.hit_rate:.0%})"
        )
        print(f"ratio, stored audit / reading:   {audited / reading:7.2f}")
        print(
            f"simulated {report.simulated:,}, entered {report.filled:,}, stop assumed first in {report.stops_assumed_first:,}"
        )
    finally:
        await container.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=2000)
    parser.add_argument("--symbols", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(migrated(), args.signals, args.symbols))
