"""Three `tsbot web` workers behind Debian's nginx (deploy/nginx's settings) on PostgreSQL and Redis take
Telegram's webhook updates and API calls; one is killed with SIGKILL while updates are in flight. As Telegram
does, every update is posted again until it is answered 200: none is lost, none is handled twice, and every
user's confirmed order is placed exactly once."""

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.sandbox.state import SandboxState
from bot.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from bot.telegram.update_claims import DONE, KEY_PREFIX
from storage.db import create_engine
from tests.bot.sandbox import TOKEN, Sandbox, button, free_port, serve_sandbox
from tests.databases import POSTGRES_URL, REDIS_URL, postgres_enabled, truncate_postgres
from tests.deploy.topology import TSBOT, nginx_binary, nginx_conf, started, until_healthy
from tests.patience import PATIENCE_S

WORKERS = 3
USERS = 12
SECRET = "deploy-test-webhook-secret"

pytestmark = [
    pytest.mark.skipif(
        not postgres_enabled(), reason="the topology runs on PostgreSQL: TSBOT_TEST_POSTGRES=1"
    ),
    pytest.mark.skipif(
        nginx_binary() is None, reason="nginx is not installed and could not be (`make nginx` installs it)"
    ),
]


@pytest.fixture
async def sandbox(postgres_schema: None) -> AsyncIterator[Sandbox]:
    await truncate_postgres(POSTGRES_URL)
    async with serve_sandbox() as served:
        yield served


def worker_env(sandbox: Sandbox, folder: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "deploy-test-secret-key",
        "DATA_DIR": str(folder),
        "TSBOT_PORT": str(port),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"{sandbox.base}/sandbox",
        "TELEGRAM_WEBHOOK_URL": f"https://bot.example{WEBHOOK_PATH}",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        # A dead worker's claim lapses soon, so that the retries of its update need not wait long.
        "TELEGRAM_UPDATE_LEASE_SECONDS": "1",
        "TELEGRAM_RATE_PER_SECOND": "1000",
        "TELEGRAM_RATE_PER_CHAT": "100",
        "TELEGRAM_THROTTLE_PER_SECOND": "1000",
        "TELEGRAM_THROTTLE_BURST": "1000",
        "RATE_LIMIT_PER_IP": "0",  # every request comes from nginx's one address
    }


class Telegram:
    """Telegram's side of the webhook: each update posted until it is answered 200."""

    def __init__(self, client: httpx.AsyncClient, state: SandboxState) -> None:
        self.client = client
        self.state = state
        self.next_id = uuid.uuid4().int % 2**40  # the tests' Redis outlives a run: ids no earlier run used
        self.posted: list[int] = []
        self.failed_posts = 0

    async def post(self, update: dict[str, Any]) -> None:
        self.next_id += 1
        update = {"update_id": self.next_id, **update}
        self.posted.append(self.next_id)
        async with asyncio.timeout(PATIENCE_S):
            while True:
                try:
                    answer = await self.client.post(
                        WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}
                    )
                    if answer.status_code == 200:
                        return
                    assert answer.status_code in (500, 502, 503, 504), answer.text
                except httpx.TransportError:
                    pass
                self.failed_posts += 1
                await asyncio.sleep(0.05)

    async def say(self, user_id: int, said: str) -> None:
        message = self.state.chat(user_id).add("user", said)
        await self.post({"message": self.state.message_payload(user_id, message)})

    async def confirm(self, user_id: int, order: str) -> asyncio.Future[str | None]:
        await self.say(user_id, order)
        preview = await self.bot_message(user_id, lambda m: m["reply_markup"] is not None)
        update, answer = self.state.callback_query(user_id, preview["message_id"], button(preview, "Confirm"))
        await self.post(update)
        return answer

    async def bot_message(self, user_id: int, matches: Any) -> dict[str, Any]:
        async with asyncio.timeout(PATIENCE_S):
            while True:
                found = [
                    m for m in self.state.messages_after(user_id, 0) if m["from"] == "bot" and matches(m)
                ]
                if found:
                    return found[0]
                await asyncio.sleep(0.02)


async def orders_by_user() -> dict[int, int]:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT u.telegram_id, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY 1"
                )
            )
            return {int(telegram_id): int(count) for telegram_id, count in rows}
    finally:
        await engine.dispose()


async def api_calls(client: httpx.AsyncClient, stop: asyncio.Event) -> list[int]:
    """Reads through nginx all along, the kill included: a dead worker's are passed to another."""
    statuses = []
    while not stop.is_set():
        for path in ("/health", "/api/v1/ping"):
            statuses.append((await client.get(path)).status_code)
        await asyncio.sleep(0.02)
    return statuses


async def test_a_worker_killed_mid_traffic_loses_and_doubles_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from redis.asyncio import Redis

    ports = [free_port() for _ in range(WORKERS)]
    proxy_port = free_port()
    nginx = nginx_binary()
    assert nginx is not None
    conf = nginx_conf(tmp_path, proxy_port, ports)
    errors = str(tmp_path / "error.log")
    checked = await asyncio.create_subprocess_exec(
        nginx, "-t", "-c", str(conf), "-e", errors, stderr=asyncio.subprocess.PIPE
    )
    _, complaint = await checked.communicate()
    assert checked.returncode == 0, complaint.decode()  # Debian's nginx takes the configuration
    with (
        started("worker0", [TSBOT, "web"], tmp_path, worker_env(sandbox, tmp_path, ports[0])) as victim,
        started("worker1", [TSBOT, "web"], tmp_path, worker_env(sandbox, tmp_path, ports[1])) as other,
        started("worker2", [TSBOT, "web"], tmp_path, worker_env(sandbox, tmp_path, ports[2])) as third,
        started(
            "nginx",
            [nginx, "-c", str(conf), "-e", errors, "-g", "daemon off;"],
            tmp_path,
            dict(os.environ),
        ) as proxy,
    ):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{proxy_port}", timeout=PATIENCE_S) as client:
            for worker, port in zip((victim, other, third), ports, strict=True):
                await until_healthy(client, worker, f"http://127.0.0.1:{port}/health")
            await until_healthy(client, proxy, "/health")
            telegram = Telegram(client, sandbox.state)
            users = [960_001 + n for n in range(USERS)]
            stop_reads = asyncio.Event()
            reads = asyncio.create_task(api_calls(client, stop_reads))
            trading = [asyncio.create_task(telegram.confirm(user, "buy 0.001 btc")) for user in users]
            async with asyncio.timeout(PATIENCE_S):  # some orders placed, the rest in flight: the kill
                while len(await orders_by_user()) < USERS // 4:  # noqa: ASYNC110 - a database, no event
                    await asyncio.sleep(0.02)
            victim.popen.send_signal(signal.SIGKILL)
            answers = await asyncio.gather(*trading)
            for user in users:  # and after the kill, through the workers left
                await telegram.say(user, "price of btc")
            stop_reads.set()
            statuses = await reads
            print(
                "DEBUG failed", telegram.failed_posts, "posted", len(telegram.posted), "reads", len(statuses)
            )

    assert victim.popen.returncode == -signal.SIGKILL
    assert await orders_by_user() == dict.fromkeys(users, 1)  # none lost, none doubled
    assert all(answer.done() for answer in answers)
    assert set(statuses) == {200}, sorted(set(statuses))
    redis = Redis.from_url(REDIS_URL)
    try:
        assert [await redis.get(KEY_PREFIX + str(update_id)) for update_id in telegram.posted] == [
            DONE
        ] * len(telegram.posted)
    finally:
        await redis.aclose()
    # Each update answered once, but for what the killed worker sent before dying (then posted again).
    for user in users:
        replies = [m for m in sandbox.state.messages_after(user, 0) if m["from"] == "bot"]
        prices = [m for m in replies if m["text"].startswith("BTC/USDT: ")]
        assert len(prices) == 1, replies
        assert 1 <= len(replies) - len(prices) <= 1 + telegram.failed_posts, replies
