"""A signal source's default stop mode in the chat: "/source 2 trail 3%", "/source 2 break even 2",
"/source 2 moving target", "/source 2 trailing tp 3%", "/source 2 off"; the number is the source's place in
/sources. Each later position its signals open gets the mode (nothing moves money now: no preview)."""

import re
from decimal import Decimal

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.replies import reply
from handlers.source_modes import source_mode_text
from trading.domain.accounts import User
from trading.domain.stop_modes import StopModeKind
from trading.usecases.core import Core
from trading.usecases.signals import source_stats
from trading.usecases.source_stop_modes import set_source_stop_mode

HOW = (
    "Say the source's number in /sources and the stop mode, e.g. '/source 1 trail 3%', '/source 1 break even 2' "
    "(after target 2), '/source 1 moving target', '/source 1 trailing tp 3%' or '/source 1 off'."
)
_COMMAND = re.compile(
    r"^(?P<n>\d+)\s+(?:(?P<off>off|none)|(?P<kind>trail(?:ing)?(?: stop)?|break ?even|be|moving target|"
    r"trailing (?:tp|take ?profit))(?:\s+(?:after (?:target )?)?(?P<number>\d+(?:\.\d+)?)\s*(?P<pct>%)?)?)$"
)


def _kind(word: str) -> StopModeKind:
    if word.startswith("trailing t"):
        return StopModeKind.TRAILING_TAKE_PROFIT
    if word.startswith("trail"):
        return StopModeKind.TRAILING
    return StopModeKind.MOVING_TARGET if word.startswith("moving") else StopModeKind.BREAK_EVEN


async def set_source_mode(message: Message, command: CommandObject, core: Core, user: User) -> None:
    found = _COMMAND.match((command.args or "").strip().lower())
    stats = await source_stats(core, user.id)
    if found is None or not 1 <= int(found["n"]) <= len(stats):
        await reply(message, HOW if stats else "No signal sources yet: forward a signal from a channel.")
        return
    source = stats[int(found["n"]) - 1].source
    kind = None if found["off"] else _kind(found["kind"])
    number = None if found["number"] is None else Decimal(found["number"])
    after = int(number) if kind is StopModeKind.BREAK_EVEN and number is not None else 1
    percent = None if kind is StopModeKind.BREAK_EVEN else number
    saved = await set_source_stop_mode(core, user.id, source.id, kind, percent, after)
    how = source_mode_text(saved.stop_mode, saved.stop_mode_percent, saved.stop_mode_after_target)
    await reply(message, f"✅ Positions from {saved.title}'s signals get {how} from now on.")


def make_router() -> Router:
    router = Router(name="source-stops")
    router.message.register(set_source_mode, Command("source"))
    return router
