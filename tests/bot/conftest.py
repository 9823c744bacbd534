from collections.abc import AsyncIterator

import pytest

from bot.telegram.runtime import TelegramBot
from tests.bot.sandbox import Sandbox, serve_sandbox, start_bot
from tests.harness import Harness


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with serve_sandbox() as served:
        yield served


@pytest.fixture
async def bot(sandbox: Sandbox, harness: Harness) -> AsyncIterator[TelegramBot]:
    telegram = await start_bot(sandbox, harness)
    try:
        yield telegram
    finally:
        await telegram.stop()
