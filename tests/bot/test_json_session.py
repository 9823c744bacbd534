"""tsbot's Bot API session over HTTP, against a stand-in that records each request and gives a set answer."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.telegram.json_session import JsonSession, send_unread
from tests.bot.sandbox import free_port

TOKEN = "123456:session-token"
MESSAGE = {"message_id": 7, "date": 1_700_000_000, "chat": {"id": 42, "type": "private"}, "text": "hi"}


class StandIn:
    """Answers each request with the next (status, body) queued, and keeps what it was sent."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, str]] = []
        self.requests: list[tuple[str, str, bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, request.content_type, await request.read()))
        status, body = self.answers.pop(0)
        return web.Response(status=status, text=body, content_type="application/json")


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, Bot]]:
    stand_in = StandIn()
    app = web.Application()
    app.router.add_post("/{path:.*}", stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    bot = Bot(TOKEN, session=JsonSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}")))
    try:
        yield stand_in, bot
    finally:
        await bot.session.close()
        await runner.cleanup()


def ok(result: Any) -> tuple[int, str]:
    return 200, json.dumps({"ok": True, "result": result})


async def test_a_method_goes_as_one_json_body_and_its_answer_is_read_into_aiograms_types(
    stand_in: tuple[StandIn, Bot],
) -> None:
    server, bot = stand_in
    server.answers.append(ok(MESSAGE))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Confirm", callback_data="c:1")]]
    )
    sent = await bot.send_message(42, "hi", reply_markup=keyboard, disable_notification=False)

    path, content_type, body = server.requests[0]
    assert path == f"/bot{TOKEN}/sendMessage"
    assert content_type == "application/json"
    assert json.loads(body) == {
        "chat_id": 42,
        "text": "hi",
        "reply_markup": {"inline_keyboard": [[{"text": "Confirm", "callback_data": "c:1"}]]},
        "disable_notification": False,
    }
    assert (sent.message_id, sent.chat.id, sent.text) == (7, 42, "hi")
    assert sent.bot is bot  # bound, so that sent.edit_text() and the like work


async def test_an_upload_goes_as_a_multipart_form(stand_in: tuple[StandIn, Bot]) -> None:
    server, bot = stand_in
    server.answers.append(ok({**MESSAGE, "text": None, "photo": []}))
    await bot.send_photo(42, BufferedInputFile(b"\x89PNG", "chart.png"), caption="Equity")

    path, content_type, body = server.requests[0]
    assert (path, content_type) == (f"/bot{TOKEN}/sendPhoto", "multipart/form-data")
    assert b"chart.png" in body and b"\x89PNG" in body and b"Equity" in body


async def test_too_many_requests_raises_retry_after_with_telegrams_wait(
    stand_in: tuple[StandIn, Bot],
) -> None:
    server, bot = stand_in
    server.answers.append(
        (
            429,
            json.dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 7",
                    "parameters": {"retry_after": 7},
                }
            ),
        )
    )
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(42, "hi")
    assert raised.value.retry_after == 7


async def test_a_refusal_raises_aiograms_error_with_telegrams_description(
    stand_in: tuple[StandIn, Bot],
) -> None:
    server, bot = stand_in
    refusal = {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
    server.answers.append((400, json.dumps(refusal)))
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(42, " ")


async def test_an_answer_that_is_not_the_methods_result_raises_a_decode_error(
    stand_in: tuple[StandIn, Bot],
) -> None:
    server, bot = stand_in
    server.answers.append((200, "<html>bad gateway</html>"))
    with pytest.raises(ClientDecodeError):
        await bot.send_message(42, "hi")
    server.answers.append(ok({"message_id": "not a number"}))
    with pytest.raises(ClientDecodeError):
        await bot.send_message(42, "hi")


async def test_a_reply_sent_unread_is_checked_but_its_answer_not_read(stand_in: tuple[StandIn, Bot]) -> None:
    """Replies go out as ever; a refusal or a garbled answer still raises, and what is read after is read whole."""
    server, bot = stand_in
    server.answers.append(ok({"message_id": "not a number"}))  # read, this would raise ClientDecodeError
    await send_unread(bot.send_message(42, "hi"))
    path, _, body = server.requests[0]
    assert path == f"/bot{TOKEN}/sendMessage" and json.loads(body) == {"chat_id": 42, "text": "hi"}

    server.answers.append(
        (400, json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: x"}))
    )
    with pytest.raises(TelegramBadRequest, match="Bad Request: x"):
        await send_unread(bot.send_message(42, "hi"))
    server.answers.append((200, "<html>bad gateway</html>"))
    with pytest.raises(ClientDecodeError):
        await send_unread(bot.edit_message_text("hi", chat_id=42, message_id=7))
    server.answers.append(
        (200, json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: y"}))
    )
    with pytest.raises(TelegramAPIError, match="Bad Request: y"):  # ok false, with a 200
        await send_unread(bot.send_message(42, "hi"))

    server.answers.append(ok(MESSAGE))
    sent = await bot.send_message(42, "hi")  # outside send_unread: read into aiogram's types
    assert (sent.message_id, sent.text) == (7, "hi")
