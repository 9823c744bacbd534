"""A channel's post (forwarded, pasted, or where the bot is an admin) as the core receives it, and what the
trader is told of it: a plan to follow, or why there is none."""

from aiogram.types import InlineKeyboardMarkup

from handlers.config import BotConfig
from handlers.keyboards import plan_keyboard
from handlers.render import plan_preview, plan_result
from nlp.result import AUTO_FOLLOW_THRESHOLD, ParseResult
from trading.domain.enums import Side
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
        parsed.symbol,
        Side(parsed.side),
        parsed.entries,
        parsed.targets,
        parsed.stop_loss,
        parsed.leverage,
        breakout=parsed.order_type == "stop",
    )
    return with_distances(spec, parsed.stop_loss_percent, parsed.target_percents)


def reading_doubt(parsed: ParseResult) -> str | None:
    """Why the reading is not sure enough to follow a signal without a tap, in the reader's words."""
    if parsed.flags:
        return "; ".join(flag.message for flag in parsed.flags)
    if parsed.confidence < AUTO_FOLLOW_THRESHOLD:
        return f"I read it with {parsed.confidence:.0%} confidence"
    return None


Answer = tuple[str, InlineKeyboardMarkup | None]


async def planned_post(
    core: Core,
    user_id: int,
    channel: str,
    title: str,
    text: str,
    parsed: ParseResult,
    config: BotConfig,
    post_id: int | None = None,
) -> Answer:
    """A post of a channel (or pasted; `post_id`: the channel's message id, where known), received by the
    core as read, and what the trader is told of it."""
    received = await receive_post(
        core,
        user_id,
        channel,
        title,
        text,
        spec_of(parsed),
        config.signal_amount,
        reading_doubt(parsed),
        post_id,
    )
    return post_reply(title, received)


def post_reply(title: str, received: PostReceived, heading: str | None = None) -> Answer:
    """`heading`: what leads a plan, in place of the one it has (an edited post's, say)."""
    match received:
        case NotASignal():
            return OPENS_NOTHING.format(title=title), None
        case AlreadySeen(signal):
            return SEEN.format(title=title, status=signal.status.value), None
        case AutoFollowed(_, plan, followed):
            preview = plan_preview(title, plan, auto=True) + "\n\n" + plan_result(followed.result)
            return (heading or "") + preview, None
        case Planned(signal, plan, again, held_back):
            toggle = False if break_even_applies(signal.spec) else None
            if heading is None:
                heading = PLANNED_AGAIN.format(title=title) + "\n\n" if again else ""
            footer = "\n\n" + HELD_BACK.format(why=held_back) if held_back else ""
            return heading + plan_preview(title, plan) + footer, plan_keyboard(
                plan.group_id, signal.id, toggle
            )
