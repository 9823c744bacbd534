"""Auditing a channel from chat: the user sends its Telegram Desktop export (result.json) as a file and gets the
report with its equity chart, the progress edited into one message meanwhile; /audits lists their audits."""

import asyncio

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from handlers.audit_render import equity_png, leaderboard_text, report_text
from handlers.filters import OnLoop
from handlers.replies import reply
from trading.domain.accounts import User
from trading.domain.audit_export import MAX_EXPORT_BYTES, read_export
from trading.domain.errors import InvalidInput
from trading.usecases.audits import Auditor, audits_of, leaderboard
from trading.usecases.core import Core

NO_AUDITS = "Audits are not set up on this bot."
STARTED = "Audit: reading the {posts:,} posts of {title}…"


async def on_export(message: Message, bot: Bot, user: User, auditor: Auditor | None = None) -> None:
    """Nothing is kept from a file that is no export, too large or malformed: one sentence says why."""
    document = message.document
    if document is None or auditor is None:
        await reply(message, NO_AUDITS)
        return
    if (document.file_size or 0) > MAX_EXPORT_BYTES:
        await reply(
            message,
            f"An export may be {MAX_EXPORT_BYTES // 1024 // 1024} MB at most: export a shorter period.",
        )
        return
    content = (await bot.download(document)).read()  # type: ignore[union-attr]  # a BytesIO without a destination
    try:
        export = read_export(content)
    except InvalidInput as error:
        await reply(message, error.message)
        return
    status = await reply(message, STARTED.format(posts=len(export.posts), title=export.title))

    async def progress(line: str) -> None:
        try:
            await status.edit_text(line)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                raise

    outcome = await auditor.audit(user.id, content, progress)
    quote = auditor.core.config.paper_quote
    await progress(f"Audit #{outcome.record.id} of {export.title}: done.")
    await reply(message, report_text(outcome.record, quote, outcome.hit_rate))
    png = await asyncio.to_thread(equity_png, outcome.record, quote)
    await message.answer_photo(
        BufferedInputFile(png, "audit.png"), caption=f"Audit #{outcome.record.id}: equity"
    )


async def audits_command(message: Message, core: Core, user: User) -> None:
    records = leaderboard(await audits_of(core, user.id))
    await reply(message, leaderboard_text(records, core.config.paper_quote))


def make_router() -> Router:
    router = Router(name="audits")
    router.message.register(on_export, OnLoop(F.document))
    router.message.register(audits_command, Command("audits"))
    return router
