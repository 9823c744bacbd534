"""The sandbox's memory: chats and their messages, channels and their posts, the update queue the bot polls,
callback answers, files (photos and documents).

One instance per process, living in the event loop that serves the sandbox. Nothing here does I/O.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.files import FileStore, Upload

JsonDict = dict[str, Any]

SANDBOX_TOKEN = "1000001:sandbox-token-not-a-secret"
BOT_USER: JsonDict = {
    "id": 1000001,
    "is_bot": True,
    "first_name": "tsbot",
    "username": "tsbot_sandbox_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# What a channel's owner grants a bot made administrator there, as Telegram's ChatMemberAdministrator lists it.
CHANNEL_ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
    "can_post_messages": True,
    "can_edit_messages": True,
}


class BotApiError(Exception):
    """A refusal in Telegram's own words, e.g. (400, 'Bad Request: message to edit not found')."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass(slots=True)
class ChatMessage:
    message_id: int
    sender: str  # "user" or "bot"
    text: str | None  # the caption of a photo or a document
    date: int
    photo: str | None = None  # a file id
    document: str | None = None  # a file id
    reply_markup: JsonDict | None = None
    edit_count: int = 0
    deleted: bool = False
    extra: JsonDict = field(default_factory=dict)


@dataclass(slots=True)
class Chat:
    user: JsonDict
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_id: int = 1

    def add(self, sender: str, text: str | None, **fields: Any) -> ChatMessage:
        message = ChatMessage(self.next_id, sender, text, int(time.time()), **fields)
        self.messages[message.message_id] = message
        self.next_id += 1
        return message


@dataclass(slots=True)
class ChannelPost:
    message_id: int
    text: str
    date: int
    edit_date: int | None = None


@dataclass(slots=True)
class Channel:
    id: int
    title: str
    posts: dict[int, ChannelPost] = field(default_factory=dict)
    next_id: int = 1

    @property
    def chat(self) -> JsonDict:
        return {"id": self.id, "type": "channel", "title": self.title}

    def post_payload(self, post: ChannelPost) -> JsonDict:
        """A channel post as Telegram sends it: from the channel itself (sender_chat), with no `from`."""
        payload: JsonDict = {
            "message_id": post.message_id,
            "date": post.date,
            "chat": self.chat,
            "sender_chat": self.chat,
            "text": post.text,
        }
        if post.edit_date is not None:
            payload["edit_date"] = post.edit_date
        return payload


def channel_id(title: str) -> int:
    """A stable channel id for a channel named only by its title, in Telegram's -100... form."""
    return -1_000_000_000_000 - zlib.crc32(title.encode())


class SandboxState:
    def __init__(self, token: str = SANDBOX_TOKEN) -> None:
        self.token = token
        self.chats: dict[int, Chat] = {}
        self.channels: dict[int, Channel] = {}
        self.files = FileStore()
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._answers: dict[str, asyncio.Future[str | None]] = {}
        self._arrived: asyncio.Event | None = None
        # Called with (chat id, message) whenever the bot sends a message (the benchmark times replies by it).
        self.on_bot_message: Callable[[int, ChatMessage], None] | None = None
        # What setWebhook registered (url, secret_token, allowed_updates), None while the bot polls. The sandbox
        # does not post to it: a test plays Telegram's side of a webhook itself.
        self.webhook: JsonDict | None = None

    # -- the user side --------------------------------------------------------------------------------------

    def chat(self, user_id: int) -> Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "language_code": "en"}
            chat = self.chats[user_id] = Chat(user)
        return chat

    def user_message(self, user_id: int, text: str, forward_from_chat: str | None = None) -> int:
        chat = self.chat(user_id)
        message = chat.add("user", text)
        payload = self.message_payload(user_id, message)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if forward_from_chat:
            payload["forward_origin"] = {
                "type": "channel",
                "chat": {"id": channel_id(forward_from_chat), "type": "channel", "title": forward_from_chat},
                "message_id": message.message_id,
                "date": message.date,
            }
        self.push({"message": payload})
        return message.message_id

    def user_document(self, user_id: int, upload: Upload, caption: str | None = None) -> int:
        """The user sends a file (a channel's history export, say), with a caption or none."""
        stored = self.files.add(upload, "documents")
        chat = self.chat(user_id)
        message = chat.add("user", caption or None, document=stored.file_id)
        self.push({"message": self.message_payload(user_id, message)})
        return message.message_id

    # -- channels where the bot is an administrator -----------------------------------------------------------

    def channel(self, channel_id: int, title: str | None = None) -> Channel:
        """The channel, known from now on; `title`: its title now (a channel may be renamed)."""
        channel = self.channels.get(channel_id)
        if channel is None:
            channel = self.channels[channel_id] = Channel(channel_id, title or f"Channel {channel_id}")
        elif title:
            channel.title = title
        return channel

    def channel_post(self, channel_id: int, text: str, title: str | None = None) -> int:
        channel = self.channel(channel_id, title)
        post = ChannelPost(channel.next_id, text, int(time.time()))
        channel.posts[post.message_id] = post
        channel.next_id += 1
        self.push({"channel_post": channel.post_payload(post)})
        return post.message_id

    def edit_channel_post(self, channel_id: int, message_id: int, text: str) -> None:
        channel = self.channels.get(channel_id)
        post = channel.posts.get(message_id) if channel is not None else None
        if channel is None or post is None:
            raise BotApiError(404, f"Not Found: channel {channel_id} has no post {message_id}")
        post.text, post.edit_date = text, int(time.time())
        self.push({"edited_channel_post": channel.post_payload(post)})

    def make_admin(self, channel_id: int, user_id: int, title: str | None = None) -> None:
        """The user, the channel's owner, makes the bot an administrator of the channel."""
        channel, user = self.channel(channel_id, title), self.chat(user_id).user
        self.push(
            {
                "my_chat_member": {
                    "chat": channel.chat,
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": BOT_USER},
                    "new_chat_member": {"status": "administrator", "user": BOT_USER, **CHANNEL_ADMIN_RIGHTS},
                }
            }
        )

    def callback(self, user_id: int, message_id: int, data: str) -> asyncio.Future[str | None]:
        update, answer = self.callback_query(user_id, message_id, data)
        self.push(update)
        return answer

    def callback_query(
        self, user_id: int, message_id: int, data: str
    ) -> tuple[JsonDict, asyncio.Future[str | None]]:
        """A tap on a bot message's button, as an update without its id (a webhook's test posts it itself), and
        the future of the bot's answer."""
        chat = self.chat(user_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted or message.sender != "bot":
            raise BotApiError(404, "Not Found: no such bot message in this chat")
        query_id = f"{next(self._callback_ids)}{secrets.token_hex(4)}"
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._answers[query_id] = answer
        query = {
            "id": query_id,
            "from": chat.user,
            "message": self.message_payload(user_id, message),
            "chat_instance": str(user_id),
            "data": data,
        }
        return {"callback_query": query}, answer

    def forget_callback(self, query_id_future: asyncio.Future[str | None]) -> None:
        for key, value in list(self._answers.items()):
            if value is query_id_future:
                del self._answers[key]

    def messages_after(self, user_id: int, after: int) -> list[JsonDict]:
        chat = self.chat(user_id)
        return [
            {
                "message_id": m.message_id,
                "from": m.sender,
                "text": m.text,
                "photo": f"/sandbox/api/files/{m.photo}" if m.photo else None,
                "document": f"/sandbox/api/files/{m.document}" if m.document else None,
                "reply_markup": m.reply_markup,
                "edit_count": m.edit_count,
            }
            for m in chat.messages.values()
            if m.message_id > after and not m.deleted
        ]

    def push(self, update: JsonDict) -> None:
        self._updates.append({"update_id": next(self._update_ids), **update})
        if self._arrived is not None:
            self._arrived.set()

    # -- the bot side ---------------------------------------------------------------------------------------

    @property
    def pending_count(self) -> int:
        """Updates not yet fetched by the bot (getWebhookInfo's pending_update_count)."""
        return len(self._updates)

    async def get_updates(self, offset: int, limit: int, wait: float) -> list[JsonDict]:
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and wait > 0:
            if self._arrived is None:
                self._arrived = asyncio.Event()
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), wait)
            except TimeoutError:
                return []
        return self._updates[: max(1, min(limit, 100))]

    def answer_callback(self, query_id: str, text: str | None) -> None:
        answer = self._answers.pop(query_id, None)
        if answer is None:
            raise BotApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if not answer.done():
            answer.set_result(text)

    def bot_chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        return chat

    def bot_message(self, chat_id: int, message_id: int) -> ChatMessage:
        message = self.bot_chat(chat_id).messages.get(message_id)
        if message is None or message.deleted:
            raise BotApiError(400, "Bad Request: message to edit not found")
        return message

    def message_payload(self, chat_id: int, message: ChatMessage) -> JsonDict:
        chat = self.chat(chat_id)
        payload: JsonDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": {"id": chat_id, "type": "private", "first_name": chat.user["first_name"]},
            "from": BOT_USER if message.sender == "bot" else chat.user,
        }
        if message.photo:
            payload["photo"] = [
                {"file_id": message.photo, "file_unique_id": message.photo[:16], "width": 800, "height": 600}
            ]
            if message.text:
                payload["caption"] = message.text
        elif message.document:
            stored = self.files.get(message.document)
            assert stored is not None  # a message's file is kept as long as the message
            payload["document"] = stored.as_document()
            if message.text:
                payload["caption"] = message.text
        elif message.text is not None:
            payload["text"] = message.text
        if message.edit_count:
            payload["edit_date"] = int(time.time())
        if message.reply_markup:
            payload["reply_markup"] = message.reply_markup
        return payload
