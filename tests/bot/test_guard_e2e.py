"""Refusals, restarts and odd updates, end to end through the sandbox."""

from typing import Any

from bot.telegram.runtime import TelegramBot
from handlers.render import STALE_BUTTON, TEXT_ONLY
from tests.bot.sandbox import Sandbox, button, start_bot
from tests.harness import Harness

STICKER = {
    "file_id": "s1",
    "file_unique_id": "s1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


async def test_an_unauthorised_user_is_refused_on_messages_and_callbacks(
    sandbox: Sandbox, harness: Harness
) -> None:
    telegram = await start_bot(sandbox, harness, allowed=frozenset({701}))
    try:
        member, stranger = sandbox.chat(701), sandbox.chat(702)
        [preview] = await member.ask("buy 0.01 btc")
        [refusal] = await stranger.ask("buy 0.01 btc")
        assert refusal["text"] == "This bot is private: ask its operator to add your Telegram id 702."
        # The stranger's chat has no bot message of its own to tap; a forged tap on a copy is refused too.
        sandbox.state.chat(702).add("bot", "copy", reply_markup=preview["reply_markup"])
        copy_id = sandbox.state.chat(702).next_id - 1
        answer = await stranger.tap(copy_id, button(preview, "Confirm"))
        assert "private" in answer["answer"]
        assert await harness.count("orders") == 0 and await harness.count("users") == 1
    finally:
        await telegram.stop()


async def test_a_restart_mid_confirmation_keeps_the_draft_confirmable_or_clearly_expired(
    sandbox: Sandbox, harness: Harness, harness_factory: Any
) -> None:
    telegram = await start_bot(sandbox, harness)
    chat = sandbox.chat(711)
    [first] = await chat.ask("buy 0.01 btc")
    [second] = await chat.ask("buy 0.02 btc")
    await telegram.stop()
    restarted = await start_bot(sandbox, harness_factory())
    try:
        answer = await chat.tap(first["message_id"], button(first, "Confirm"))
        assert answer["answer"] == "Order placed."
        harness.clock.advance(600)
        expired = await chat.tap(second["message_id"], button(second, "Confirm"))
        assert "expired" in expired["answer"]
        assert "expired" in (await chat.message(second["message_id"]))["text"]
        assert await harness.count("orders") == 1
    finally:
        await restarted.stop()


async def test_malformed_updates_do_not_crash_the_bot(
    sandbox: Sandbox, bot: TelegramBot, harness: Harness
) -> None:
    chat = sandbox.chat(721)
    [preview] = await chat.ask("buy 0.01 btc")
    for data in (
        "garbage",
        "d:confirm",
        "d:confirm:nosuchid",
        "o:cancel:notanumber",
        "a:delete:999999",
        "q:x:y",
    ):
        answer = await chat.tap(preview["message_id"], data)
        assert answer["ok"] is True or answer.get("description") == "the bot did not answer"
    user = {"id": 721, "is_bot": False, "first_name": "User 721"}
    private = {"id": 721, "type": "private", "first_name": "User 721"}
    # Odd but well-formed, as Telegram sends them: a sticker, a message with nothing in it, an edit, a
    # callback without its message, a post in a channel nobody follows.
    odd: list[dict[str, Any]] = [
        {"message": {"message_id": 900, "date": 0, "chat": private, "from": user, "sticker": STICKER}},
        {"message": {"message_id": 901, "date": 0, "chat": private, "from": user}},
        {"edited_message": {"message_id": 1, "date": 0, "chat": private, "from": user, "text": "sell all"}},
        {"callback_query": {"id": "zz", "from": user, "chat_instance": "1", "data": "d:confirm:abc"}},
        {"channel_post": {"message_id": 5, "date": 0, "chat": {"id": -100, "type": "channel"}, "text": "hi"}},
    ]
    for update in odd:
        await sandbox.push_update(update)
    [text_only] = await chat.reply()  # to the sticker; the rest get no answer
    assert text_only["text"] == TEXT_ONLY
    [still] = await chat.ask("x" * 5000)
    assert "did not understand" in still["text"] or "not sure" in still["text"]
    answer = await chat.tap(preview["message_id"], button(preview, "Confirm"))
    assert answer["answer"] == "Order placed."
    assert await harness.count("orders") == 1


async def test_a_button_no_handler_knows_is_answered_not_left_spinning(
    sandbox: Sandbox, harness: Harness
) -> None:
    telegram = await start_bot(sandbox, harness)
    try:
        chat = sandbox.chat(721)
        [preview] = await chat.ask("buy 0.01 btc")
        out_of_range = (
            "o:cancel:99999999999",
            "a:delete:-1",
            "m:stop:2147483648",
            "x:sync:0x10",
            "p:follow:AbCdEfGh:2147483648",
        )
        for forged in ("no-such-action", "d:nonsense:with:parts", "x" * 64, *out_of_range):
            answer = await chat.tap(preview["message_id"], forged)
            assert answer["answer"] == STALE_BUTTON
        assert await harness.count("orders") == 0
        # the preview's own buttons still work after that
        confirmed = await chat.tap(preview["message_id"], button(preview, "Confirm"))
        assert confirmed["answer"] == "Order placed."
    finally:
        await telegram.stop()
