"""`/source N ...`: one signal source's settings (N: its number in /sources), each kind named by its first word:
`market` and `risk` (where its signals trade and what they risk), `entries` and `entry` (its entry rules), a
stop mode (`trail 3%`, `break even 2`, `moving target`, `trailing tp 3%`, `off`), and `trailing entry 2%` (an
entry rule). `/source N` alone shows them."""

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.entry_rules import changed_rules, is_trailing_entry
from handlers.entry_rules_render import source_rules_text, trailing_saved_text
from handlers.numbers import row_number
from handlers.render import source_settings_text
from handlers.replies import reply
from handlers.source_modes import source_mode_text
from handlers.source_stops import STOP_MODE_WORDS, stop_mode_change
from trading.domain.accounts import User
from trading.domain.errors import InvalidInput
from trading.domain.signal_records import SourceMarket, SourceSettings
from trading.usecases.core import Core
from trading.usecases.entry_rules import change_entry_rules, entry_rules_of
from trading.usecases.signals import set_source_settings, signal_source
from trading.usecases.source_stop_modes import set_source_stop_mode

SOURCE_USAGE = (
    "Say /source N to see a source's settings; /source N market spot, futures or auto (auto: shorts and "
    "leverage on futures, the rest on spot); /source N risk 1% (off: the amount you follow signals with); "
    "/source N entries weighted-first, /source N entry expiry 24h, /source N trailing entry 2% and the other "
    "entry rules it lists; "
    "/source N trail 3% (or break even 2, moving target, trailing tp 3%, off) for the stop its positions get. "
    "/sources lists the numbers."
)


def settings_change(current: SourceSettings, words: list[str]) -> SourceSettings:
    """The settings after `market X` or `risk X`; InvalidInput with the sentence to show."""
    if len(words) != 2:
        raise InvalidInput(SOURCE_USAGE)
    name, value = words[0].lower(), words[1].lower()
    if name == "market" and value in {m.value for m in SourceMarket}:
        return replace(current, market=SourceMarket(value))
    if name == "risk" and value in ("off", "none", "default"):
        return replace(current, risk_percent=None)
    if name == "risk":
        try:
            percent = Decimal(value.rstrip("%"))
        except InvalidOperation:
            raise InvalidInput(f"{words[1]!r} is not a percent. {SOURCE_USAGE}") from None
        return replace(current, risk_percent=percent)
    raise InvalidInput(SOURCE_USAGE)


async def source(message: Message, command: CommandObject, core: Core, user: User) -> None:
    words = (command.args or "").split()
    source_id = row_number(words[0]) if words else None
    if source_id is None:
        await reply(message, SOURCE_USAGE)
        return
    change = words[1:]
    kind = change[0].lower() if change else ""
    if kind in ("market", "risk"):
        current = await signal_source(core, user.id, source_id)
        changed = await set_source_settings(
            core, user.id, current.id, settings_change(current.settings, change)
        )
        await reply(message, f"Saved: #{changed.id} {changed.title}, {source_settings_text(changed)}.")
    elif kind in ("entries", "entry") or is_trailing_entry(change):
        rules = await change_entry_rules(core, user.id, source_id, lambda now: changed_rules(now, change))
        told = (
            trailing_saved_text(rules)
            if is_trailing_entry(change)
            else "Saved.\n\n" + source_rules_text(rules)
        )
        await reply(message, told)
    elif kind in STOP_MODE_WORDS:
        mode = stop_mode_change(change)
        saved = await set_source_stop_mode(
            core, user.id, source_id, mode.kind, mode.percent, mode.after_target
        )
        how = source_mode_text(saved.stop_mode, saved.stop_mode_percent, saved.stop_mode_after_target)
        await reply(message, f"✅ Positions from {saved.title}'s signals get {how} from now on.")
    elif not change:
        current = await signal_source(core, user.id, source_id)
        rules = await entry_rules_of(core, user.id, source_id)
        where = f"#{current.id} {current.title}: {source_settings_text(current)}."
        if current.stop_mode is not None:
            how = source_mode_text(
                current.stop_mode, current.stop_mode_percent, current.stop_mode_after_target
            )
            where += f" Its positions get {how}."
        await reply(message, f"{where}\n\n{source_rules_text(rules)}")
    else:
        await reply(message, SOURCE_USAGE)


def make_router() -> Router:
    router = Router(name="sources")
    router.message.register(source, Command("source"))
    return router
