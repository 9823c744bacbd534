"""aiogram's aiohttp session, speaking JSON to the Bot API where it can.

aiogram sends every method as a form, each nested field (a keyboard, an entity list) dumped to JSON on its own,
and reads every answer twice: `json.loads`, then pydantic over the Python objects. The Bot API takes a method
without files as one JSON body, and pydantic validates an answer straight from its text in one pass. Methods
that upload files, and answers that are not a success (errors, `retry_after`), go aiogram's own way, so its
error classes are raised exactly as before.
"""

from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError

JSON_BODY = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
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
        if files:  # an upload: a multipart form, as aiogram builds it
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
        if HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            answer_type: type[Response[TelegramType]] = Response[method.__returning__]  # type: ignore[name-defined]
            try:
                response = answer_type.model_validate_json(content, context={"bot": bot})
            except ValidationError:
                pass  # aiogram's own reading below raises its ClientDecodeError
            else:
                if response.ok:
                    return response
        return super().check_response(bot=bot, method=method, status_code=status_code, content=content)
