"""Channels where the bot is an administrator: each post, and each edit of a post, read once and answered to
every trader who follows the channel, in their private chat."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import Message

from handlers.config import BotConfig
from handlers.follow_ups import read_follow_up
from handlers.keyboards import stop_move_keyboard
from handlers.posts import Answer, planned_post, post_reply, reading_doubt, spec_of
from handlers.render import stop_move_preview
from nlp.pipeline import Pipeline
from nlp.result import ParseResult
from trading.domain.errors import TradingError
from trading.domain.signal_records import SignalStatus
from trading.domain.signals import SpecChange
from trading.usecases.core import Core
from trading.usecases.signal_workflow import NoLongerASignal, PostEdited, Revised, revise_post
from trading.usecases.signals import followers_of_channel

log = logging.getLogger(__name__)
UNCHANGED = "✏️ {title} edited its {symbol} post: nothing tradable changed."
REPLANNED = (
    "✏️ {title} edited its {symbol} signal: {changes}. Here is a new plan in its place; the earlier plan "
    "places nothing now.\n\n"
)
FOLLOWED_CHANGED = (
    "✏️ {title} edited its {symbol} signal, which you follow: {changes}. Your orders stay as you followed "
    "it: nothing was traded."
)
NOT_FOLLOWED_CHANGED = "✏️ {title} edited its {symbol} signal, not followed: {changes}. Nothing was traded."
MOVE_OFFERED = "Its new stop, for your position, is below: confirm it or leave it."
NOT_MOVABLE = "✖️ Your stop cannot be moved there: {why}"
WITHDRAWN = (
    "✏️ {title} edited its {symbol} post, which no longer reads as a signal: its plan was withdrawn, and "
    "nothing was traded."
)
NO_LONGER = "✏️ {title} edited its {symbol} post, which no longer reads as a signal. Nothing was traded."


@dataclass(frozen=True, slots=True)
class ChannelPost:
    channel: str
    title: str
    post_id: int
    text: str
    parsed: ParseResult


async def read_post(message: Message, pipeline: Pipeline) -> ChannelPost:
    text = message.text or message.caption or ""
    title = message.chat.title or str(message.chat.id)
    return ChannelPost(str(message.chat.id), title, message.message_id, text, await pipeline.aparse(text))


Answering = Callable[[Core, int, ChannelPost, BotConfig], Awaitable[list[Answer]]]


async def tell_followers(
    bot: Bot, core: Core, post: ChannelPost, config: BotConfig, answer: Answering
) -> None:
    """Each follower's answer in their own chat; a refusal for one (no funds for a plan, say) is told to
    that one and does not keep the post from the others."""
    for user_id, telegram_id in await followers_of_channel(core, post.channel):
        try:
            answers = await answer(core, user_id, post, config)
        except TradingError as error:
            answers = [(f"📡 {post.title}: {error.message}", None)]
        try:
            for text, markup in answers:
                await bot.send_message(telegram_id, text, reply_markup=markup)
        except TelegramForbiddenError:  # this follower blocked the bot; the others still hear of the post
            log.info("Telegram user %s blocked the bot: not told of a post of %s", telegram_id, post.channel)


async def post_answers(core: Core, user_id: int, post: ChannelPost, config: BotConfig) -> list[Answer]:
    if post.parsed.update is not None:
        return [((await read_follow_up(core, user_id, post.channel, post.title, post.parsed)).note, None)]
    answer = await planned_post(
        core, user_id, post.channel, post.title, post.text, post.parsed, config, post.post_id
    )
    return [answer]


async def edit_answers(core: Core, user_id: int, post: ChannelPost, config: BotConfig) -> list[Answer]:
    """An edited post: a follow-up is read as one; a signal is planned again, or its change told."""
    if post.parsed.update is not None:
        return await post_answers(core, user_id, post, config)
    parsed = post.parsed
    edited = await revise_post(
        core,
        user_id,
        post.channel,
        post.title,
        post.post_id,
        post.text,
        spec_of(parsed),
        config.signal_amount,
        reading_doubt(parsed),
    )
    return edit_reply(post.title, edited, config.draft_ttl_seconds)


def changes_text(changes: tuple[SpecChange, ...]) -> str:
    return "; ".join(f"{change.field} {change.old} → {change.new}" for change in changes)


def edit_reply(title: str, edited: PostEdited, ttl_seconds: int) -> list[Answer]:
    if isinstance(edited, NoLongerASignal):
        text = WITHDRAWN if edited.withdrawn else NO_LONGER
        return [(text.format(title=title, symbol=edited.signal.spec.symbol), None)]
    if not isinstance(edited, Revised):
        return [post_reply(title, edited)]
    symbol, changes = edited.signal.spec.symbol, changes_text(edited.changes)
    if not edited.changes:
        return [(UNCHANGED.format(title=title, symbol=symbol), None)]
    if edited.received is not None:
        heading = REPLANNED.format(title=title, symbol=symbol, changes=changes)
        return [post_reply(title, edited.received, heading)]
    if edited.signal.status is not SignalStatus.FOLLOWED:
        return [(NOT_FOLLOWED_CHANGED.format(title=title, symbol=symbol, changes=changes), None)]
    told = FOLLOWED_CHANGED.format(title=title, symbol=symbol, changes=changes)
    lines = [told, *(NOT_MOVABLE.format(why=why) for why in edited.refused)]
    if edited.stop_moves:
        lines.append(MOVE_OFFERED)
    moves = [
        (stop_move_preview(draft, stop, ttl_seconds), stop_move_keyboard(draft.id))
        for draft, stop in edited.stop_moves
    ]
    return [("\n".join(lines), None), *moves]
