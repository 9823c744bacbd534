"""Auditing a channel from chat: the user sends its Telegram Desktop export (result.json) as a file; the audit
runs as a job on the process's queue (in process, or on Redis for `tsbot worker`s), its progress edited into
one message, and the report comes with its equity chart. /audits lists the user's audits."""

import asyncio
import time
from collections.abc import Mapping

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from handlers.audit_render import equity_png, leaderboard_text, report_text
from handlers.filters import OnLoop
from handlers.replies import reply
from trading.domain.accounts import User
from trading.domain.audit_export import MAX_EXPORT_BYTES
from trading.domain.errors import InvalidInput
from trading.ports.jobs import JobQueue, JobState, JobStatus
from trading.usecases.audits import audit_of, audits_of, leaderboard, queue_audit
from trading.usecases.core import Core

STARTED = "Audit: reading the {posts:,} posts of {title}…"
TOO_LARGE = f"An export may be {MAX_EXPORT_BYTES // 1024 // 1024} MB at most: export a shorter period."
FAILED = "The audit of {title} failed: {why}. Nothing was kept; send the export again to retry."
POLL_SECONDS = 1.0  # how often the progress message is brought up to date (Telegram allows an edit a second)


async def on_export(message: Message, bot: Bot, user: User, core: Core, jobs: JobQueue) -> None:
    """Nothing is kept from a file that is no export, too large or malformed: one sentence says why."""
    document = message.document
    if document is not None and (document.file_size or 0) > MAX_EXPORT_BYTES:
        await reply(message, TOO_LARGE)
        return
    content = (await bot.download(document)).read()  # type: ignore[union-attr,arg-type]  # a BytesIO
    try:
        queued = await queue_audit(jobs, user.id, content, str(message.message_id))
    except InvalidInput as error:
        await reply(message, error.message)
        return
    export = queued.export
    status = await reply(message, STARTED.format(posts=len(export.posts), title=export.title))
    job = await _followed(jobs, queued.key, status, len(export.posts))
    if job is None or job.state is not JobState.COMPLETE or not isinstance(job.result, dict):
        why = job.error if job is not None and job.error else "it did not finish"
        await status.edit_text(FAILED.format(title=export.title, why=why))
        return
    await _send_report(message, status, core, user, job.result)


async def _followed(jobs: JobQueue, key: str, status: Message, posts: int) -> JobStatus | None:
    """The job once it is over (None where the queue forgot it), its progress edited into `status` meanwhile."""
    started, shown = time.monotonic(), 0.0
    while True:
        job = await jobs.status(key)
        if job is None or job.state in (JobState.COMPLETE, JobState.FAILED, JobState.ABORTED):
            return job
        if job.progress > shown:
            shown = job.progress
            left = (time.monotonic() - started) * (1 - shown) / shown
            minutes = "less than a minute" if left < 60 else f"about {round(left / 60):,} min"
            await _edit(status, f"Audit: {round(posts * shown):,} of {posts:,} posts, {minutes} left")
        await asyncio.sleep(POLL_SECONDS)


async def _edit(status: Message, text: str) -> None:
    try:
        await status.edit_text(text)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise


async def _send_report(
    message: Message, status: Message, core: Core, user: User, result: Mapping[str, object]
) -> None:
    audit_id = result["audit_id"]
    assert isinstance(audit_id, int)
    record = await audit_of(core, user.id, audit_id)
    hit_rate = result.get("hit_rate")
    quote = core.config.paper_quote
    await _edit(status, f"Audit #{record.id} of {record.title}: done.")
    await reply(message, report_text(record, quote, hit_rate if isinstance(hit_rate, float) else None))
    png = await asyncio.to_thread(equity_png, record, quote)
    await message.answer_photo(BufferedInputFile(png, "audit.png"), caption=f"Audit #{record.id}: equity")


async def audits_command(message: Message, core: Core, user: User) -> None:
    records = leaderboard(await audits_of(core, user.id))
    await reply(message, leaderboard_text(records, core.config.paper_quote))


def make_router() -> Router:
    router = Router(name="audits")
    router.message.register(on_export, OnLoop(F.document))
    router.message.register(audits_command, Command("audits"))
    return router
