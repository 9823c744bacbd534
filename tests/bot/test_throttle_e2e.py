"""Messages over the chat throttle are answered, never dropped in silence."""

import asyncio
import re

from tests.bot.sandbox import Sandbox, UserChat, start_bot
from tests.harness import Harness
from tests.patience import PATIENCE_S

SENT = 12
BURST = 3


async def test_messages_over_the_throttle_are_counted_in_one_answer(
    sandbox: Sandbox, harness: Harness
) -> None:
    # One token a hundred seconds: exactly the burst is read, however fast or slow the messages arrive.
    telegram = await start_bot(sandbox, harness, throttle_per_second=0.01, throttle_burst=BURST)
    try:
        chat = sandbox.chat(720)
        for i in range(SENT):
            await chat.say(f"hi {i}")
        answered, not_read = await _until_all_accounted(chat)
        assert answered == BURST and not_read == SENT - BURST
    finally:
        await telegram.stop()


async def _until_all_accounted(chat: UserChat) -> tuple[int, int]:
    """The bot's answers and the count its slow-down notices give, once they account for every message."""
    async with asyncio.timeout(PATIENCE_S):
        while True:
            bot_messages = [m["text"] for m in await chat.messages() if m["from"] == "bot"]
            notices = [re.match(r"Slow down: (\d+) messages? (?:was|were) not read", t) for t in bot_messages]
            not_read = sum(int(m.group(1)) for m in notices if m)
            answered = sum(1 for m in notices if m is None)
            if answered + not_read >= SENT:
                return answered, not_read
            await asyncio.sleep(0.05)
