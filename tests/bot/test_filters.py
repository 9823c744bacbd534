"""The routers' filters: each awaited on the event loop (aiogram runs a filter that is not a `Filter`, a magic
filter among them, in a worker thread), and plain text straight to the chat."""

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageOriginChannel, MessageOriginUser, Update, User

from bot.telegram.runtime import build_dispatcher
from handlers.chat import PlainChat
from handlers.config import BotConfig
from handlers.filters import HAS_TEXT
from handlers.render import STALE_BUTTON, TEXT_ONLY
from tests.bot.sandbox import rules_pipeline
from tests.harness import Harness
from trading.domain.alert_index import AlertIndex

DATE = datetime(2026, 3, 2, tzinfo=UTC)
PERSON: dict[str, Any] = {"id": 7, "is_bot": False, "first_name": "A"}
PRIVATE: dict[str, Any] = {"id": 7, "type": "private"}


def _message(text: str | None, **fields: Any) -> Message:
    return Message(
        message_id=1,
        date=DATE,
        chat=Chat(id=7, type="private"),
        from_user=User(id=7, is_bot=False, first_name="A"),
        text=text,
        **fields,
    )


async def test_the_text_filter_passes_text_and_only_text() -> None:
    assert await HAS_TEXT(_message("price of btc")) == "price of btc"
    assert not await HAS_TEXT(_message(None))


async def test_only_text_no_feature_router_takes_goes_straight_to_the_chat() -> None:
    plain = PlainChat()
    assert await plain(_message("price of btc"))
    channel = MessageOriginChannel(date=DATE, chat=Chat(id=-5, type="channel"), message_id=3)
    person = MessageOriginUser(date=DATE, sender_user=User(id=9, is_bot=False, first_name="B"))
    assert await plain(_message("BTC long 60000", forward_origin=person))
    taken_elsewhere = [
        await plain(_message("/portfolio")),  # a command
        await plain(_message("0.05"), raw_state="ChangeAmount:waiting"),  # a conversation's answer
        await plain(_message("BTC long 60000", forward_origin=channel)),  # a signal
        await plain(_message(None)),
    ]
    assert taken_elsewhere == [False, False, False, False]


class RecordingSession(BaseSession):
    """Keeps every request and answers it as Telegram would, in brief (as aiogram's own tests' session)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> Any:
        self.requests.append(method)
        if isinstance(method, SendMessage | EditMessageText):
            chat = Chat(id=7, type="private")
            return Message(message_id=len(self.requests), date=DATE, chat=chat, text=method.text)
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""  # nothing here downloads a file

    async def close(self) -> None:
        pass

    def texts(self) -> Iterator[str]:
        for method in self.requests:
            text = getattr(method, "text", None)
            if isinstance(text, str):
                yield text


class RecordingExecutor(ThreadPoolExecutor):
    """The event loop's default executor, where `asyncio.to_thread` sends its work: keeps what was sent."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.sent: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.sent.append(repr(args[0] if args else fn))
        return super().submit(fn, *args, **kwargs)


async def test_no_update_sends_a_filter_to_a_worker_thread(harness: Harness) -> None:
    """Updates that pass every router's filters on their way to the last ones: a command no router knows, a
    sticker, a button no router knows, a forward from a channel and a channel's post."""
    session = RecordingSession()
    bot = Bot("123456:filters", session=session)
    dp = build_dispatcher(harness.core, rules_pipeline(harness), BotConfig(), AlertIndex())
    executor = RecordingExecutor()
    asyncio.get_running_loop().set_default_executor(executor)
    message: dict[str, Any] = {"message_id": 1, "date": DATE, "chat": PRIVATE, "from": PERSON}
    channel: dict[str, Any] = {"id": -5, "type": "channel", "title": "Signals"}
    updates = [
        {"message": {**message, "text": "/nosuch"}},
        {"message": {**message, "sticker": sticker()}},
        {
            "callback_query": {
                "id": "1",
                "from": PERSON,
                "chat_instance": "1",
                "data": "zz:1",
                "message": message,
            }
        },
        {
            "message": {
                **message,
                "text": "hello there",
                "forward_origin": {"type": "channel", "date": DATE, "chat": channel, "message_id": 3},
            }
        },
        {"channel_post": {"message_id": 4, "date": DATE, "chat": channel, "text": "BTC long 60000"}},
    ]
    for update_id, update in enumerate(updates, 1):
        await dp.feed_update(
            bot, Update.model_validate({"update_id": update_id, **update}, context={"bot": bot})
        )

    assert executor.sent == []
    answered = list(session.texts())
    assert TEXT_ONLY in answered and STALE_BUTTON in answered
    assert any("opens no trade" in text for text in answered)  # the forward reached the signals router


def sticker() -> dict[str, Any]:
    return {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
