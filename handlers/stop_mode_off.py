"""A stop mode turned off in the chat ("stop trailing my eth", "turn off the trailing stop on eth"): the mode on
that coin ended at once, the stop staying where it is, as the Mini App's Off does. Nothing is traded."""

from aiogram.types import Message

from handlers.replies import reply
from nlp.result import ParseResult
from trading.domain.accounts import User
from trading.domain.stop_modes import NAMES, StopModeKind
from trading.usecases.core import Core
from trading.usecases.stop_mode_setting import end_stop_mode, stop_modes_on_coin

_NAMED = {
    "moving_target": StopModeKind.MOVING_TARGET,
    "break_even": StopModeKind.BREAK_EVEN,
    "trailing_take_profit": StopModeKind.TRAILING_TAKE_PROFIT,
}


def named_kind(parsed: ParseResult) -> StopModeKind | None:
    """The kind the message names ("stop trailing": a trailing stop); None where it names none surely."""
    if parsed.stop_mode is not None:
        return _NAMED[parsed.stop_mode]
    return StopModeKind.TRAILING if parsed.trailing else None


async def turn_off(message: Message, parsed: ParseResult, core: Core, user: User) -> None:
    if parsed.symbol is None:
        await reply(message, "Which coin's stop? Say e.g. 'stop trailing my ETH'.")
        return
    records = await stop_modes_on_coin(core, user.id, parsed.symbol, parsed.quote, trailing_entries=False)
    if not records:
        await reply(message, f"No stop mode is in force on {parsed.symbol}: nothing changes.")
        return
    if len(records) > 1:
        markets = " and ".join(record.symbol for record in records)
        await reply(message, f"Stop modes are in force on {markets}: say which, e.g. 'stop trailing my "
                    f"{records[0].symbol.split(':')[0]}'. Nothing changes.")  # fmt: skip
        return
    # A mode of another kind than the one named is refused with a sentence, and stays (the core's check).
    ended = await end_stop_mode(core, user.id, records[0].id, named_kind(parsed))
    await reply(
        message, f"✅ Your {NAMES[ended.mode.kind]} on {ended.symbol} is off: the stop stays where it is."
    )


async def end_entry(message: Message, parsed: ParseResult, core: Core, user: User) -> None:
    """A trailing entry ended in the chat ("cancel my trailing buy on eth"), as the orders list's Cancel ends it:
    its buy cancelled, nothing bought. Several on that coin: the trader picks one in /orders."""
    if parsed.symbol is None:
        await reply(message, "Which coin's trailing entry? Say e.g. 'cancel my trailing buy on ETH'.")
        return
    records = await stop_modes_on_coin(core, user.id, parsed.symbol, parsed.quote, trailing_entries=True)
    if not records:
        await reply(message, f"No trailing entry is waiting on {parsed.symbol}: nothing changes.")
        return
    if len(records) > 1:
        await reply(message, f"{len(records)} trailing entries wait on {parsed.symbol}: tap Cancel beside the "
                    "one to end in /orders. Nothing changes.")  # fmt: skip
        return
    ended = await end_stop_mode(core, user.id, records[0].id, StopModeKind.TRAILING_ENTRY)
    await reply(message, f"✅ Your trailing entry on {ended.symbol} is off: nothing will be bought.")
