"""The sandbox's HTTP face: the Bot API stand-in (bot side), the user side, and the chat page.

/sandbox/bot<token>/<method>              the bot side, Telegram's shapes
/sandbox/file/bot<token>/<file_path>      the bot's file downloads (getFile gives the path)
/sandbox/api/chats/{user_id}/...          the user side (see the sandbox contract)
/sandbox/api/channels/{channel_id}/...    channels where the bot is an administrator: posts, edits, admins
/sandbox                                  the chat page
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import msgspec
from litestar import MediaType, Request, Router, get, patch, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from bot.sandbox.files import MAX_FILE_SIZE, FileTooBig, Upload
from bot.sandbox.methods import MAX_CAPTION, MAX_TEXT, METHODS
from bot.sandbox.page import CHAT_PAGE, CHAT_SCRIPT
from bot.sandbox.state import BotApiError, JsonDict, SandboxState
from webapp.init_data import sign_init_data, sign_login_widget
from webapp.middleware import NOT_RATE_LIMITED

CALLBACK_ANSWER_TIMEOUT = 15.0


class UserMessage(msgspec.Struct):
    text: str
    forward_from_chat: str | None = None


class UserCallback(msgspec.Struct):
    message_id: int
    data: str


class ChannelPostBody(msgspec.Struct):
    text: str
    title: str | None = None  # the channel's title, where it is new or renamed


class ChannelEditBody(msgspec.Struct):
    text: str


class ChannelAdminBody(msgspec.Struct):
    title: str | None = None


def _refused(code: int, description: str) -> Response[JsonDict]:
    """A request of the user side the sandbox cannot carry out, and why."""
    return Response({"ok": False, "description": description}, status_code=code)


def _text_refused(text: str) -> Response[JsonDict] | None:
    if not text.strip():
        return _refused(400, "text is empty")
    if len(text) > MAX_TEXT:
        return _refused(400, f"text is longer than {MAX_TEXT} characters, the most Telegram takes")
    return None


def _channel_refused(channel_id: int) -> Response[JsonDict] | None:
    if channel_id >= 0:
        return _refused(400, f"{channel_id} is not a channel's id: those are negative, -100… in Telegram")
    return None


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
            params[key] = await _upload(value) if isinstance(value, UploadFile) else value
    for key, value in list(params.items()):  # "attach://<field>": the upload sent in that field
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"))
    return params


async def _upload(value: UploadFile) -> Upload:
    return Upload(await value.read(), value.filename or None, value.content_type or None)


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


@post("/api/chats/{user_id:int}/login-widget", status_code=200)
async def login_widget(user_id: FromPath[int], sandbox: NamedDependency[SandboxState]) -> JsonDict:
    """What Telegram's Login Widget would hand a page for that user, signed with the sandbox bot's token (the
    dashboard outside Telegram signs in with it where there is no Telegram to show the widget)."""
    user = sandbox.chat(user_id).user
    return sign_login_widget(sandbox.token, user, int(time.time()))


@post("/api/updates", status_code=200)
async def post_update(data: JSONBody[dict[str, Any]], sandbox: NamedDependency[SandboxState]) -> JsonDict:
    """A raw update as Telegram would send it (tests use it for the odd ones: stickers, edits, channel posts)."""
    sandbox.push({key: value for key, value in data.items() if key != "update_id"})
    return {"ok": True}


@post(
    "/api/chats/{user_id:int}/documents",
    status_code=200,
    request_max_body_size=MAX_FILE_SIZE + 64 * 1024,  # the largest file and the rest of its form
)
async def post_document(
    request: Request[Any, Any, Any], user_id: FromPath[int], sandbox: NamedDependency[SandboxState]
) -> Response[JsonDict]:
    """The user sends a file: multipart, the file in field `file`, a caption in field `caption` or none."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _refused(415, "send the file as multipart/form-data, in the field 'file'")
    form = await request.form()
    upload, caption = form.get("file"), form.get("caption")
    if not isinstance(upload, UploadFile):
        return _refused(400, "no file: send it in the multipart field 'file'")
    if caption is not None and (not isinstance(caption, str) or len(caption) > MAX_CAPTION):
        return _refused(400, f"the caption must be text of {MAX_CAPTION} characters at most")
    document = await _upload(upload)
    if not document.content:
        return _refused(400, "the file is empty")
    try:
        message_id = sandbox.user_document(user_id, document, caption)
    except FileTooBig as error:
        return _refused(413, f"the file is too big: {error}")
    return Response({"message_id": message_id})


@post("/api/channels/{channel_id:int}/posts", status_code=200)
async def post_channel_post(
    channel_id: FromPath[int], data: JSONBody[ChannelPostBody], sandbox: NamedDependency[SandboxState]
) -> Response[JsonDict]:
    refused = _channel_refused(channel_id) or _text_refused(data.text)
    if refused is not None:
        return refused
    return Response({"message_id": sandbox.channel_post(channel_id, data.text, data.title)})


@patch("/api/channels/{channel_id:int}/posts/{message_id:int}", status_code=200)
async def edit_channel_post(
    channel_id: FromPath[int],
    message_id: FromPath[int],
    data: JSONBody[ChannelEditBody],
    sandbox: NamedDependency[SandboxState],
) -> Response[JsonDict]:
    refused = _channel_refused(channel_id) or _text_refused(data.text)
    if refused is not None:
        return refused
    try:
        sandbox.edit_channel_post(channel_id, message_id, data.text)
    except BotApiError as error:
        return _refused(error.code, error.description)
    return Response({"ok": True})


@post("/api/channels/{channel_id:int}/members/{user_id:int}", status_code=200)
async def make_admin(
    request: Request[Any, Any, Any],
    channel_id: FromPath[int],
    user_id: FromPath[int],
    sandbox: NamedDependency[SandboxState],
) -> Response[JsonDict]:
    """The user makes the bot an administrator of the channel. No body is needed; a JSON body may give the
    channel's title, where the sandbox has not seen a post of it."""
    refused = _channel_refused(channel_id)
    if refused is not None:
        return refused
    body = await request.body()
    try:
        title = msgspec.json.decode(body, type=ChannelAdminBody).title if body.strip() else None
    except msgspec.DecodeError as error:
        return _refused(400, f"the body is not the JSON expected ({error}); it may be left empty")
    sandbox.make_admin(channel_id, user_id, title)
    return Response({"ok": True})


@get("/api/files/{file_id:str}")
async def get_file(file_id: FromPath[str], sandbox: NamedDependency[SandboxState]) -> Response[bytes]:
    stored = sandbox.files.get(file_id)
    if stored is None:
        return Response(b"", status_code=404)
    return Response(stored.content, media_type=stored.mime_type)


@get("/file/{bot_token:str}/{file_path:path}")
async def download_file(
    bot_token: FromPath[str], file_path: FromPath[str], sandbox: NamedDependency[SandboxState]
) -> Response[Any]:
    """The file download path of Telegram's Bot API, for the path getFile gave."""
    if bot_token != f"bot{sandbox.token}":
        return _telegram_error(BotApiError(401, "Unauthorized"))
    stored = sandbox.files.at(file_path.lstrip("/"))
    if stored is None:
        return _telegram_error(BotApiError(404, "Not Found: file not found"))
    return Response(stored.content, media_type=stored.mime_type)


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
            login_widget,
            post_document,
            post_channel_post,
            edit_channel_post,
            make_admin,
            post_update,
            get_file,
            download_file,
            chat_page,
            chat_script,
        ],
        dependencies={"sandbox": Provide(provide, sync_to_thread=False)},
        # The bot and the sandbox's user authenticate as Telegram would (the token in the path), not with the
        # web API's bearer tokens.
        opt={"exclude_from_auth": True, NOT_RATE_LIMITED: True},
        include_in_schema=False,  # a stand-in for Telegram, not part of the web API
    )
