"""The sandbox's documents and channels as a bot sees them: aiogram's own client reads the updates into its
types (a channel post from the channel itself, its edit, the bot made an administrator), fetches a user's file
through getFile and the file download path as from Telegram; and the user side refuses what it cannot do with
a clear JSON error."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import BufferedInputFile, ChatMemberAdministrator, Update

from tests.bot.sandbox import TOKEN, Sandbox

CHANNEL = -1001234567890


@pytest.fixture
async def raw_bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """aiogram's Bot on the sandbox, with no dispatcher: the test reads the updates itself."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(f"{sandbox.base}/sandbox")))
    try:
        yield bot
    finally:
        await bot.session.close()


async def updates(bot: Bot) -> list[Update]:
    found = await bot.get_updates()
    if found:
        await bot.get_updates(offset=found[-1].update_id + 1)  # acknowledged, as a polling bot does
    return found


async def test_a_user_s_document_is_fetched_through_get_file_and_the_download_path(
    sandbox: Sandbox, raw_bot: Bot
) -> None:
    export = b'{"name": "Crypto Calls", "messages": []}'
    answer = await sandbox.client.post(
        "/sandbox/api/chats/901/documents",
        files={"file": ("result.json", export, "application/json")},
        data={"caption": "my channel's history"},
    )
    assert answer.status_code == 200
    [update] = await updates(raw_bot)
    message = update.message
    assert message is not None and message.document is not None
    assert message.message_id == answer.json()["message_id"]
    assert message.caption == "my channel's history"
    assert (message.document.file_name, message.document.mime_type) == ("result.json", "application/json")
    assert message.document.file_size == len(export)
    file = await raw_bot.get_file(message.document.file_id)
    assert file.file_path is not None and file.file_size == len(export)
    downloaded = await raw_bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == export


async def test_documents_and_photos_the_bot_sends_are_listed_with_their_address(
    sandbox: Sandbox, raw_bot: Bot
) -> None:
    sandbox.state.chat(902)
    await raw_bot.send_document(902, BufferedInputFile(b"date,pnl\n", "report.csv"), caption="Your report")
    await raw_bot.send_photo(902, BufferedInputFile(b"\x89PNG chart", "chart.png"))
    [document, photo] = await sandbox.chat(902).messages()
    assert (document["from"], document["text"], document["photo"]) == ("bot", "Your report", None)
    assert (photo["document"], photo["text"]) == (None, None)
    served = await sandbox.client.get(document["document"])
    assert served.content == b"date,pnl\n" and served.headers["content-type"].startswith("text/csv")
    assert (await sandbox.client.get(photo["photo"])).content == b"\x89PNG chart"


@pytest.mark.parametrize(
    ("request_args", "status", "says"),
    [
        ({"files": {"other": ("a.txt", b"x")}}, 400, "no file"),
        ({"files": {"file": ("empty.txt", b"")}}, 400, "empty"),
        ({"json": {"file": "a.txt"}}, 415, "multipart"),
        ({"files": {"file": ("big.bin", b"x" * 2049)}}, 413, "too big"),
        ({"files": {"file": ("a.txt", b"x")}, "data": {"caption": "c" * 1025}}, 400, "caption"),
    ],
)
async def test_a_document_that_cannot_be_sent_is_refused_saying_why(
    sandbox: Sandbox, request_args: dict[str, Any], status: int, says: str
) -> None:
    sandbox.state.files.max_size = 2048
    answer = await sandbox.client.post("/sandbox/api/chats/903/documents", **request_args)
    assert answer.status_code == status
    body = answer.json()
    assert body["ok"] is False and says in body["description"]
    assert await sandbox.chat(903).messages() == []


async def test_a_channel_post_and_its_edit_arrive_from_the_channel_itself(
    sandbox: Sandbox, raw_bot: Bot
) -> None:
    path = f"/sandbox/api/channels/{CHANNEL}/posts"
    posted = await sandbox.client.post(path, json={"text": "BTC long 67000", "title": "Crypto Calls"})
    message_id = posted.json()["message_id"]
    edited = await sandbox.client.patch(f"{path}/{message_id}", json={"text": "BTC long 67500"})
    assert edited.json() == {"ok": True}
    [post_update, edit_update] = await updates(raw_bot)
    post, edit = post_update.channel_post, edit_update.edited_channel_post
    assert post is not None and edit is not None
    assert (post.chat.id, post.chat.type, post.chat.title) == (CHANNEL, ChatType.CHANNEL, "Crypto Calls")
    assert post.sender_chat is not None and post.sender_chat.id == CHANNEL and post.from_user is None
    assert (post.message_id, post.text, post.edit_date) == (message_id, "BTC long 67000", None)
    assert (edit.message_id, edit.text, edit.chat.id) == (message_id, "BTC long 67500", CHANNEL)
    assert edit.edit_date is not None


async def test_making_the_bot_an_administrator_is_a_my_chat_member_update_from_that_user(
    sandbox: Sandbox, raw_bot: Bot
) -> None:
    answer = await sandbox.client.post(f"/sandbox/api/channels/{CHANNEL}/members/904")
    assert answer.json() == {"ok": True}
    [update] = await updates(raw_bot)
    member = update.my_chat_member
    assert member is not None
    assert (member.chat.id, member.chat.type, member.from_user.id) == (CHANNEL, ChatType.CHANNEL, 904)
    assert member.old_chat_member.status == ChatMemberStatus.LEFT
    new = member.new_chat_member
    assert isinstance(new, ChatMemberAdministrator)
    assert new.user.id == (await raw_bot.get_me()).id and new.can_post_messages and new.can_edit_messages


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("PATCH", f"/sandbox/api/channels/{CHANNEL}/posts/99", {"text": "x"}, 404, "no post 99"),
        ("POST", f"/sandbox/api/channels/{CHANNEL}/posts", {"title": "Crypto Calls"}, 400, "text"),
        ("POST", f"/sandbox/api/channels/{CHANNEL}/posts", {"text": "  "}, 400, "text is empty"),
        ("POST", f"/sandbox/api/channels/{CHANNEL}/posts", {"text": "x" * 4097}, 400, "longer"),
        ("POST", "/sandbox/api/channels/904/posts", {"text": "BTC long"}, 400, "not a channel"),
        ("POST", "/sandbox/api/channels/904/members/904", None, 400, "not a channel"),
        ("PATCH", f"/sandbox/api/channels/{CHANNEL}/posts/1", {}, 400, "text"),
    ],
)
async def test_a_channel_request_that_cannot_be_carried_out_is_refused_saying_why(
    sandbox: Sandbox,
    raw_bot: Bot,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    says: str,
) -> None:
    await sandbox.client.post(f"/sandbox/api/channels/{CHANNEL}/posts", json={"text": "first"})
    answer = await sandbox.client.request(method, path, json=body)
    assert answer.status_code == status
    assert says in answer.text and answer.headers["content-type"].startswith("application/json")
    assert len(await updates(raw_bot)) == 1  # the first post only
