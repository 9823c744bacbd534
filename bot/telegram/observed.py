"""Each update observed: its id on the log lines written while it is handled (the log's JSON lines carry it)."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from trading import log_context

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ObservedUpdates(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        token = log_context.update_id.set(event.update_id if isinstance(event, Update) else None)
        try:
            return await handler(event, data)
        finally:
            log_context.update_id.reset(token)
