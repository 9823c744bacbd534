"""A channel's post (forwarded, pasted, or where the bot is an admin) as the core receives it, and what the
trader is told of it: a plan to follow, or why there is none."""

from dataclasses import dataclass
from decimal import Decimal

from aiogram.types import InlineKeyboardMarkup

from handlers.config import BotConfig
from handlers.keyboards import plan_keyboard
from handlers.render import plan_preview, plan_result
from nlp.result import AUTO_FOLLOW_THRESHOLD, ParseResult
from trading.domain.enums import Side
from trading.domain.signal_records import SignalRecord
from trading.domain.signals import SignalSpec, break_even_applies, with_distances
from trading.usecases.core import Core
from trading.usecases.signal_workflow import (
    AlreadySeen,
    AutoFollowed,
    NotASignal,
    Planned,
    PostReceived,
    receive_post,
)
from trading.usecases.signals import followed_signal

OPENS_NOTHING = (
    "This post from {title} opens no trade (a report, a result or commentary), so nothing was traded."
)
HELD_BACK = "Not followed automatically: {why}. Tap Follow if the plan is right."
SEEN = "You have this signal from {title} already ({status}); it is not planned twice."
PLANNED_AGAIN = (
    "You had this signal from {title} already, not followed: here is a fresh plan, at today's prices. "
    "Its earlier plan, if any, places nothing now."
)


def spec_of(parsed: ParseResult) -> SignalSpec | None:
    if parsed.intent != "signal" or not parsed.entries or parsed.symbol is None or parsed.side is None:
        return None
    spec = SignalSpec(
        parsed.symbol, Side(parsed.side), parsed.entries, parsed.targets, parsed.stop_loss, parsed.leverage
    )
    return with_distances(spec, parsed.stop_loss_percent, parsed.target_percents)


def reading_doubt(parsed: ParseResult) -> str | None:
    """Why the reading is not sure enough to follow a signal without a tap, in the reader's words."""
    if parsed.order_type == "stop":
        return "it enters on a breakout (above or below a price), which a plan places as a limit order"
    if parsed.flags:
        return "; ".join(flag.message for flag in parsed.flags)
    if parsed.confidence < AUTO_FOLLOW_THRESHOLD:
        return f"I read it with {parsed.confidence:.0%} confidence"
    return None


async def planned_post(
    core: Core, user_id: int, channel: str, title: str, text: str, parsed: ParseResult, config: BotConfig
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A post of a channel (or pasted), received by the core as read, and what the trader is told of it."""
    received = await receive_post(
        core, user_id, channel, title, text, spec_of(parsed), config.signal_amount, reading_doubt(parsed)
    )
    return post_reply(title, received)


def post_reply(title: str, received: PostReceived) -> tuple[str, InlineKeyboardMarkup | None]:
    match received:
        case NotASignal():
            return OPENS_NOTHING.format(title=title), None
        case AlreadySeen(signal):
            return SEEN.format(title=title, status=signal.status.value), None
        case AutoFollowed(_, plan, followed):
            return plan_preview(title, plan, auto=True) + "\n\n" + plan_result(followed.result), None
        case Planned(signal, plan, again, held_back):
            toggle = False if break_even_applies(signal.spec) else None
            heading = PLANNED_AGAIN.format(title=title) + "\n\n" if again else ""
            footer = "\n\n" + HELD_BACK.format(why=held_back) if held_back else ""
            return heading + plan_preview(title, plan) + footer, plan_keyboard(
                plan.group_id, signal.id, toggle
            )


UPDATE_WORDS = {
    "target_hit": "a target hit",
    "stop_hit": "its stop hit",
    "entry_filled": "an entry filled",
    "close": "close the trade",
    "move_stop": "move the stop",
    "move_stop_to_entry": "move the stop to the entry",
    "cancel": "cancel the signal",
}
NO_SIGNAL = "{title} says: {what}, about a signal you do not follow. Nothing was traded."
REPORTED = (
    "{title} reports {what} on {symbol}. Your orders for that signal keep their own targets and stop: "
    "nothing else was traded."
)
SEND_TO_ACT = "{title} says: {what} on {symbol}. Forward the post to me to preview it; nothing was traded."


def is_report(parsed: ParseResult) -> bool:
    return parsed.update in ("target_hit", "stop_hit", "entry_filled")


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What a follow-up from a channel means for the trader: `note`, in words; `request`, where it asks for
    something on a signal the trader followed, that request on the signal's market, to preview and confirm."""

    note: str
    request: ParseResult | None = None


async def read_follow_up(core: Core, user_id: int, channel: str, title: str, parsed: ParseResult) -> FollowUp:
    """A follow-up matched to the channel's signal the trader followed; it never trades by itself."""
    assert parsed.update is not None
    what = UPDATE_WORDS[parsed.update]
    signal = await followed_signal(core, user_id, channel, parsed.symbol)
    if signal is None:
        return FollowUp(NO_SIGNAL.format(title=title, what=what))
    symbol = signal.spec.symbol
    if is_report(parsed):
        return FollowUp(REPORTED.format(title=title, what=what, symbol=symbol))
    return FollowUp(SEND_TO_ACT.format(title=title, what=what, symbol=symbol), instruction(parsed, signal))


def instruction(parsed: ParseResult, signal: SignalRecord) -> ParseResult:
    """A follow-up that asks for something, as the trader's own request on the signal's market: the stop to
    the entry is the mean of the signal's entries."""
    stop = parsed.stop_loss
    if parsed.update == "move_stop_to_entry":
        stop = sum(signal.spec.entries, Decimal(0)) / len(signal.spec.entries)
    return parsed.with_changes(symbol=signal.spec.symbol, stop_loss=stop, confidence=1.0, flags=())
