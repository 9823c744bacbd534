"""The answer types of the Bot API methods the bot calls, each built once for the process.

aiogram reads every answer as `Response[<the method's result>]`, a pydantic generic model. pydantic keeps such a
parametrised model only while something else refers to it (its cache holds weak references), and nothing does
once the answer is read: the next garbage collection drops it, and the next call builds it again, schema and
validator, which costs many times what the call itself does. This request middleware of aiogram's session keeps
one reference to each.
"""

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class KeptResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.kept: dict[Any, type[Response[Any]]] = {}  # a method's result type: its answer's model

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        result = method.__returning__
        if result not in self.kept:
            self.kept[result] = Response[result]  # type: ignore[valid-type]
        return await make_request(bot, method)
