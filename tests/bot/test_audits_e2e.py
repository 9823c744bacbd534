"""Auditing a channel through the sandbox: a user sends the channel's export as a file and gets the report
with its equity chart; /audits lists it; a file that is no export gets one sentence and keeps nothing."""

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.telegram.runtime import TelegramBot
from handlers.audit_reader import PipelineReader
from nlp.pipeline import Pipeline
from storage.candles import SqlCandleStore
from tests.audit.exports import START, compass_channel
from tests.audit.history import ScriptedHistory
from tests.audit.html_exports import compass_zip
from tests.bot.sandbox import Sandbox, start_bot
from tests.fakes import ManualClock
from tests.harness import Harness
from trading.domain.audit import AuditRules
from trading.usecases.audits import Auditor

USER = 4242


@pytest.fixture
async def auditing_bot(sandbox: Sandbox, harness: Harness, clock: ManualClock) -> AsyncIterator[TelegramBot]:
    clock.advance((START + timedelta(days=60) - clock.now()).total_seconds())
    reader = PipelineReader(Pipeline(["ETH/USDT", "SOL/USDT", "AVAX/USDT"], use_classifier=False))
    store = SqlCandleStore(harness.engine)
    auditor = Auditor(harness.core, reader, ScriptedHistory(), store, AuditRules(fee_rate=Decimal(0)))
    telegram = await start_bot(sandbox, harness, auditor=auditor)
    try:
        yield telegram
    finally:
        await telegram.stop()


async def send(sandbox: Sandbox, user_id: int, content: bytes, name: str = "result.json") -> int:
    answer = await sandbox.client.post(
        f"/sandbox/api/chats/{user_id}/documents", files={"file": (name, content, "application/json")}
    )
    answer.raise_for_status()
    return int(answer.json()["message_id"])


async def test_an_export_sent_to_the_bot_gets_the_report_and_its_chart(
    sandbox: Sandbox, harness: Harness, auditing_bot: TelegramBot
) -> None:
    chat = sandbox.chat(USER)
    chat.seen = await send(sandbox, USER, compass_channel())
    status, report, chart = await chat.reply(3)
    assert status["text"].startswith("Audit #") and status["text"].endswith("done.")
    assert "Crypto Compass VIP" in report["text"]
    assert "Posts 7 · signals found 2 · read 5 · simulated 2 · entered 2" in report["text"]
    assert "Not read (2): #104" in report["text"]
    assert chart["photo"] is not None and chart["text"].endswith("equity")
    png = await sandbox.client.get(chart["photo"])
    assert png.content.startswith(b"\x89PNG")
    [board] = await chat.ask("/audits")
    assert "1. Crypto Compass VIP" in board["text"]


async def test_a_file_that_is_no_export_gets_one_sentence(
    sandbox: Sandbox, harness: Harness, auditing_bot: TelegramBot
) -> None:
    chat = sandbox.chat(USER + 1)
    chat.seen = await send(sandbox, USER + 1, b"%PDF-1.7 ...", "contract.pdf")
    [answer] = await chat.reply()
    assert answer["text"].startswith("This is not a Telegram channel export")
    [board] = await chat.ask("/audits")
    assert board["text"].startswith("No audits yet")


async def test_the_html_export_zipped_gets_the_same_report(
    sandbox: Sandbox, harness: Harness, auditing_bot: TelegramBot
) -> None:
    chat = sandbox.chat(USER + 2)
    chat.seen = await send(sandbox, USER + 2, compass_zip(), "ChatExport_2026-03-09.zip")
    status, report, _chart = await chat.reply(3)
    assert status["text"].endswith("done.")
    assert "Posts 7 · signals found 2 · read 5 · simulated 2 · entered 2" in report["text"]
    assert "Not read (2): #104" in report["text"]
