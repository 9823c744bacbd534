"""The bot's runtime: the Bot (its session queued to Telegram's limits), the Dispatcher with one router per
feature and its middlewares, polling or the webhook route, the command menu, the alert watcher and the
delivery of notices."""

import asyncio
import contextlib
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import BotCommand, BufferedInputFile, MenuButtonCommands, Update
from litestar import Request, Router, post
from litestar.response import Response
from pydantic import ValidationError

from bot.clock import SystemClock
from bot.jobs import JobServices, job_functions, local_queue
from bot.leadership import Leadership
from bot.telegram.alert_watch import AlertWatcher
from bot.telegram.observed import ObservedUpdates
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.response_types import KeptResponseTypes
from bot.telegram.sealed import ConversationSealer
from bot.telegram.update_claims import Claim, MemoryUpdateClaims, UpdateClaims
from handlers.charts import PortfolioCharts
from handlers.config import BotConfig
from handlers.middlewares import AccessMiddleware, ThrottleMiddleware, UserMiddleware
from handlers.portfolio import CHART_CAPTION, chart_png
from handlers.routers import make_routers
from nlp.pipeline import Pipeline
from trading.domain.alert_index import AlertIndex
from trading.jobs.local import LocalJobQueue
from trading.ports import PriceFeed
from trading.ports.jobs import JobQueue
from trading.ports.outside import EmailSender
from trading.usecases.audits import Auditor
from trading.usecases.core import Core
from trading.usecases.notices import NoticeDelivery
from trading.usecases.signals import telegram_id_of
from webapp.middleware import NOT_RATE_LIMITED

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
COMMANDS = [
    BotCommand(command="help", description="What I can do, with examples"),
    BotCommand(command="portfolio", description="Balances, positions and a chart"),
    BotCommand(command="pnl", description="P&L by day and week"),
    BotCommand(command="alerts", description="Your price alerts"),
    BotCommand(command="sources", description="Signal sources, their statistics and settings"),
    BotCommand(command="audits", description="Your audits of channels (send an export to audit one)"),
    BotCommand(command="accounts", description="Exchange accounts"),
    BotCommand(command="risk", description="Your risk limits, and setting your own"),
    BotCommand(command="dashboard", description="A one-time link to the web dashboard"),
]


def build_dispatcher(
    core: Core,
    pipeline: Pipeline,
    config: BotConfig,
    alert_index: AlertIndex,
    storage: BaseStorage | None = None,
    jobs: JobQueue | None = None,
    email_sender: EmailSender | None = None,
) -> Dispatcher:
    """`jobs`: where the chat's automations enqueue (a queue of its own, never run, where none is given);
    `email_sender`: what sends e-mail verification codes (none: e-mail is not offered)."""
    dp = Dispatcher(
        email_sender=email_sender,
        storage=storage or MemoryStorage(),
        core=core,
        jobs=jobs or LocalJobQueue(core.clock, {}),
        pipeline=pipeline,
        config=config,
        alert_index=alert_index,
        charts=PortfolioCharts(),
        sealer=ConversationSealer(config.conversation_secret),
    )
    dp.update.outer_middleware(ObservedUpdates())
    dp.update.outer_middleware(AccessMiddleware(config))
    dp.update.outer_middleware(ThrottleMiddleware(config.throttle_per_second, config.throttle_burst))
    dp.update.outer_middleware(UserMiddleware(core))
    dp.include_routers(*make_routers())
    return dp


def build_bot(token: str, api_base: str | None, queue: OutgoingQueue) -> Bot:
    """`api_base`: the sandbox's address (http://host:port/sandbox), or None for Telegram itself."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
    session.middleware(KeptResponseTypes())
    session.middleware(queue)
    return Bot(token, session=session)


class TelegramNotifier:
    """A message Telegram will never take (the user blocked the bot, the chat is gone) is logged and dropped, so
    that its notice counts as sent rather than held for ever in front of the others; any other error (Telegram
    or the network down) is raised, and the notice tried again."""

    def __init__(self, bot: Bot, core: Core) -> None:
        self._bot = bot
        self._core = core

    async def notify(self, user_id: int, text: str, with_chart: bool = False) -> None:
        telegram_id = await telegram_id_of(self._core, user_id)
        if telegram_id is None:
            return
        try:
            await self._bot.send_message(telegram_id, text)
            if with_chart:
                png = await chart_png(self._core, user_id)
                photo = BufferedInputFile(png, "portfolio.png")
                await self._bot.send_photo(telegram_id, photo, caption=CHART_CAPTION)
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            log.warning("message to user %s dropped, Telegram refuses it: %s", user_id, error)


@dataclass
class TelegramBot:
    bot: Bot
    dp: Dispatcher
    watcher: AlertWatcher
    notices: NoticeDelivery  # the process's one delivery, shared with the order tracker
    own_jobs: LocalJobQueue | None = None  # run by the bot where the process gave it no queue
    webhook_url: str | None = None
    webhook_secret: str | None = None
    alert_every_seconds: float = 1.0
    claims: UpdateClaims = field(default_factory=lambda: MemoryUpdateClaims(SystemClock()))
    _polling: asyncio.Task[None] | None = None
    _jobs_running: asyncio.Task[None] | None = None
    _jobs_stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        if self.own_jobs is not None:
            self._jobs_running = asyncio.create_task(self.own_jobs.run(self._jobs_stop))
        await self.watcher.load()
        self.watcher.start(self.alert_every_seconds)
        try:
            await self.bot.set_my_commands(COMMANDS)
            await self.bot.set_chat_menu_button(menu_button=MenuButtonCommands())
        except Exception:  # the menu is a nicety: a bot that cannot set it still works
            log.warning("could not set the command menu", exc_info=True)
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=self.dp.resolve_used_update_types(),
            )
        else:
            self._polling = asyncio.create_task(
                self.dp.start_polling(
                    self.bot, handle_signals=False, close_bot_session=False, polling_timeout=10
                )
            )

    async def stop_updates(self) -> None:
        """Polling ended, its long poll hung up; nothing to do for a webhook (the server finishes its requests)."""
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started yet, or has stopped
                await self.dp.stop_polling()
            await asyncio.gather(self._polling, return_exceptions=True)

    async def stop(self) -> None:
        self.watcher.stop()
        await self.stop_updates()
        self._jobs_stop.set()
        if self._jobs_running is not None:
            await self._jobs_running
        await self.claims.close()
        await self.bot.session.close()
        await self.dp.storage.close()

    async def handle_once(self, update: Update) -> Response[dict[str, bool]]:
        """Handled before the answer, once across the workers (bot.telegram.update_claims): a worker killed
        mid-update never answered 200, so Telegram posts it again, and the retry is handled once its claim
        lapses. Another worker's claim still held is answered 503, which Telegram also retries."""
        claim = await self.claims.claim(update.update_id)
        if claim is Claim.DONE:
            return Response({"ok": True})
        if claim is Claim.BUSY:
            return Response({"ok": False}, status_code=503, headers={"Retry-After": "1"})
        try:
            await self.dp.feed_update(self.bot, update)
        except (
            TelegramBadRequest
        ):  # no retry can cure it (a tap answered already, say): done, the cause logged
            log.warning("update %s refused by Telegram", update.update_id, exc_info=True)
        except Exception:  # the update stays unhandled: free for Telegram's retry, the cause logged
            await self.claims.release(update.update_id)
            log.exception("update %s failed; Telegram will post it again", update.update_id)
            return Response({"ok": False}, status_code=500)
        await self.claims.done(update.update_id)
        return Response({"ok": True})

    def webhook_router(self) -> Router:
        """Served at the webhook address's own path, where Telegram posts."""
        path = urlsplit(self.webhook_url).path if self.webhook_url else WEBHOOK_PATH

        @post(path, status_code=200)
        async def webhook(request: Request[Any, Any, Any]) -> Response[dict[str, bool]]:
            given = request.headers.get(SECRET_HEADER, "")
            if not self.webhook_secret or not hmac.compare_digest(given, self.webhook_secret):
                return Response({"ok": False}, status_code=401)
            # Read here, not in the background task: a body that is no update is answered with a 400, not a
            # 500 from the route or an error in a task nobody awaits.
            try:
                update = Update.model_validate_json(await request.body(), context={"bot": self.bot})
            except ValidationError:
                return Response({"ok": False}, status_code=400)
            return await self.handle_once(update)

        return Router(
            path="/",
            route_handlers=[webhook],
            opt={"exclude_from_auth": True, NOT_RATE_LIMITED: True},
            include_in_schema=False,  # Telegram's to call, not part of the web API
        )


def telegram_bot(
    core: Core,
    prices: PriceFeed,
    pipeline: Pipeline,
    config: BotConfig,
    *,
    token: str,
    api_base: str | None,
    queue: OutgoingQueue,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    storage: BaseStorage | None = None,
    alert_every_seconds: float = 1.0,
    leadership: Leadership | None = None,
    jobs: JobQueue | None = None,
    email_sender: EmailSender | None = None,
    auditor: Auditor | None = None,
    claims: UpdateClaims | None = None,
) -> TelegramBot:
    """`jobs`: the process's queue; without one, the bot runs a queue of its own while it runs, with `auditor`
    auditing the channel exports users send. `claims`: the webhook's updates handled
    (bot.telegram.update_claims); in this process where none are given."""
    index = AlertIndex()
    bot = build_bot(token, api_base, queue)
    notices = NoticeDelivery(core, TelegramNotifier(bot, core))
    own_jobs = None
    if jobs is None:
        own_jobs = jobs = local_queue(core.clock, concurrency=10)
        own_jobs.add_functions(job_functions(JobServices(core, own_jobs, notices, auditor=auditor)))
    dp = build_dispatcher(core, pipeline, config, index, storage, jobs, email_sender)
    watcher = AlertWatcher(core, prices, index, notices, leadership)
    return TelegramBot(
        bot,
        dp,
        watcher,
        notices,
        own_jobs,
        webhook_url,
        webhook_secret,
        alert_every_seconds,
        claims or MemoryUpdateClaims(core.clock),
    )
