"""A channel's follow-up to an earlier signal (forwarded, or posted where the bot is an admin), as the trader is
told it: a report changes nothing; an instruction is carried out for a source followed automatically, and
otherwise previewed on the signal's market, to confirm as any request."""

from dataclasses import dataclass
from decimal import Decimal

from handlers.render import amount, order_result
from nlp.result import ParseResult
from trading.domain.money import price_text as price
from trading.domain.signal_records import SignalRecord
from trading.usecases.core import Core
from trading.usecases.follow_ups import (
    Applied,
    FollowUpAsked,
    FollowUpKind,
    NoSignal,
    Reported,
    ToConfirm,
    take_follow_up,
)

UPDATE_WORDS = {
    FollowUpKind.TARGET_HIT: "a target hit",
    FollowUpKind.STOP_HIT: "its stop hit",
    FollowUpKind.ENTRY_FILLED: "an entry filled",
    FollowUpKind.CLOSE: "close the trade",
    FollowUpKind.MOVE_STOP: "move the stop",
    FollowUpKind.MOVE_STOP_TO_ENTRY: "move the stop to the entry",
    FollowUpKind.CANCEL: "cancel the signal",
}
NO_SIGNAL = "{title} says: {what}, about a signal you do not follow. Nothing was traded."
REPORTED = (
    "{title} reports {what} on {symbol}. Your orders for that signal keep their own targets and stop: "
    "nothing else was traded."
)
SEND_TO_ACT = "{title} says: {what} on {symbol}. Forward the post to me to preview it; nothing was traded."
APPLIED = "{title} says: {what} on {symbol}. Done for you, as you follow {title} automatically:"
NOTHING_LEFT = "• Nothing of that signal was left to change."


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What a follow-up from a channel means for the trader: `note`, in words; `request`, where it asks for
    something on a signal the trader followed from a source not followed automatically, that request on the
    signal's market, to preview and confirm."""

    note: str
    request: ParseResult | None = None


async def read_follow_up(core: Core, user_id: int, channel: str, title: str, parsed: ParseResult) -> FollowUp:
    """A follow-up matched to the channel's signal the trader followed; it never opens a trade."""
    assert parsed.update is not None
    kind = FollowUpKind(parsed.update)
    what = UPDATE_WORDS[kind]
    taken = await take_follow_up(core, user_id, channel, FollowUpAsked(kind, parsed.symbol, parsed.stop_loss))
    match taken:
        case NoSignal():
            return FollowUp(NO_SIGNAL.format(title=title, what=what))
        case Reported(signal):
            return FollowUp(REPORTED.format(title=title, what=what, symbol=signal.spec.symbol))
        case ToConfirm(signal, paused):
            note = SEND_TO_ACT.format(title=title, what=what, symbol=signal.spec.symbol)
            if paused is not None:
                note += f" Not done for you: {paused}."
            return FollowUp(note, instruction(parsed, signal))
        case Applied():
            return FollowUp(applied_text(title, what, taken))


def applied_text(title: str, what: str, applied: Applied) -> str:
    lines = [APPLIED.format(title=title, what=what, symbol=applied.signal.spec.symbol)]
    lines.extend(
        f"• Stop #{stop.id} moved: {price(before) if before is not None else 'none'} → {price(stop.price)}"
        for stop, before in applied.moved
        if stop.price is not None
    )
    if applied.rearmed:
        lines.append(
            f"• Entries not filled yet ({applied.rearmed}) arm their stop at the new price when they fill"
        )
    lines.extend(
        f"• Entry #{entry.id} cancelled ({amount(entry.filled)} of {amount(entry.quantity)} had filled)"
        for entry in applied.cancelled
    )
    lines.extend(f"• Trailing entry armed at {price(r.mode.entry)} ended unbought" for r in applied.ended)
    if applied.sold is not None:
        lines.append(f"• Its position sold at market: {order_result(applied.sold)}")
    lines.extend(f"✖️ {why}" for why in applied.refused)
    if len(lines) == 1:
        lines.append(NOTHING_LEFT)
    return "\n".join(lines)


def instruction(parsed: ParseResult, signal: SignalRecord) -> ParseResult:
    """A follow-up that asks for something, as the trader's own request on the signal's market: the stop to
    the entry is the mean of the signal's entries."""
    stop = parsed.stop_loss
    if parsed.update == "move_stop_to_entry":
        stop = sum(signal.spec.entries, Decimal(0)) / len(signal.spec.entries)
    return parsed.with_changes(symbol=signal.spec.symbol, stop_loss=stop, confidence=1.0, flags=())
