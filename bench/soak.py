"""The production topology under load, with wrk (an external load tool) through nginx: the bot's mix on
Telegram's webhook beside a bare aiogram webhook echo bot, the API's portfolio, order preview and confirm beside
its ping, then minutes of steady load with the workers' RSS sampled.

    python -m bench.soak [--seconds 10] [--connections 64] [--soak-minutes 10] [--postgres URL] [--redis URL]

Both bots run as 4 workers behind nginx with the repository's proxy settings (tests/deploy/topology.py): tsbot's
`tsbot web` workers and its leader (`tsbot run`) on a PostgreSQL database of the run's own (made beside the one
`--postgres` names, dropped by the run) and on `--redis`; the echo bot's workers (bench/echo_webhook.py) answer
each message with its text. The sandbox plays Telegram in this process: it receives the bots' sendMessage, and,
as a user would, taps Confirm on each order preview (the tap posted to the webhook as its update).

- Updates a second: wrk posts the mix (price, portfolio, an order preview; each with a fresh update_id) for
  `--seconds` at `--connections`; tsbot's updates are wrk's plus the Confirm taps; the ratio is to the echo
  bot's. wrk's latency there is the webhook's answer time (a worker answers once it has handled the update).
- Reply time: this process posts updates at a steady 200 a second (the taps included) and times each from its
  post to the bot's sendMessage arriving at the sandbox; the webhook's answer time is given beside it.
- The API: wrk with a trading token per thread (`tsbot token create`, as an operator makes one), requests a
  second, p50, p99 and errors for each endpoint, the ratio to GET /api/v1/ping.
- The soak: wrk at a steady pace (the bot's mix at about 200 updates a second, the portfolio at 50 requests a
  second) for `--soak-minutes`, each process's RSS sampled along; then RSS at start and end, and the errors.

`make wrk` and `make nginx` install Debian's wrk and nginx. On a shared machine the figures drift; each is
printed beside its baseline from the same run.
"""

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from alembic import command

from bench.bot import MIX, percentile
from bench.databases import scratch_postgres
from bench.soak_stack import (
    Telegram,
    Topology,
    Wrk,
    echo_topology,
    rss_mb,
    telegram,
    tsbot_env,
    tsbot_topology,
    until_all_healthy,
    wrk,
    wrk_binary,
)
from bench.webapp import PG_ADMIN_URL
from bot.migrate import alembic_config
from bot.telegram.runtime import WEBHOOK_PATH
from tests.bot.sandbox import Sandbox, serve_sandbox
from tests.deploy.test_topology import SECRET, api_trader

WORKERS = 4
WRK_THREADS = 2
REPLY_RATE = 200  # updates a second, for the reply time
BUY_SHARE = MIX.count("buy 0.0005 btc") / len(MIX)  # each buy's preview brings a Confirm tap
SOAK_UPDATES = 200
SOAK_READS = 50


def fresh_ids() -> int:
    """A base no other run's update ids or users start from (Redis keeps claims and chat state a day)."""
    return 10**9 + uuid.uuid4().int % 2**50


def webhook_env(users: list[int], delay_ms: float = 0) -> dict[str, str]:
    """What bench/wrk/webhook.lua reads: the mix, from `users` (at least the connections: one update of a
    user at a time), with update ids of its own."""
    return {
        "SOAK_SECRET": SECRET,
        "SOAK_UPDATE_BASE": str(fresh_ids()),
        "SOAK_USER_BASE": str(users[0]),
        "SOAK_USERS": str(len(users)),
        "SOAK_THREADS": str(WRK_THREADS),
        "SOAK_TEXTS": "|".join(MIX),
        "SOAK_DELAY_MS": f"{delay_ms:.0f}",
    }


Updates = tuple[Wrk, float, float]  # wrk's figures, updates a second (the taps counted), replies a second


async def updates_a_second(
    telegram: Telegram, base: str, users: list[int], seconds: float, connections: int
) -> Updates:
    """wrk's figures for the mix, the updates a second with the Confirm taps it brought, and the bot's messages
    a second at the sandbox meanwhile (still a figure when the answers take longer than wrk runs); after a
    warm-up (every user known to the bot)."""
    url = f"{base}{WEBHOOK_PATH}"
    await wrk(url, "webhook.lua", 1, connections, webhook_env(users))
    await telegram.quiet()
    taps, messages = telegram.taps, telegram.messages
    posted = await wrk(url, "webhook.lua", seconds, connections, webhook_env(users))
    tapped, replied = telegram.taps - taps, telegram.messages - messages
    await telegram.quiet()
    return posted, (posted.requests + tapped) / posted.seconds, replied / posted.seconds


async def reply_times(
    telegram: Telegram, users: list[int], seconds: float, updates_rate: float, taps: bool
) -> tuple[list[float], list[float], int]:
    """Milliseconds from each message's post to its reply at the sandbox, and to the webhook's answer, at
    `updates_rate` updates a second (the messages fewer by the taps they bring); and the answers not 200."""
    rate = updates_rate / (1 + BUY_SHARE) if taps else updates_rate
    replies: list[float] = []
    answers: list[float] = []
    refused = 0

    async def one(n: int) -> None:
        nonlocal refused
        user = users[n % len(users)]
        message = telegram.state.chat(user).add("user", MIX[n % len(MIX)])
        waiter = telegram.replies.expect(user)
        sent = time.perf_counter()
        status, answered = await telegram.post({"message": telegram.state.message_payload(user, message)})
        answers.append(answered)
        refused += status != 200
        try:
            await asyncio.wait_for(waiter, 30)
        except TimeoutError:  # an overloaded bot: counted as the worst case rather than ending the run
            replies.append(30_000.0)
            return
        replies.append((telegram.arrivals[user] - sent) * 1000)  # not the answer's: it may come later

    tasks = []
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    await telegram.settled()
    return replies, answers, refused


async def api_figures(
    base: str, tokens: list[str], folder: Path, seconds: float, connections: int
) -> list[tuple[str, Wrk]]:
    """Each endpoint for `seconds` after a second's warm-up; confirm takes the drafts the preview made."""
    env = {"SOAK_TOKENS": ",".join(tokens), "SOAK_DRAFTS": str(folder / "drafts")}
    plan = [
        ("ping", "GET /api/v1/ping (baseline)"),
        ("portfolio", "GET /api/v1/portfolio"),
        ("preview", "POST /api/v1/orders/preview"),
        ("confirm", "POST /api/v1/orders/confirm"),
    ]
    figures = []
    for mode, name in plan:
        if mode != "confirm":  # a draft is confirmed once: confirm's warm-up would use the measured ones
            await wrk(base, "api.lua", 1, connections, {**env, "SOAK_API": mode})
        figures.append((name, await wrk(base, "api.lua", seconds, connections, {**env, "SOAK_API": mode})))
    return figures


def drafts_made(folder: Path) -> int:
    """The drafts the preview's wrk wrote, for its confirm."""
    return sum(len(path.read_text().splitlines()) for path in folder.glob("drafts.*"))


Samples = list[tuple[float, list[float]]]


async def soak(
    telegram: Telegram, base: str, users: list[int], tokens: list[str], pids: list[int], minutes: float
) -> tuple[Samples, list[Wrk]]:
    """The bot's mix at about SOAK_UPDATES updates a second and the portfolio at SOAK_READS requests a second,
    paced by wrk, for `minutes`; each process's RSS in MB, sampled ten times along."""
    seconds = minutes * 60
    bot_connections, read_connections = 16, 4
    messages_rate = SOAK_UPDATES / (1 + BUY_SHARE)
    bot = webhook_env(users, delay_ms=bot_connections * 1000 / messages_rate)
    reads = {
        "SOAK_API": "portfolio",
        "SOAK_TOKENS": ",".join(tokens),
        "SOAK_DELAY_MS": f"{read_connections * 1000 / SOAK_READS:.0f}",
    }
    load = asyncio.ensure_future(
        asyncio.gather(
            wrk(f"{base}{WEBHOOK_PATH}", "webhook.lua", seconds, bot_connections, bot),
            wrk(base, "api.lua", seconds, read_connections, reads),
        )
    )
    samples: Samples = []
    start = time.perf_counter()
    while not load.done():
        samples.append((time.perf_counter() - start, [rss_mb(pid) for pid in pids]))
        await asyncio.wait({load}, timeout=max(5.0, seconds / 10))
    samples.append((time.perf_counter() - start, [rss_mb(pid) for pid in pids]))
    await telegram.settled()
    return samples, list(await load)


def errors(figures: Wrk) -> str:
    return f"{figures.not_2xx} not 2xx ({figures.server_errors} 5xx), {figures.socket_errors} socket errors"


def report_updates(connections: int, seconds: float, echo: Updates, bot: Updates) -> None:
    print(
        f"webhook through nginx, {WORKERS} workers each: wrk at {connections} connections for {seconds:g} s"
    )
    print("  (wrk's latency is the webhook's answer time: a worker answers once the update is handled)")
    for name, (figures, rate, replies) in (("bare aiogram echo bot (baseline)", echo), ("tsbot's mix", bot)):
        print(
            f"  {name:<34} {rate:7.0f} updates/s ({replies:5.0f} replies/s at the sandbox)  answer p50 "
            f"{figures.p50_ms:6.1f} ms  p99 {figures.p99_ms:7.1f} ms  {errors(figures)}"
        )
    print(
        f"  tsbot's updates a second to the echo bot's: {bot[1] / echo[1]:.2f} (target 0.5 or more); "
        f"replies a second: {bot[2] / echo[2]:.2f}"
    )
    if max(bot[0].p50_ms, echo[0].p50_ms) > seconds * 1000 / 4:
        print("  (answers take a good part of the run: wrk counts only those it got; give more --seconds)")


Replies = tuple[list[float], list[float], int]


def report_replies(rate: float, echo: Replies, bot: Replies) -> None:
    print(
        f"reply time at {rate:.0f} updates/s: from the update's post to the bot's sendMessage at the sandbox"
    )
    if rate < REPLY_RATE:
        print(f"  (not at {REPLY_RATE}: tsbot took {rate / 0.8:.0f} updates/s here; the target is missed)")
    for name, (replies, answers, refused) in (
        ("bare aiogram echo bot (baseline)", echo),
        ("tsbot's mix", bot),
    ):
        if not replies:
            print(f"  {name:<34} not measured")
            continue
        print(
            f"  {name:<34} reply p50 {percentile(replies, 0.5):6.1f} ms  p99 {percentile(replies, 0.99):7.1f} ms"
            f"  (webhook answer p50 {percentile(answers, 0.5):6.1f} ms  p99 {percentile(answers, 0.99):7.1f} ms)"
            f"  {len(replies)} updates, {refused} not 200"
        )
    if bot[0] and echo[0]:
        p99 = percentile(bot[0], 0.99)
        ratio = p99 / percentile(echo[0], 0.99)
        print(f"  tsbot's reply p99 {p99:.1f} ms (target 100 ms or less), {ratio:.1f}x the echo bot's")


def report_api(connections: int, seconds: float, figures: list[tuple[str, Wrk]], drafts: int) -> None:
    print(f"API through nginx: wrk at {connections} connections for {seconds:g} s an endpoint")
    baseline = figures[0][1]
    for name, result in figures:
        print(
            f"  {name:<34} {result.rate:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:7.1f} ms"
            f"  ratio to ping {result.rate / baseline.rate:5.2f}  {errors(result)}"
        )
    confirmed = figures[-1][1]
    if confirmed.requests >= drafts:
        print(
            f"  confirm ran out of the preview's {drafts} drafts after {confirmed.seconds:.1f} s (a 409 each thread)"
        )


def report_soak(
    minutes: float, names: list[str], samples: Samples, load: list[Wrk], telegram: Telegram
) -> None:
    print(
        f"soak: {minutes:g} min at about {SOAK_UPDATES} updates/s (wrk's mix and the taps) and {SOAK_READS} "
        "portfolio reads/s; RSS in MB"
    )
    print("  " + f"{'s':>6}" + "".join(f"{name:>9}" for name in names))
    for elapsed, sizes in samples:
        print("  " + f"{elapsed:6.0f}" + "".join(f"{size:9.1f}" for size in sizes))
    (_, first), (_, last) = samples[0], samples[-1]
    for name, start, end in zip(names, first, last, strict=True):
        print(
            f"  {name:<8} RSS {start:7.1f} -> {end:7.1f} MB, growth {end - start:+6.1f} MB ({(end / start - 1):+.1%})"
        )
    bot, reads = load
    print(
        f"  bot's mix: {bot.rate:.0f} updates/s from wrk, {errors(bot)}; taps: {telegram.taps}, {telegram.failed_taps} not 200"
    )
    print(
        f"  portfolio: {reads.rate:.0f} req/s, p50 {reads.p50_ms:.1f} ms p99 {reads.p99_ms:.1f} ms, {errors(reads)}"
    )


async def run(args: argparse.Namespace, database: str) -> bool:
    """Everything, printed as it is measured; whether any answer was a 5xx or lost."""
    async with serve_sandbox() as sandbox:
        first_user = fresh_ids()
        users = [first_user + n for n in range(2 * args.connections)]
        for user in users:
            sandbox.state.chat(user)
        folder = Path(tempfile.mkdtemp(prefix="tsbot-soak-"))
        with (
            echo_topology(sandbox, folder / "echo", WORKERS) as (echo, echo_ports),
            tsbot_topology(sandbox, folder / "tsbot", WORKERS, database, args.redis) as (bot, bot_ports),
        ):
            await until_all_healthy(echo, echo_ports)
            await until_all_healthy(bot, bot_ports)
            failed = await measure(args, sandbox, folder / "tsbot", users, echo, bot, bot_ports[0], database)
        if failed:
            print(f"errors: the processes' logs are in {folder}")
        else:
            shutil.rmtree(folder)
        return failed


async def measure(
    args: argparse.Namespace,
    sandbox: Sandbox,
    folder: Path,
    users: list[int],
    echo: Topology,
    bot: Topology,
    bot_port: int,
    database: str,
) -> bool:
    async with telegram(sandbox, echo.base, fresh_ids()) as echo_telegram:
        echo_updates = await updates_a_second(echo_telegram, echo.base, users, args.seconds, args.connections)
    async with telegram(sandbox, bot.base, fresh_ids()) as bot_telegram:
        bot_updates = await updates_a_second(bot_telegram, bot.base, users, args.seconds, args.connections)
    report_updates(args.connections, args.seconds, echo_updates, bot_updates)
    # Above what the bot takes, the replies queue up without end: then measured below it, and said so.
    rate = min(REPLY_RATE, 0.8 * max(bot_updates[1], bot_updates[2] * (1 + BUY_SHARE)))
    async with telegram(sandbox, echo.base, fresh_ids()) as echo_telegram:
        echo_replies = await reply_times(echo_telegram, users, args.seconds, rate, taps=False)
    async with telegram(sandbox, bot.base, fresh_ids()) as bot_telegram:
        bot_replies = await reply_times(bot_telegram, users, args.seconds, rate, taps=True)
    report_replies(rate, echo_replies, bot_replies)
    env = tsbot_env(sandbox, folder, bot_port, database, args.redis)
    tokens = [await trading_token(env, folder, f"soak-{n}") for n in range(WRK_THREADS)]
    api = await api_figures(bot.base, tokens, folder, args.seconds, args.connections)
    report_api(args.connections, args.seconds, api, drafts_made(folder))
    processes = [*bot.workers, *bot.others]
    async with telegram(sandbox, bot.base, fresh_ids()) as bot_telegram:
        samples, load = await soak(
            bot_telegram, bot.base, users, tokens, [p.popen.pid for p in processes], args.soak_minutes
        )
        report_soak(args.soak_minutes, [p.name for p in processes], samples, load, bot_telegram)
    figures = [echo_updates[0], bot_updates[0], *(result for _, result in api), *load]
    lost = echo_replies[2] + bot_replies[2] + bot_telegram.failed_taps
    return lost > 0 or any(f.server_errors or f.socket_errors for f in figures)


async def trading_token(env: dict[str, str], folder: Path, name: str) -> str:
    """A user of the API and a trading token, made as an operator does (`tsbot user create`, `tsbot token`)."""
    headers = await api_trader(env, folder, name)
    return headers["Authorization"].removeprefix("Bearer ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per measurement")
    parser.add_argument("--connections", type=int, default=64, help="wrk's connections")
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--postgres", default=PG_ADMIN_URL, help="a database on the server to use")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="a Redis database of its own")
    args = parser.parse_args()
    wrk_binary()  # says how to install it before anything starts
    with scratch_postgres(args.postgres, "soak") as url:
        command.upgrade(alembic_config(url), "head")
        failed = asyncio.run(run(args, url))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
