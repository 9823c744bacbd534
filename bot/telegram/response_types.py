"""Keeps aiogram's answer models alive between requests.

aiogram validates every Bot API answer as `Response[<the method's result type>]`, a pydantic generic class made
on first use. Pydantic caches those classes only weakly, so a garbage collection soon after drops them and the
next request builds the class, its whole schema, again: 1 to 4 ms of CPU for sendMessage, more for getUpdates
(Response[list[Update]]), measured once every two or three requests under load in bench.bot. Holding one
strong reference per method type turns that back into the dictionary lookup pydantic meant it to be.
"""

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class ResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._kept: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    def keep(self, method: type[TelegramMethod[Any]]) -> type[Response[Any]]:
        """The answer model of `method`, made once and kept for the life of the session."""
        kept = self._kept.get(method)
        if kept is None:
            kept = self._kept[method] = Response[method.__returning__]  # type: ignore[name-defined]
        return kept

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        self.keep(type(method))
        return await make_request(bot, method)
