"""The bot end to end: the sandbox served over HTTP by uvicorn, the bot polling it with aiogram's own client
(TelegramAPIServer pointed at the sandbox), and a user who talks through the sandbox's user side."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from aiogram.fsm.storage.base import BaseStorage

from bot.sandbox.routes import sandbox_router
from bot.sandbox.state import SandboxState, channel_id
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.runtime import TelegramBot, telegram_bot
from handlers.config import BotConfig
from nlp.pipeline import Pipeline
from tests.harness import Harness
from tests.patience import PATIENCE_S
from trading.usecases.audits import Auditor
from trading.usecases.core import Core
from webapp.app import create_app

TOKEN = "123456:sandbox-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def always_ok() -> bool:
    return True


@dataclass
class Sandbox:
    state: SandboxState
    base: str
    client: httpx.AsyncClient

    def chat(self, user_id: int) -> "UserChat":
        return UserChat(self, user_id)

    def channel(self, title: str) -> "SandboxChannel":
        """The channel of that title, with the id a forward from it carries."""
        return SandboxChannel(self, channel_id(title), title)

    async def push_update(self, update: dict[str, Any]) -> None:
        (await self.client.post("/sandbox/api/updates", json=update)).raise_for_status()


@dataclass
class UserChat:
    sandbox: Sandbox
    user_id: int
    seen: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def _path(self) -> str:
        return f"/sandbox/api/chats/{self.user_id}"

    async def say(self, text: str, forward_from_chat: str | None = None) -> int:
        body: dict[str, Any] = {"text": text}
        if forward_from_chat:
            body["forward_from_chat"] = forward_from_chat
        answer = await self.sandbox.client.post(f"{self._path}/messages", json=body)
        answer.raise_for_status()
        self.seen = int(answer.json()["message_id"])
        return self.seen

    async def messages(self, after: int = 0) -> list[dict[str, Any]]:
        answer = await self.sandbox.client.get(f"{self._path}/messages", params={"after": after})
        answer.raise_for_status()
        result: list[dict[str, Any]] = answer.json()
        return result

    async def reply(self, count: int = 1, within: float = PATIENCE_S) -> list[dict[str, Any]]:
        """The bot's next `count` messages after everything seen so far (polling, as a client does)."""
        async with asyncio.timeout(within):
            while True:
                found = [m for m in await self.messages(self.seen) if m["from"] == "bot"]
                if len(found) >= count:
                    self.seen = max(m["message_id"] for m in found[:count])
                    return found[:count]
                await asyncio.sleep(0.02)

    async def ask(
        self, text: str, count: int = 1, forward_from_chat: str | None = None
    ) -> list[dict[str, Any]]:
        await self.say(text, forward_from_chat)
        return await self.reply(count)

    async def tap(self, message_id: int, data: str) -> dict[str, Any]:
        answer = await self.sandbox.client.post(
            f"{self._path}/callbacks", json={"message_id": message_id, "data": data}, timeout=PATIENCE_S
        )
        result: dict[str, Any] = answer.json()
        return result

    async def message(self, message_id: int) -> dict[str, Any]:
        return next(m for m in await self.messages() if m["message_id"] == message_id)

    async def confirmed(self, order: str) -> None:
        """Asks for an order ('buy 0.01 eth') and confirms its preview: placed."""
        [preview] = await self.ask(order)
        answer = await self.tap(preview["message_id"], button(preview, "Confirm"))
        assert answer["answer"] == "Order placed.", answer


@dataclass
class SandboxChannel:
    """A channel where the bot is an administrator, as its owner posts, edits and adds admins."""

    sandbox: Sandbox
    id: int
    title: str

    @property
    def _path(self) -> str:
        return f"/sandbox/api/channels/{self.id}"

    async def make_admin(self, user_id: int) -> None:
        answer = await self.sandbox.client.post(f"{self._path}/members/{user_id}", json={"title": self.title})
        answer.raise_for_status()

    async def post(self, text: str) -> int:
        answer = await self.sandbox.client.post(
            f"{self._path}/posts", json={"text": text, "title": self.title}
        )
        answer.raise_for_status()
        return int(answer.json()["message_id"])

    async def edit(self, message_id: int, text: str) -> None:
        answer = await self.sandbox.client.patch(f"{self._path}/posts/{message_id}", json={"text": text})
        answer.raise_for_status()


def button(message: dict[str, Any], label_start: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if label_start in b["text"]:
                return str(b["callback_data"])
    raise AssertionError(f"no button {label_start!r} in {message}")


@contextlib.asynccontextmanager
async def serve_sandbox() -> AsyncIterator[Sandbox]:
    state = SandboxState(TOKEN)
    port = free_port()
    app = create_app(always_ok, routers=[sandbox_router(state)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn has no such event
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE_S) as client:
        try:
            yield Sandbox(state, base, client)
        finally:
            server.should_exit = True
            await task


def rules_pipeline(harness: Harness) -> Pipeline:
    """Rules only: the tests' messages are ones the rules read surely, and torch stays unloaded."""
    return Pipeline(
        known_markets=[f"{s}/USDT" for s in ("BTC", "ETH", "SOL", "BNB", "XRP")], use_classifier=False
    )


BotFactory = Callable[..., Any]


async def start_bot(
    sandbox: Sandbox,
    harness: Harness,
    core: Core | None = None,
    storage: BaseStorage | None = None,
    auditor: Auditor | None = None,
    **config: Any,
) -> TelegramBot:
    """`core`: in place of the harness's (one whose exchanges fail, say). `storage`: the conversations' (in
    memory by default)."""
    telegram = telegram_bot(
        core or harness.core,
        harness.prices,
        rules_pipeline(harness),
        BotConfig(**{"throttle_per_second": 1000.0, "throttle_burst": 1000, **config}),
        token=TOKEN,
        api_base=f"{sandbox.base}/sandbox",
        queue=OutgoingQueue(per_second=1000, per_chat_per_second=100, chat_burst=100),
        alert_every_seconds=3600,
        storage=storage,
        auditor=auditor,
    )
    await telegram.start()
    return telegram


WEBHOOK_SECRET = "webhook-secret_0123456789"


@dataclass
class WebhookBot:
    """The bot in webhook mode: it registered its webhook with the sandbox's Bot API stand-in, and updates
    reach it only through the web app's webhook route, posted by the test as Telegram would post them."""

    sandbox: Sandbox
    telegram: TelegramBot
    webhook_path: str

    async def deliver(self, update: dict[str, Any], secret: str | None) -> httpx.Response:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return await self.sandbox.client.post(self.webhook_path, json=update, headers=headers)

    def user_update(self, user_id: int, text: str) -> dict[str, Any]:
        """A message from a user, written into the sandbox's chat (so the bot can answer it there) but not
        queued for getUpdates: the test delivers it."""
        state = self.sandbox.state
        message = state.chat(user_id).add("user", text)
        return {"update_id": 10_000 + message.message_id, "message": state.message_payload(user_id, message)}


@contextlib.asynccontextmanager
async def serve_webhook_bot(
    harness: Harness, secret: str = WEBHOOK_SECRET, **web_config: Any
) -> AsyncIterator[WebhookBot]:
    """The whole web app (its middleware stack: auth, rate limits) with the sandbox and the webhook route on
    one uvicorn server; the bot calls the sandbox's Bot API and registers its webhook there on start.
    `web_config`: WebConfig fields, e.g. rate limits."""
    from bot.telegram.runtime import WEBHOOK_PATH
    from webapp.context import WebConfig, WebContext

    state = SandboxState(TOKEN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    telegram = telegram_bot(
        harness.core,
        harness.prices,
        rules_pipeline(harness),
        BotConfig(throttle_per_second=1000.0, throttle_burst=1000),
        token=TOKEN,
        api_base=f"{base}/sandbox",
        queue=OutgoingQueue(per_second=1000, per_chat_per_second=100, chat_burst=100),
        webhook_url=f"{base}{WEBHOOK_PATH}",
        webhook_secret=secret,
        alert_every_seconds=3600,
    )
    web = WebContext(
        harness.core,
        harness.market,
        WebConfig(
            bot_token=TOKEN, signing_key="webhook-test-signing-key-32-bytes", public_url=base, **web_config
        ),
    )
    app = create_app(always_ok, routers=[sandbox_router(state), telegram.webhook_router()], web=web)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn has no such event
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE_S) as client:
        try:
            await telegram.start()
            yield WebhookBot(Sandbox(state, base, client), telegram, WEBHOOK_PATH)
        finally:
            await telegram.stop()
            server.should_exit = True
            await task
