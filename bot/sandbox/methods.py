"""The Bot API methods the sandbox answers, with Telegram's request and answer shapes.

Each takes the request's parameters (already decoded from JSON or form fields) and returns the `result`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.files import FileTooBig, Upload
from bot.sandbox.state import BOT_USER, BotApiError, JsonDict, SandboxState

Params = dict[str, Any]
Method = Callable[[SandboxState, Params], Awaitable[Any]]
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram allows in a webhook's secret token


def _int(params: Params, name: str) -> int:
    value = params.get(name)
    if value is None:
        raise BotApiError(400, f"Bad Request: {name} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BotApiError(400, f"Bad Request: {name} must be an integer") from None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _markup(params: Params) -> JsonDict | None:
    markup = _json(params.get("reply_markup"))
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _text(params: Params, name: str = "text") -> str:
    text = params.get(name)
    if not text or not str(text).strip():
        raise BotApiError(400, "Bad Request: message text is empty")
    if len(str(text)) > MAX_TEXT:
        raise BotApiError(400, "Bad Request: message is too long")
    return str(text)


async def get_me(state: SandboxState, params: Params) -> JsonDict:
    return BOT_USER


async def get_updates(state: SandboxState, params: Params) -> list[JsonDict]:
    return await state.get_updates(
        int(params.get("offset") or 0), int(params.get("limit") or 100), float(params.get("timeout") or 0)
    )


async def send_message(state: SandboxState, params: Params) -> JsonDict:
    chat_id = _int(params, "chat_id")
    chat = state.bot_chat(chat_id)
    message = chat.add("bot", _text(params), reply_markup=_markup(params))
    if state.on_bot_message is not None:
        state.on_bot_message(chat_id, message)
    return state.message_payload(chat_id, message)


def _file(state: SandboxState, params: Params, name: str, folder: str, mime_type: str | None = None) -> str:
    """The id of the file sent in field `name`: an upload, kept now, or the id of one kept before."""
    value = params.get(name)
    if isinstance(value, Upload):
        try:
            return state.files.add(value, folder, mime_type).file_id
        except FileTooBig as error:
            raise BotApiError(400, f"Bad Request: file is too big: {error}") from None
    if isinstance(value, str) and state.files.get(value) is not None:
        return value
    raise BotApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


def _caption(params: Params) -> str | None:
    caption = params.get("caption")
    if caption is not None and len(str(caption)) > MAX_CAPTION:
        raise BotApiError(400, "Bad Request: message caption is too long")
    return str(caption) if caption else None


async def send_photo(state: SandboxState, params: Params) -> JsonDict:
    chat_id = _int(params, "chat_id")
    chat = state.bot_chat(chat_id)
    photo = _file(state, params, "photo", "photos", "image/png")  # the bot's charts
    message = chat.add("bot", _caption(params), photo=photo, reply_markup=_markup(params))
    return state.message_payload(chat_id, message)


async def send_document(state: SandboxState, params: Params) -> JsonDict:
    chat_id = _int(params, "chat_id")
    chat = state.bot_chat(chat_id)
    document = _file(state, params, "document", "documents")
    message = chat.add("bot", _caption(params), document=document, reply_markup=_markup(params))
    return state.message_payload(chat_id, message)


async def get_file(state: SandboxState, params: Params) -> JsonDict:
    """A file's path, to download it from the file download path (every file kept is small enough for that)."""
    stored = state.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise BotApiError(400, "Bad Request: invalid file_id")
    return stored.as_file()


async def edit_message_text(state: SandboxState, params: Params) -> JsonDict:
    chat_id = _int(params, "chat_id")
    message = state.bot_message(chat_id, _int(params, "message_id"))
    text, markup = _text(params), _markup(params)
    if text == message.text and markup == message.reply_markup:
        raise BotApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message",
        )
    message.text, message.reply_markup = text, markup
    message.edit_count += 1
    return state.message_payload(chat_id, message)


async def edit_message_reply_markup(state: SandboxState, params: Params) -> JsonDict:
    chat_id = _int(params, "chat_id")
    message = state.bot_message(chat_id, _int(params, "message_id"))
    markup = _markup(params)
    if markup == message.reply_markup:
        raise BotApiError(400, "Bad Request: message is not modified")
    message.reply_markup = markup
    message.edit_count += 1
    return state.message_payload(chat_id, message)


async def delete_message(state: SandboxState, params: Params) -> bool:
    chat_id = _int(params, "chat_id")
    message = state.bot_chat(chat_id).messages.get(_int(params, "message_id"))
    if message is None or message.deleted:
        raise BotApiError(400, "Bad Request: message to delete not found")
    message.deleted = True
    return True


async def answer_callback_query(state: SandboxState, params: Params) -> bool:
    query_id = params.get("callback_query_id")
    if not query_id:
        raise BotApiError(400, "Bad Request: callback_query_id is empty")
    state.answer_callback(str(query_id), params.get("text"))
    return True


async def send_chat_action(state: SandboxState, params: Params) -> bool:
    state.bot_chat(_int(params, "chat_id"))
    return True


async def set_webhook(state: SandboxState, params: Params) -> bool:
    """Recorded, as Telegram would register it (an empty url removes it). Telegram also wants HTTPS on port
    443, 80, 88 or 8443; a local stand-in takes any http(s) address."""
    url = str(params.get("url") or "")
    if not url:
        state.webhook = None
        return True
    if not url.startswith(("http://", "https://")):
        raise BotApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
    state.webhook = {
        "url": url,
        "secret_token": secret,
        "allowed_updates": _json(params.get("allowed_updates")),
    }
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> JsonDict:
    hook = state.webhook or {}
    info: JsonDict = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": state.pending_count,
    }
    if hook.get("allowed_updates"):
        info["allowed_updates"] = hook["allowed_updates"]
    return info


async def delete_webhook(state: SandboxState, params: Params) -> bool:
    state.webhook = None
    return True


async def accept(state: SandboxState, params: Params) -> bool:
    """Methods whose effect the sandbox has no use for: commands, menu button."""
    return True


METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "sendmessage": send_message,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "getfile": get_file,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
    "setmycommands": accept,
    "deletemycommands": accept,
    "setchatmenubutton": accept,
    "setwebhook": set_webhook,
    "getwebhookinfo": get_webhook_info,
    "deletewebhook": delete_webhook,
    "close": accept,
    "logout": accept,
}
