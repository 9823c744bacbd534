"""Outer middlewares on every update: who may use the bot, per-user throttling, and the user's account."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TelegramUser

from handlers.config import BotConfig
from trading.domain.accounts import User
from trading.metrics import active_users
from trading.usecases.accounts import register_user
from trading.usecases.core import Core

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
NOT_ALLOWED = "This bot is private: ask its operator to add your Telegram id {id}."
SLOW_DOWN = "Too many requests at once; wait a moment and try again."
NOT_READ = "Slow down: {count} {noun} not read. Send again what you need, one message at a time."


async def _refuse(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.message is not None:
        await update.message.answer(text)


class AccessMiddleware(BaseMiddleware):
    """The allow-list and admins from the settings; updates without a person (channel posts) pass."""

    def __init__(self, config: BotConfig) -> None:
        self._config = config

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        person: TelegramUser | None = data.get("event_from_user")
        if person is None or person.is_bot or self._config.may_use(person.id):
            return await handler(event, data)
        log.info("refused Telegram user %s", person.id)
        if isinstance(event, Update):
            await _refuse(event, NOT_ALLOWED.format(id=person.id))
        return None


class ThrottleMiddleware(BaseMiddleware):
    """At most `rate` updates a second per person with a burst of `burst`. What is refused is never dropped in
    silence: once the person has been quiet for `quiet` seconds, one message says how many were not read."""

    def __init__(
        self, rate: float, burst: int, now: Callable[[], float] = time.monotonic, quiet: float = 1.0
    ) -> None:
        self._interval = 1 / rate
        self._tolerance = self._interval * (burst - 1)
        self._tat: dict[int, float] = {}
        self._now = now
        self._quiet = quiet
        self._refused: dict[int, int] = {}  # per chat: messages not read since the last notice
        self._notices: dict[int, asyncio.Task[None]] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        person: TelegramUser | None = data.get("event_from_user")
        if person is None:
            return await handler(event, data)
        now = self._now()
        tat = max(self._tat.get(person.id, now), now)
        if tat - self._tolerance > now:
            if isinstance(event, Update):
                await self._refuse(event, data.get("bot"))
            return None
        self._tat[person.id] = tat + self._interval
        if len(self._tat) > 10_000:
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        return await handler(event, data)

    async def _refuse(self, update: Update, bot: Bot | None) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(SLOW_DOWN, show_alert=True)
        elif update.message is not None and bot is not None:
            chat_id = update.message.chat.id
            self._refused[chat_id] = self._refused.get(chat_id, 0) + 1
            pending = self._notices.pop(chat_id, None)
            if pending is not None:
                pending.cancel()  # still coming: one notice once they pause
            self._notices[chat_id] = asyncio.create_task(self._tell(bot, chat_id))

    async def _tell(self, bot: Bot, chat_id: int) -> None:
        await asyncio.sleep(self._quiet)
        self._notices.pop(chat_id, None)
        count = self._refused.pop(chat_id, 0)
        noun = "message was" if count == 1 else "messages were"
        await bot.send_message(chat_id, NOT_READ.format(count=count, noun=noun))


class UserMiddleware(BaseMiddleware):
    """The person's user (registered with a funded paper account on first contact), as `user`."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._known: dict[int, User] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        person: TelegramUser | None = data.get("event_from_user")
        if person is not None and not person.is_bot:
            user = self._known.get(person.id)
            if user is None:
                user, _ = await register_user(self._core, person.full_name[:100] or str(person.id), person.id)
                if len(self._known) > 100_000:
                    self._known.clear()
                self._known[person.id] = user
            data["user"] = user
            active_users().seen(user.id)
        return await handler(event, data)
