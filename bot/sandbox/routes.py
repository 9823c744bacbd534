"""The sandbox's HTTP face: the Bot API stand-in (bot side), the user side, and the chat page.

/sandbox/bot<token>/<method>              the bot side, Telegram's shapes
/sandbox/api/chats/{user_id}/...          the user side (see the sandbox contract)
/sandbox                                  the chat page
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import msgspec
from litestar import MediaType, Request, Router, get, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from bot.sandbox.methods import METHODS
from bot.sandbox.page import CHAT_PAGE, CHAT_SCRIPT
from bot.sandbox.state import BotApiError, JsonDict, SandboxState
from webapp.init_data import sign_init_data
from webapp.middleware import NOT_RATE_LIMITED

CALLBACK_ANSWER_TIMEOUT = 15.0


class UserMessage(msgspec.Struct):
    text: str
    forward_from_chat: str | None = None


class UserCallback(msgspec.Struct):
    message_id: int
    data: str


def _telegram_error(error: BotApiError) -> Response[JsonDict]:
    body: JsonDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return Response(body, status_code=error.code)


async def _params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for key, value in form.multi_items():
            params[key] = await value.read() if isinstance(value, UploadFile) else value
    for key, value in list(params.items()):  # "attach://<field>": the upload sent in that field
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"))
    return params


async def _unless_gone(request: Request[Any, Any, Any], long_poll: Awaitable[Any]) -> Any:
    """A long poll's result, or [] as soon as its caller hangs up (a bot whose polling was stopped): otherwise
    the poll holds the server for its whole timeout, and a server shutting down waits for it."""

    async def gone() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    poll, hang_up = asyncio.ensure_future(long_poll), asyncio.ensure_future(gone())
    try:
        await asyncio.wait({poll, hang_up}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hang_up.cancel()
    if not poll.done():
        poll.cancel()
        return []
    return poll.result()


@route("/{bot_token:str}/{method:str}", http_method=["GET", "POST"], status_code=200)
async def bot_api(
    request: Request[Any, Any, Any],
    bot_token: FromPath[str],
    method: FromPath[str],
    sandbox: NamedDependency[SandboxState],
) -> Response[JsonDict]:
    if bot_token != f"bot{sandbox.token}":
        return _telegram_error(BotApiError(401, "Unauthorized"))
    handler = METHODS.get(method.lower())
    if handler is None:
        return _telegram_error(BotApiError(404, "Not Found: method not found"))
    try:
        reply = handler(sandbox, await _params(request))
        if method.lower() == "getupdates":
            reply = _unless_gone(request, reply)
        result = await reply
    except BotApiError as error:
        return _telegram_error(error)
    except (ValueError, TypeError) as error:
        return _telegram_error(BotApiError(400, f"Bad Request: {error}"))
    return Response({"ok": True, "result": result})


@post("/api/chats/{user_id:int}/messages", status_code=200)
async def post_message(
    user_id: FromPath[int], data: JSONBody[UserMessage], sandbox: NamedDependency[SandboxState]
) -> JsonDict:
    return {"message_id": sandbox.user_message(user_id, data.text, data.forward_from_chat)}


@get("/api/chats/{user_id:int}/messages")
async def get_messages(
    user_id: FromPath[int], sandbox: NamedDependency[SandboxState], after: FromQuery[int] = 0
) -> list[JsonDict]:
    return sandbox.messages_after(user_id, after)


@post("/api/chats/{user_id:int}/callbacks", status_code=200)
async def post_callback(
    user_id: FromPath[int], data: JSONBody[UserCallback], sandbox: NamedDependency[SandboxState]
) -> Response[JsonDict]:
    try:
        answer = sandbox.callback(user_id, data.message_id, data.data)
    except BotApiError as error:
        return Response({"ok": False, "answer": None, "description": error.description}, status_code=404)
    try:
        text = await asyncio.wait_for(asyncio.shield(answer), CALLBACK_ANSWER_TIMEOUT)
    except TimeoutError:
        sandbox.forget_callback(answer)
        return Response(
            {"ok": False, "answer": None, "description": "the bot did not answer"}, status_code=504
        )
    return Response({"ok": True, "answer": text})


@post("/api/chats/{user_id:int}/webapp-init-data", status_code=200)
async def webapp_init_data(user_id: FromPath[int], sandbox: NamedDependency[SandboxState]) -> JsonDict:
    user = sandbox.chat(user_id).user
    return {"init_data": sign_init_data(sandbox.token, user, int(time.time()))}


@post("/api/updates", status_code=200)
async def post_update(data: JSONBody[dict[str, Any]], sandbox: NamedDependency[SandboxState]) -> JsonDict:
    """A raw update as Telegram would send it (tests use it for the odd ones: stickers, edits, channel posts)."""
    sandbox.push({key: value for key, value in data.items() if key != "update_id"})
    return {"ok": True}


@get("/api/files/{file_id:str}", media_type="image/png")
async def get_file(file_id: FromPath[str], sandbox: NamedDependency[SandboxState]) -> Response[bytes]:
    content = sandbox.files.get(file_id)
    if content is None:
        return Response(b"", status_code=404)
    return Response(content, media_type="image/png")


@get("/", media_type=MediaType.HTML)
async def chat_page() -> str:
    return CHAT_PAGE


@get("/chat.js", media_type="text/javascript")
async def chat_script() -> str:
    return CHAT_SCRIPT


def sandbox_router(sandbox: SandboxState) -> Router:
    def provide() -> SandboxState:
        return sandbox

    return Router(
        path="/sandbox",
        route_handlers=[
            bot_api,
            post_message,
            get_messages,
            post_callback,
            webapp_init_data,
            post_update,
            get_file,
            chat_page,
            chat_script,
        ],
        dependencies={"sandbox": Provide(provide, sync_to_thread=False)},
        # The bot and the sandbox's user authenticate as Telegram would (the token in the path), not with the
        # web API's bearer tokens.
        opt={"exclude_from_auth": True, NOT_RATE_LIMITED: True},
        include_in_schema=False,  # a stand-in for Telegram, not part of the web API
    )
