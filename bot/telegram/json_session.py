"""aiogram's aiohttp session, speaking JSON to the Bot API where it can, with its answer models kept.

aiogram sends every method as a form, each nested field (a keyboard, an entity list) dumped to JSON on its
own, and reads every answer twice: `json.loads`, then pydantic over the Python objects. The Bot API takes a
method without files as one JSON body, and pydantic validates an answer straight from its text in one pass.
Methods that upload files, and answers that are not a success (errors, `retry_after`), go aiogram's own way,
so its error classes are raised exactly as before.

aiogram validates an answer as `Response[<the method's result type>]`, a pydantic generic class made on first
use. Pydantic caches those classes only weakly, so a garbage collection soon after drops them and the next
request builds the class, its whole schema, again: 1 to 4 ms of CPU for sendMessage, more for getUpdates,
measured once every two or three requests under load in bench.bot. The session holds one per method type.

A method sent through `send_unread` has its answer checked but not read: Telegram answers a sent or edited
message with the whole message, keyboard included, and validating it into aiogram's models (a Python hook on
every nested object) cost about as much as sending it, for a reply whose sender never looks at it. A refusal
still raises aiogram's error, as does an answer that is not JSON.
"""

from collections.abc import Awaitable
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, cast

import msgspec
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError

JSON_BODY = {"Content-Type": "application/json"}


class _Status(msgspec.Struct):
    ok: bool


_read_status = msgspec.json.Decoder(_Status).decode
_UNREAD: ContextVar[bool] = ContextVar("telegram_answer_unread", default=False)
_UNREAD_OK: Response[Any] = Response[Any](ok=True)


async def send_unread(request: Awaitable[object]) -> None:
    """Make `request` (a bound method such as `message.answer(...)`, or a call such as `bot.send_message(...)`),
    its answer checked but not read. On another session than this one, the answer is read as usual."""
    token = _UNREAD.set(True)
    try:
        await request
    finally:
        _UNREAD.reset(token)


def _succeeded(content: str) -> bool:
    try:
        return _read_status(content).ok
    except msgspec.DecodeError:
        return False  # aiogram's own reading raises its error for it


class JsonSession(AiohttpSession):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._answer_types: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    def answer_type(self, method: type[TelegramMethod[TelegramType]]) -> type[Response[TelegramType]]:
        """The answer model of `method`, made once and kept for the life of the session."""
        kept = self._answer_types.get(method)
        if kept is None:
            kept = self._answer_types[method] = Response[method.__returning__]  # type: ignore[name-defined]
        return kept

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        files: dict[str, Any] = {}
        fields = self.prepare_value(
            method.model_dump(warnings=False), bot=bot, files=files, _dumps_json=False
        )
        if files:  # an upload: a multipart form, as aiogram builds it; its answer read by check_response
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(fields),
                headers=JSON_BODY,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as answer:
                content = await answer.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            raise TelegramNetworkError(method=method, message=f"{type(error).__name__}: {error}") from error
        response = self.check_response(bot=bot, method=method, status_code=answer.status, content=content)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        answer_type = self.answer_type(type(method))
        if HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            if _UNREAD.get() and _succeeded(content):
                return cast(Response[TelegramType], _UNREAD_OK)
            try:
                response = answer_type.model_validate_json(content, context={"bot": bot})
            except ValidationError:
                pass  # aiogram's own reading below raises its ClientDecodeError
            else:
                if response.ok:
                    return response
        return super().check_response(bot=bot, method=method, status_code=status_code, content=content)
