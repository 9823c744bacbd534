"""What bench/soak.py runs and measures with: the production topology (tests/deploy/topology.py's nginx and
processes) for tsbot and for the echo bot, the sandbox as Telegram (it taps Confirm on each order preview, and
times each chat's next reply), wrk, and the workers' RSS."""

import asyncio
import contextlib
import importlib
import importlib.util
import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

from bench.bot import Replies
from bot.sandbox.state import ChatMessage
from bot.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from tests.bot.sandbox import TOKEN, Sandbox, free_port
from tests.deploy.test_topology import SECRET, worker_env
from tests.deploy.topology import REPO, TSBOT, Process, nginx_binary, nginx_conf, started, until_healthy

WRK_SCRIPTS = Path(__file__).with_name("wrk")


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is not installed: `make wrk` installs Debian's")
    return found


@dataclass(frozen=True)
class Wrk:
    """wrk's figures, from its script's done(): its latency is each request's answer time."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    not_2xx: int
    server_errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


async def wrk(url: str, script: str, seconds: float, connections: int, env: dict[str, str]) -> Wrk:
    """wrk in its own process, 2 threads (the machine's cores); `env` is read by the script."""
    command = await asyncio.create_subprocess_exec(
        wrk_binary(),
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout=30s",
        "-s",
        str(WRK_SCRIPTS / script),
        url,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    said, _ = await command.communicate()
    figures = [line for line in said.decode().splitlines() if line.startswith("WRK ")]
    if command.returncode != 0 or not figures:
        raise RuntimeError(f"wrk failed: {said.decode()}")
    read = json.loads(figures[-1].removeprefix("WRK "))
    return Wrk(
        read["requests"],
        read["seconds"],
        read["p50_ms"],
        read["p99_ms"],
        read["socket_errors"],
        read["not_2xx"],
        read["5xx"],
    )


@dataclass
class Topology:
    """nginx in front of the workers; `base` is nginx's address."""

    base: str
    workers: list[Process]
    others: list[Process] = field(default_factory=list)


@contextlib.contextmanager
def behind_nginx(
    folder: Path, workers: list[tuple[str, list[str], dict[str, str], int]]
) -> Iterator[Topology]:
    """Each worker (name, command, environment, port) started in `folder`, and nginx with the repository's
    proxy settings and their ports as its upstream."""
    nginx = nginx_binary()
    if nginx is None:
        sys.exit("nginx is not installed: `make nginx` installs Debian's")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = nginx_conf(folder, port, [worker_port for *_, worker_port in workers])
    with contextlib.ExitStack() as stack:
        running = [
            stack.enter_context(started(name, command, folder, env)) for name, command, env, _ in workers
        ]
        proxy = [nginx, "-c", str(conf), "-e", str(folder / "error.log"), "-g", "daemon off;"]
        stack.enter_context(started("nginx", proxy, folder, dict(os.environ)))
        yield Topology(f"http://127.0.0.1:{port}", running)


async def until_all_healthy(topology: Topology, ports: list[int]) -> None:
    async with httpx.AsyncClient() as client:
        for worker, port in zip(topology.workers, ports, strict=True):
            await until_healthy(client, worker, f"http://127.0.0.1:{port}/health")


def tsbot_env(sandbox: Sandbox, folder: Path, port: int, database: str, redis: str) -> dict[str, str]:
    """The topology test's settings, on this run's database and Redis, with the production claim lease and no
    web rate limit (the app is measured, not the limiter), and balances no order of the run exhausts."""
    return {
        **worker_env(sandbox, folder, port),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "TELEGRAM_UPDATE_LEASE_SECONDS": "60",
        "RATE_LIMIT_PER_USER": "0",
        "PAPER_START_BALANCE": "1000000000",
    }


@contextlib.contextmanager
def tsbot_topology(
    sandbox: Sandbox, folder: Path, workers: int, database: str, redis: str
) -> Iterator[tuple[Topology, list[int]]]:
    """`workers` `tsbot web` behind nginx, and the leader (`tsbot run`, not behind nginx) beside them."""
    ports = [free_port() for _ in range(workers)]
    leader_port = free_port()
    specs = [
        (f"web{n}", [TSBOT, "web"], tsbot_env(sandbox, folder, port, database, redis), port)
        for n, port in enumerate(ports)
    ]
    leader_env = tsbot_env(sandbox, folder, leader_port, database, redis)
    with (
        behind_nginx(folder, specs) as topology,
        started("leader", [TSBOT, "run"], folder, leader_env) as leader,
    ):
        topology.others.append(leader)
        yield topology, ports


@contextlib.contextmanager
def echo_topology(sandbox: Sandbox, folder: Path, workers: int) -> Iterator[tuple[Topology, list[int]]]:
    ports = [free_port() for _ in range(workers)]
    echo = [sys.executable, "-m", "bench.echo_webhook", "--api", f"{sandbox.base}/sandbox"]
    echo += ["--token", TOKEN, "--secret", SECRET, "--path", WEBHOOK_PATH]
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # run in its own folder, as the tsbot workers are
    specs = [(f"echo{n}", [*echo, "--port", str(port)], env, port) for n, port in enumerate(ports)]
    with behind_nginx(folder, specs) as topology:
        yield topology, ports


def confirm_data(message: ChatMessage) -> str | None:
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if "Confirm" in button["text"]:  # "✅ Confirm"
                return str(button["callback_data"])
    return None


class Telegram:
    """Telegram's side: posts updates to the webhook through nginx (fresh update ids from `first_update`), taps
    Confirm on each order preview as it arrives, and times each chat's next reply (its sendMessage)."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession, url: str, first_update: int) -> None:
        self.state = sandbox.state
        self.session = session
        self.url = url
        self.update_ids = itertools.count(first_update)
        self.replies = Replies(self.state)
        self.timed = self.state.on_bot_message
        self.state.on_bot_message = self.arrived
        self.taps = 0
        self.failed_taps = 0
        self.messages = 0  # the bot's, as they arrive
        self.arrivals: dict[int, float] = {}  # each chat's last message, when it arrived
        self.last_message = time.perf_counter()
        self.tapping: set[asyncio.Task[None]] = set()

    def arrived(self, chat_id: int, message: ChatMessage) -> None:
        assert self.timed is not None
        self.last_message = self.arrivals[chat_id] = time.perf_counter()
        self.messages += 1
        self.timed(chat_id, message)
        data = confirm_data(message)
        if data is not None:
            task = asyncio.create_task(self.tap(chat_id, message.message_id, data))
            self.tapping.add(task)
            task.add_done_callback(self.tapping.discard)

    async def tap(self, user: int, message_id: int, data: str) -> None:
        update, _ = self.state.callback_query(user, message_id, data)
        self.taps += 1
        status, _ = await self.post(update)
        if status != 200:
            self.failed_taps += 1

    async def post(self, update: dict[str, object]) -> tuple[int, float]:
        """The webhook's status, and its answer time in milliseconds."""
        sent = time.perf_counter()
        body = {"update_id": next(self.update_ids), **update}
        try:
            async with self.session.post(self.url, json=body, headers={SECRET_HEADER: SECRET}) as answer:
                await answer.read()
        except (aiohttp.ClientError, TimeoutError):  # no answer: counted, not the end of the run
            return 0, (time.perf_counter() - sent) * 1000
        return answer.status, (time.perf_counter() - sent) * 1000

    async def settled(self) -> None:
        """Every tap posted so far answered."""
        while self.tapping:
            await asyncio.gather(*list(self.tapping))

    async def quiet(self, for_seconds: float = 1.0) -> None:
        """Every tap answered and no message from the bot for `for_seconds`: what a phase left in flight when
        its wrk stopped (nginx gives up on a request the client closed; its worker may go on) is not counted
        in the next."""
        await self.settled()
        while (idle := time.perf_counter() - self.last_message) < for_seconds:
            await asyncio.sleep(for_seconds - idle)
            await self.settled()


@contextlib.asynccontextmanager
async def telegram(sandbox: Sandbox, base: str, first_update: int) -> AsyncIterator[Telegram]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        stand_in = Telegram(sandbox, session, f"{base}{WEBHOOK_PATH}", first_update)
        try:
            yield stand_in
        finally:
            await stand_in.quiet()
            sandbox.state.on_bot_message = None


def rss_mb(pid: int) -> float:
    """A process's resident memory, by psutil where installed, else from /proc."""
    if importlib.util.find_spec("psutil") is not None:
        psutil = importlib.import_module("psutil")
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kilobytes) / 1024
