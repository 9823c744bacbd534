"""Outgoing messages kept to Telegram's limits: about 30 a second in all and about one a second per chat (with a
small burst), and a 429's `retry_after` honoured before the same request is tried again.

It is a request middleware of aiogram's session, so every message the bot sends, from a handler or a job,
queues here: each request reserves the earliest slot both limits allow (virtual scheduling, no lock needed on
one event loop) and waits for it.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.metrics import bot_metrics

log = logging.getLogger(__name__)

LIMITED = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup", "copyMessage"}
)
PRUNE_AT = 10_000


class OutgoingQueue(BaseRequestMiddleware):
    def __init__(
        self,
        per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
        max_retries: int = 3,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._interval = 1 / per_second
        self._global_tolerance = self._interval * (max(per_second, 1) - 1)
        self._chat_interval = 1 / per_chat_per_second
        self._chat_tolerance = self._chat_interval * (chat_burst - 1)
        self._max_retries = max_retries
        self._now = now
        self._sleep = sleep
        self._global_tat = 0.0
        self._chat_tat: dict[Any, float] = {}
        for limited in LIMITED:  # each method's series at 0 from the start, for a rate over it
            bot_metrics().telegram_retry_after.labels(limited)
        self.waited = 0.0  # seconds spent waiting for slots, for the benchmark and the log
        self.retries = 0

    def reserve(self, chat: Any) -> float:
        """Take the next slot for `chat`; the seconds to wait before using it."""
        now = self._now()
        global_tat = max(self._global_tat, now)
        chat_tat = max(self._chat_tat.get(chat, now), now)
        start = max(now, global_tat - self._global_tolerance, chat_tat - self._chat_tolerance)
        self._global_tat = max(global_tat, start) + self._interval
        self._chat_tat[chat] = max(chat_tat, start) + self._chat_interval
        if len(self._chat_tat) > PRUNE_AT:
            self._chat_tat = {k: v for k, v in self._chat_tat.items() if v > now}
        return start - now

    def hold(self, chat: Any, seconds: float) -> None:
        """Nothing more to this chat (and nothing at all while Telegram asks for a pause) for `seconds`."""
        until = self._now() + seconds
        self._chat_tat[chat] = max(self._chat_tat.get(chat, 0.0), until + self._chat_tolerance)
        self._global_tat = max(self._global_tat, until + self._global_tolerance)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ not in LIMITED:
            return await make_request(bot, method)
        with bot_metrics().telegram_outgoing.track_inprogress():
            return await self._send_in_turn(make_request, bot, method)

    async def _send_in_turn(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat = getattr(method, "chat_id", None)
        attempt = 0
        while True:
            wait = self.reserve(chat)
            if wait > 0:
                self.waited += wait
                await self._sleep(wait)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                bot_metrics().telegram_retry_after.labels(method.__api_method__).inc()
                attempt += 1
                if attempt > self._max_retries:
                    raise
                self.retries += 1
                log.warning(
                    "Telegram asked to wait %ss (%s); retrying", error.retry_after, method.__api_method__
                )
                self.hold(chat, error.retry_after)
