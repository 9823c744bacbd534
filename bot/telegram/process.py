"""The bot's part of the composition root: the sandbox (without a token), the pipeline, the bot and the routes
the web app mounts for them."""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import uvicorn
from aiogram.fsm.storage.base import BaseStorage
from litestar import Router

from bot.audits import build_auditor
from bot.channel_senders import email_sender
from bot.container import Container, secret_key
from bot.leadership import Leadership
from bot.sandbox.routes import sandbox_router
from bot.sandbox.state import SandboxState
from bot.settings import Settings
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.runtime import TelegramBot, telegram_bot
from bot.telegram.update_claims import update_claims
from handlers.config import BotConfig
from nlp.pipeline import Pipeline
from trading.ports.jobs import JobQueue
from trading.usecases.audits import Auditor
from webapp.context import derive_key

log = logging.getLogger(__name__)
CONVERSATION_TTL = timedelta(days=1)


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.replace(";", ",").split(",") if part.strip())


def bot_config(settings: Settings) -> BotConfig:
    return BotConfig(
        allowed=_ids(settings.telegram_allowed_users),
        admins=_ids(settings.telegram_admins),
        signal_amount=settings.signal_follow_amount,
        draft_ttl_seconds=settings.draft_ttl_seconds,
        throttle_per_second=settings.telegram_throttle_per_second,
        throttle_burst=settings.telegram_throttle_burst,
        quote=settings.paper_quote,
        dashboard_url=settings.public_base_url,
        login_link_ttl_seconds=settings.login_link_ttl_seconds,
        webhooks_to_loopback=settings.webhooks_to_loopback,
        conversation_secret=derive_key(secret_key(settings), "conversation"),
    )


def redis_storage(url: str, prefix: str = "fsm") -> BaseStorage:
    """Conversations in Redis: shared by every webhook worker and kept across restarts. One left unfinished is
    forgotten after CONVERSATION_TTL: what it holds of an API key is sealed, but need not stay for ever."""
    # Imported here: only a process with REDIS_URL loads the Redis client.
    from aiogram.fsm.storage.base import DefaultKeyBuilder
    from aiogram.fsm.storage.redis import RedisStorage

    return RedisStorage.from_url(
        url,
        key_builder=DefaultKeyBuilder(prefix=prefix),
        state_ttl=CONVERSATION_TTL,
        data_ttl=CONVERSATION_TTL,
    )


@dataclass
class TelegramProcess:
    telegram: TelegramBot
    routers: list[Router] = field(default_factory=list)
    sandbox: SandboxState | None = None
    auditor: Auditor | None = None  # what the process's job queue audits channel exports with

    async def start_when_listening(self, server: uvicorn.Server) -> None:
        """The sandbox is served by the same server: the bot starts polling once it listens."""
        while not server.started and not server.should_exit:  # noqa: ASYNC110 - uvicorn has no such event
            await asyncio.sleep(0.05)
        if server.started:
            await self.telegram.start()


async def build_telegram(
    container: Container, leadership: Leadership | None = None, jobs: JobQueue | None = None
) -> TelegramProcess:
    """`jobs`: the process's queue; without it the bot runs a queue of its own (bot.telegram.runtime)."""
    settings = container.settings
    markets = await container.market.markets()
    pipeline = Pipeline(
        known_markets=list(markets),
        openai_api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        openai_base_url=settings.openai_base_url,
        llm_model=settings.openai_model,
        model_in_background=True,  # no reply waits for the model: the first doubtful one starts its load
    )
    auditor = build_auditor(container, pipeline)
    queue = OutgoingQueue(settings.telegram_rate_per_second, settings.telegram_rate_per_chat)
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    # The bot talks to Telegram or, without a token, to the sandbox: never a chat page with no bot behind it.
    sandbox = SandboxState(settings.sandbox_token) if token is None else None
    api_base = (
        f"http://{settings.tsbot_host}:{settings.tsbot_port}/sandbox"
        if token is None
        else settings.telegram_api_url
    )
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    if secret is None and token and settings.telegram_webhook_url:
        # Never a webhook without a secret: one derived from SECRET_KEY, the same in every webhook worker.
        secret = derive_key(secret_key(settings), "telegram-webhook")
    telegram = telegram_bot(
        container.core,
        container.prices.feed,
        pipeline,
        bot_config(settings),
        token=token or settings.sandbox_token,
        api_base=api_base,
        queue=queue,
        webhook_url=settings.telegram_webhook_url if token else None,
        webhook_secret=secret,
        storage=redis_storage(settings.redis_url) if settings.redis_url else None,
        alert_every_seconds=settings.alert_check_seconds,
        leadership=leadership,
        jobs=jobs,
        email_sender=email_sender(settings),
        auditor=auditor,
        claims=update_claims(
            settings.redis_url,
            timedelta(seconds=settings.telegram_update_lease_seconds),
            container.core.clock,
        ),
    )
    routers = [sandbox_router(sandbox)] if sandbox is not None else []
    if token and settings.telegram_webhook_url:
        routers.append(telegram.webhook_router())
    return TelegramProcess(telegram, routers, sandbox, auditor)
