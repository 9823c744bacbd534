"""Notices on the Telegram side: what the notifier drops and what it raises to be tried again, and an alert
watcher whose sends fail still firing every due alert."""

import json
from collections.abc import AsyncGenerator, AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.methods import SendMessage, TelegramMethod

from bot.telegram.alert_watch import AlertWatcher
from bot.telegram.runtime import TelegramNotifier
from tests.bot.sandbox import free_port
from tests.fakes import RecordingNotifier
from tests.harness import Harness, write_notices
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import AlertCondition
from trading.usecases.alerts import active_alerts
from trading.usecases.notices import NoticeDelivery

TOKEN = "42:TEST"
TELEGRAM_ID = 777


class RefusingTelegram(BaseSession):
    """The Bot API answering every request with one error, read by aiogram's own check_response as it reads
    Telegram's answers."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__()
        self.status = status
        self.description = description
        self.requests: list[TelegramMethod[Any]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> Any:
        self.requests.append(method)
        answer = {"ok": False, "error_code": self.status, "description": self.description}
        return self.check_response(bot, method, self.status, json.dumps(answer)).result

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    async def close(self) -> None:
        pass


@pytest.fixture
async def user(harness: Harness) -> int:
    user_id, _ = await harness.user("told", telegram_id=TELEGRAM_ID)
    return user_id


@pytest.fixture
async def unreachable() -> AsyncIterator[Bot]:
    """A bot whose Bot API address has nobody listening: every request fails on the network."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{free_port()}"))
    bot = Bot(TOKEN, session=session)
    try:
        yield bot
    finally:
        await session.close()


@pytest.mark.parametrize(
    ("status", "description"),
    [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: chat not found")],
)
async def test_a_message_telegram_will_never_take_is_dropped_and_its_notice_counts_as_sent(
    harness: Harness, user: int, status: int, description: str, caplog: pytest.LogCaptureFixture
) -> None:
    session = RefusingTelegram(status, description)
    notifier = TelegramNotifier(Bot(TOKEN, session=session), harness.core)

    await notifier.notify(user, "🔔 SOL/USDT is below 120")  # returns: nothing to try again
    [request] = session.requests
    assert isinstance(request, SendMessage) and request.chat_id == TELEGRAM_ID
    assert f"message to user {user} dropped" in caplog.text and description in caplog.text

    await write_notices(harness.core, [(user, "🎯 BTC/USDT target 1 of 2 hit")])
    delivery = NoticeDelivery(harness.core, notifier)
    assert await delivery.deliver() == 1
    assert await delivery.deliver() == 0  # not tried for ever
    assert len(session.requests) == 2


async def test_telegram_down_is_raised_and_the_notice_kept(harness: Harness, user: int) -> None:
    session = RefusingTelegram(502, "Bad Gateway")
    notifier = TelegramNotifier(Bot(TOKEN, session=session), harness.core)
    with pytest.raises(TelegramServerError):
        await notifier.notify(user, "hello")

    await write_notices(harness.core, [(user, "🛑 BTC/USDT stop hit")])
    delivery = NoticeDelivery(harness.core, notifier)
    assert await delivery.deliver() == 0
    assert await delivery.deliver() == 0
    assert len(session.requests) == 3  # tried again on every pass
    async with harness.core.uow(read_only=True) as uow:
        assert [notice.text for notice in await uow.notices.unsent(10)] == ["🛑 BTC/USDT stop hit"]


async def test_a_network_error_is_raised(harness: Harness, user: int, unreachable: Bot) -> None:
    with pytest.raises(TelegramNetworkError):
        await TelegramNotifier(unreachable, harness.core).notify(user, "hello")


async def test_failed_sends_hold_up_no_due_alert_and_go_out_with_the_next_delivery(
    harness: Harness, user: int
) -> None:
    async with harness.core.uow() as uow:
        for threshold in (120, 110):
            await uow.alerts.add(
                user, "SOL/USDT", AlertCondition.BELOW, Decimal(threshold), harness.core.clock.now()
            )
        await uow.commit()
    notifier = RecordingNotifier(failures=1)
    delivery = NoticeDelivery(harness.core, notifier)
    watcher = AlertWatcher(harness.core, harness.prices, AlertIndex(), delivery)
    assert await watcher.load() == 2

    harness.market.set_price("SOL/USDT", Decimal(100))
    assert await watcher.tick() == 2  # the failed send came after both were fired
    assert await active_alerts(harness.core) == [] and notifier.sent == []

    assert await delivery.deliver() == 2  # as the tracker's next pass delivers
    assert sorted(text.split(":")[0] for _, text in notifier.sent) == [
        "🔔 SOL/USDT is below 110.00",
        "🔔 SOL/USDT is below 120.00",
    ]
