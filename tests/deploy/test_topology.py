"""Three `tsbot web` workers behind Debian's nginx (deploy/nginx's settings) on PostgreSQL and Redis take
Telegram's webhook updates and API calls; one is killed with SIGKILL while updates and API orders are in flight.
As Telegram does, every update is posted again until it is answered 200, and an API client confirms again a
confirmation lost with the worker: none is lost, none is handled twice, every order is placed exactly once."""

import asyncio
import contextlib
import os
import re
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
API_USERS = 4
API_ORDERS_EACH = 3  # one after another, so that some are in flight when the worker is killed
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


async def orders_of_api_users() -> list[int]:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id"
                    " WHERE u.telegram_id IS NULL GROUP BY u.id"
                )
            )
            return [int(count) for (count,) in rows]
    finally:
        await engine.dispose()


async def orders_by_user() -> dict[int, int]:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT u.telegram_id, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id"
                    " WHERE u.telegram_id IS NOT NULL GROUP BY 1"
                )
            )
            return {int(telegram_id): int(count) for telegram_id, count in rows}
    finally:
        await engine.dispose()


async def api_trader(env: dict[str, str], folder: Path, name: str) -> dict[str, str]:
    """A user of the API with a trading token, made as an operator does (`tsbot user create`, `tsbot token`)."""

    async def tsbot(*args: str) -> str:
        command = await asyncio.create_subprocess_exec(
            TSBOT,
            *args,
            env=env,
            cwd=folder,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        said, _ = await command.communicate()
        assert command.returncode == 0, said.decode()
        return said.decode()

    user_id = re.search(r"^user (\d+) ", await tsbot("user", "create", name), re.MULTILINE)
    assert user_id is not None
    made = await tsbot("token", "create", "--user", user_id.group(1), "--scope", "trade", "deploy-test")
    secret = re.search(r": (\S+)$", made, re.MULTILINE)
    assert secret is not None, made
    return {"Authorization": f"Bearer {secret.group(1)}"}


async def api_order(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """Previewed, then confirmed until the API says it is placed: a confirmation lost with a dead worker is
    sent again, and answered 409 if the dead worker had placed it."""
    order = {"symbol": "BTC/USDT", "side": "buy", "amount": "0.001"}
    async with asyncio.timeout(PATIENCE_S):
        while True:
            with contextlib.suppress(httpx.TransportError):
                preview = await client.post("/api/v1/orders/preview", json=order, headers=auth)
                if preview.status_code == 201:
                    break
                assert preview.status_code == 502, preview.text
        draft = {"draft_id": preview.json()["draft_id"]}
        while True:
            with contextlib.suppress(httpx.TransportError):
                placed = await client.post("/api/v1/orders/confirm", json=draft, headers=auth)
                if placed.status_code in (201, 409):
                    return
                assert placed.status_code == 502, placed.text


async def api_orders(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for _ in range(API_ORDERS_EACH):
        await api_order(client, auth)


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
            env = worker_env(sandbox, tmp_path, ports[0])
            traders = [await api_trader(env, tmp_path, f"api-{n}") for n in range(API_USERS)]
            telegram = Telegram(client, sandbox.state)
            users = [960_001 + n for n in range(USERS)]
            stop_reads = asyncio.Event()
            reads = asyncio.create_task(api_calls(client, stop_reads))
            trading = [asyncio.create_task(telegram.confirm(user, "buy 0.001 btc")) for user in users]
            api_trading = [asyncio.create_task(api_orders(client, auth)) for auth in traders]
            async with asyncio.timeout(PATIENCE_S):  # some orders placed, the rest in flight: the kill
                while len(await orders_by_user()) < USERS // 4:  # noqa: ASYNC110 - a database, no event
                    await asyncio.sleep(0.02)
            victim.popen.send_signal(signal.SIGKILL)
            answers = await asyncio.gather(*trading)
            await asyncio.gather(*api_trading)
            for user in users:  # and after the kill, through the workers left
                await telegram.say(user, "price of btc")
            stop_reads.set()
            statuses = await reads
            print(
                "DEBUG failed", telegram.failed_posts, "posted", len(telegram.posted), "reads", len(statuses)
            )

    assert victim.popen.returncode == -signal.SIGKILL
    assert await orders_by_user() == dict.fromkeys(users, 1)  # none lost, none doubled
    assert await orders_of_api_users() == [API_ORDERS_EACH] * API_USERS
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
