"""The bot through the sandbox: updates a second for a mix of messages (price, portfolio, an order confirmed)
beside a bare aiogram echo bot through the same sandbox in the same run, and p50/p99 from a user's message to
the bot's first reply at a steady 50 updates a second.

    .venv/bin/python -m bench.bot [--users 20] [--seconds 3] [--rounds 6]

Two echo bots serve as baselines: the bare aiogram one the target is set against (aiogram's own session), and a
stricter one, the same echo on tsbot's session (aiogram's, with tsbot's outgoing queue, limits raised), which
leaves only what tsbot does beyond echoing. The bots take turns, round after round, and the ratios are given per
round and as the median: on a shared machine the speed of all drifts by tens of percent within a minute, and a
turn of each, side by side, cancels most of that drift. The order of the turns rotates from round to round, and
each starts after the last one's leftovers are dealt with; every bot answers each of its users once before its
clock starts. Each round has users of its own: the same users round after round would reach the risk limits, and
a refused buy (no preview, no Confirm) is a cheaper update than the mix names; the run stops if one is refused.
Everything runs in this one process, the users' side of the sandbox included: their client is a light one
(Users), so that its cost hides little of the difference between the bots.
"""

import argparse
import asyncio
import contextlib
import gc
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import uvicorn
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bench.echo_webhook import echo_dispatcher
from bot.container import build_container
from bot.migrate import upgrade
from bot.sandbox.routes import sandbox_router
from bot.sandbox.state import ChatMessage, SandboxState
from bot.settings import Settings
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.runtime import TelegramBot, build_bot, telegram_bot
from bot.web import tune_garbage_collector
from handlers.config import BotConfig
from nlp.pipeline import Pipeline
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert, AlertCondition, AlertStatus
from webapp.app import create_app

TOKEN = "123456:bench-token"
MIX = ("price of btc", "portfolio", "buy 0.0005 btc")


class Users:
    """The simulated users' side of the sandbox, on aiohttp. Their client runs in the measured process, so its
    CPU counts beside each bot's: httpx's cost a request about 1.5 ms here (its pool looks at every open
    connection's socket on each request), more than the bare echo bot's own work, which hid half the
    difference between the bots. aiohttp's costs a fraction of that."""

    def __init__(self, base: str) -> None:
        self._session = aiohttp.ClientSession(base_url=base)

    async def __aenter__(self) -> "Users":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._session.close()

    async def post(self, path: str, json: dict[str, object]) -> None:
        async with self._session.post(path, json=json) as answer:
            answer.raise_for_status()
            await answer.read()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Replies:
    """Times each chat's next bot message, as the sandbox records it."""

    def __init__(self, state: SandboxState) -> None:
        self._waiting: dict[int, asyncio.Future[ChatMessage]] = {}
        state.on_bot_message = self._arrived

    def _arrived(self, chat_id: int, message: ChatMessage) -> None:
        waiter = self._waiting.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)

    def expect(self, chat_id: int) -> asyncio.Future[ChatMessage]:
        future: asyncio.Future[ChatMessage] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future


@contextlib.asynccontextmanager
async def sandbox_server(port: int) -> AsyncIterator[SandboxState]:
    state = SandboxState(TOKEN)

    async def ok() -> bool:
        return True

    server = uvicorn.Server(
        uvicorn.Config(create_app(ok, routers=[sandbox_router(state)]), port=port, log_level="error")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn has no such event
        await asyncio.sleep(0.01)
    try:
        yield state
    finally:
        server.should_exit = True
        await task


async def say(client: Users, replies: Replies, user: int, text: str) -> ChatMessage:
    """The user's message, and the bot's first reply to it."""
    waiter = replies.expect(user)
    await client.post(f"/sandbox/api/chats/{user}/messages", json={"text": text})
    return await asyncio.wait_for(waiter, 30)


class RefusedOrder(Exception):
    """A buy came back without its preview (a risk limit reached): the mix would no longer be the one
    named."""


async def user_loop(client: Users, replies: Replies, user: int, until: float, tsbot: bool) -> int:
    updates = 0
    turn = user
    while time.perf_counter() < until:
        text = MIX[turn % len(MIX)] if tsbot else f"echo {turn}"
        turn += 1
        reply = await say(client, replies, user, text)
        updates += 1
        if tsbot and text.startswith("buy"):
            if not reply.reply_markup:
                raise RefusedOrder(f"user {user}: {reply.text}")
            data = reply.reply_markup["inline_keyboard"][0][0]["callback_data"]
            await client.post(
                f"/sandbox/api/chats/{user}/callbacks", json={"message_id": reply.message_id, "data": data}
            )
            updates += 1
    return updates


# A bot's turn: updates a second, and CPU milliseconds per update.
Turn = tuple[float, float]


async def throughput(
    client: Users, replies: Replies, users: int, seconds: float, tsbot: bool, base: int
) -> Turn:
    """Updates a second, and the process's CPU milliseconds per update (steadier than the rate on a shared
    machine: everything here, the sandbox and these users included, runs on one event loop)."""
    start, cpu = time.perf_counter(), time.process_time()
    counts = await asyncio.gather(
        *(user_loop(client, replies, base + u, start + seconds, tsbot) for u in range(users))
    )
    updates = sum(counts)
    return updates / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / max(updates, 1)


async def settle() -> None:
    """What the turn before left (its garbage, a checkpoint of its writes on a worker thread) is not
    counted in the next turn's CPU."""
    gc.collect()
    await asyncio.sleep(0.5)


async def echo_turn(client: Users, replies: Replies, bot: Bot, users: int, seconds: float) -> Turn:
    echo = echo_dispatcher()
    polling = asyncio.create_task(echo.start_polling(bot, handle_signals=False, close_bot_session=True))
    await asyncio.gather(*(say(client, replies, 1000 + u, "hello") for u in range(users)))
    turn = await throughput(client, replies, users, seconds, tsbot=False, base=1000)
    await echo.stop_polling()
    await polling
    return turn


def report(name: str, bot_turns: list[Turn], echo_turns: list[Turn]) -> None:
    rate_ratios = [b[0] / e[0] for b, e in zip(bot_turns, echo_turns, strict=True)]
    cpu_ratios = [e[1] / b[1] for b, e in zip(bot_turns, echo_turns, strict=True)]
    print(
        f"against {name}: throughput ratio, median of {len(rate_ratios)} rounds "
        f"{statistics.median(rate_ratios):.2f} (range {min(rate_ratios):.2f}-{max(rate_ratios):.2f}); "
        f"by CPU per update (less noisy) {statistics.median(cpu_ratios):.2f} "
        f"(range {min(cpu_ratios):.2f}-{max(cpu_ratios):.2f})"
    )


async def latency(client: Users, replies: Replies, rate: float, seconds: float, base: int) -> list[float]:
    samples: list[float] = []

    async def one(user: int, text: str) -> None:
        waiter = replies.expect(user)
        sent = time.perf_counter()
        await client.post(f"/sandbox/api/chats/{user}/messages", json={"text": text})
        try:
            await asyncio.wait_for(waiter, 30)
        except TimeoutError:  # an overloaded bot: counted as the worst case rather than ending the run
            samples.append(30_000.0)
            return
        samples.append((time.perf_counter() - sent) * 1000)

    tasks = []
    total = int(rate * seconds)
    start = time.perf_counter()
    for i in range(total):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(base + i % 200, MIX[i % len(MIX)])))
    await asyncio.gather(*tasks)
    return samples


def alert_tick_cost(alerts: int) -> float:
    now = time.time()
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(now, UTC)
    index = AlertIndex(
        Alert(
            i,
            1,
            "BTC/USDT",
            AlertCondition.BELOW if i % 2 else AlertCondition.ABOVE,
            Decimal(40_000 + i % 50_000) if i % 2 else Decimal(70_000 + i % 50_000),
            AlertStatus.ACTIVE,
            stamp,
        )
        for i in range(alerts)
    )
    start = time.perf_counter()
    ticks = 1000
    for n in range(ticks):
        index.take_due("BTC/USDT", Decimal(60_000 + n % 7))
    return (time.perf_counter() - start) / ticks * 1e6


async def main(settings: Settings, users: int, seconds: float, rounds: int) -> None:
    container = build_container(settings)
    port = 18000 + int(time.time()) % 1000
    base = f"http://127.0.0.1:{port}"
    markets = await container.market.markets()
    queue = OutgoingQueue(per_second=100_000, per_chat_per_second=10_000, chat_burst=10_000)
    config = BotConfig(throttle_per_second=1000, throttle_burst=1000)
    pipeline = Pipeline(list(markets))

    def tsbot() -> TelegramBot:
        return telegram_bot(
            container.core,
            container.prices.feed,
            pipeline,
            config,
            token=TOKEN,
            api_base=f"{base}/sandbox",
            queue=queue,
            alert_every_seconds=3600,
        )

    async with sandbox_server(port) as state, Users(base) as client:
        replies = Replies(state)
        bot = tsbot()
        await bot.start()
        # Registration is a first-contact cost, not the steady state.
        for u in range(max(200, users * rounds)):
            await say(client, replies, 5000 + u, "/start")
        await bot.stop()
        tune_garbage_collector()  # as `tsbot run` does once started
        bare_turns: list[Turn] = []
        echo_turns: list[Turn] = []
        bot_turns: list[Turn] = []

        async def bare_echo(first: int) -> None:
            session = AiohttpSession(api=TelegramAPIServer.from_base(f"{base}/sandbox"))
            bare_turns.append(await echo_turn(client, replies, Bot(TOKEN, session=session), users, seconds))

        async def session_echo(first: int) -> None:
            bot = build_bot(TOKEN, f"{base}/sandbox", queue)
            echo_turns.append(await echo_turn(client, replies, bot, users, seconds))

        async def tsbot_turn(first: int) -> None:
            bot = tsbot()
            await bot.start()
            await asyncio.gather(*(say(client, replies, first + u, "price of btc") for u in range(users)))
            bot_turns.append(await throughput(client, replies, users, seconds, tsbot=True, base=first))
            await bot.stop()

        turns = [bare_echo, session_echo, tsbot_turn]
        for round_ in range(rounds):
            for turn in turns[round_ % 3 :] + turns[: round_ % 3]:  # each in each place of the order
                await settle()
                await turn(5000 + round_ * users)  # tsbot's users of this round
        bot = tsbot()
        await bot.start()
        samples = await latency(client, replies, 50, seconds, base=5000)
        await bot.stop()
    await container.close()
    for n, ((bot_rate, bot_cpu), (bare_rate, bare_cpu), (echo_rate, echo_cpu)) in enumerate(
        zip(bot_turns, bare_turns, echo_turns, strict=True)
    ):
        print(
            f"round {n + 1}: tsbot {bot_rate:.0f} updates/s ({bot_cpu:.2f} ms CPU each), "
            f"bare echo {bare_rate:.0f}/s ({bare_cpu:.2f} ms), echo on tsbot's session {echo_rate:.0f}/s "
            f"({echo_cpu:.2f} ms)"
        )
    report("the bare aiogram echo bot (target >= 0.6)", bot_turns, bare_turns)
    report("the echo on tsbot's session (stricter)", bot_turns, echo_turns)
    print(
        f"at 50 updates/s: message to first reply p50 {statistics.median(samples):.1f} ms, "
        f"p99 {percentile(samples, 0.99):.1f} ms (target <= 50)"
    )
    print(f"alert index: {alert_tick_cost(100_000):.1f} us per price tick with 100,000 alerts")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3, help="each bot's turn, each round")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tsbot-bench-bot-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}", data_dir=folder)
    upgrade(settings)
    try:
        asyncio.run(main(settings, args.users, args.seconds, args.rounds))
    except RefusedOrder as refused:
        raise SystemExit(f"a buy was refused ({refused}); run with more --users or fewer --seconds") from None
