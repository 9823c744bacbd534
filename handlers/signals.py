"""Signals: posts forwarded from channels, and posts (and their edits) of channels where the bot is an admin,
which the trader who made it an admin follows."""

import logging
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import PROMOTED_TRANSITION, ChatMemberUpdatedFilter, Command, CommandObject
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, MessageOriginChannel

from handlers.channels import edit_answers, post_answers, read_post, tell_followers
from handlers.chat import Asker, follow_up
from handlers.config import BotConfig
from handlers.filters import OnLoop
from handlers.keyboards import PlanAction, plan_keyboard
from handlers.posts import planned_post
from handlers.render import plan_result, source_settings_text, sources_text
from handlers.replies import edit, reply
from nlp.pipeline import Pipeline
from trading.domain.accounts import User
from trading.domain.alert_index import AlertIndex
from trading.domain.signal_records import SourceMarket, SourceSettings
from trading.usecases.core import Core
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import (
    auto_follow_source_of,
    ignore_plan,
    link_channel,
    set_source_settings,
    set_stop_to_entry,
    signal_source,
    source_stats,
)

log = logging.getLogger(__name__)
LINKED = (
    "📡 I am an administrator of {title} now: its posts will now be read, and each signal in them planned here "
    "for you to follow, as a forwarded one is."
)


async def forwarded(
    message: Message,
    core: Core,
    user: User,
    pipeline: Pipeline,
    config: BotConfig,
    alert_index: AlertIndex,
) -> None:
    origin = message.forward_origin
    assert isinstance(origin, MessageOriginChannel)
    title, channel = origin.chat.title or str(origin.chat.id), str(origin.chat.id)
    text = message.text or message.caption or ""
    parsed = await pipeline.aparse(text)
    if parsed.update is not None:
        await follow_up(message, parsed, Asker(core, user, config, alert_index), channel, title)
        return
    answer, markup = await planned_post(
        core, user.id, channel, title, text, parsed, config, origin.message_id
    )
    await reply(message, answer, reply_markup=markup)


async def channel_post(message: Message, bot: Bot, core: Core, pipeline: Pipeline, config: BotConfig) -> None:
    """A post where the bot is an admin goes to every user who follows that channel."""
    await tell_followers(bot, core, await read_post(message, pipeline), config, post_answers)


async def edited_channel_post(
    message: Message, bot: Bot, core: Core, pipeline: Pipeline, config: BotConfig
) -> None:
    """An edit of such a post: a signal not yet followed is planned again, a change to one followed told."""
    await tell_followers(bot, core, await read_post(message, pipeline), config, edit_answers)


async def made_admin(event: ChatMemberUpdated, bot: Bot, core: Core, user: User) -> None:
    """The trader made the bot an administrator of a channel: it becomes one of their sources, its posts
    read for them from now on."""
    title = event.chat.title or str(event.chat.id)
    source = await link_channel(core, user.id, str(event.chat.id), title)
    note = " You follow it automatically, as you chose." if source.auto_follow else ""
    try:
        await bot.send_message(event.from_user.id, LINKED.format(title=title) + note)
    except TelegramForbiddenError:  # the trader never opened a chat with the bot: the link holds all the same
        log.info("Telegram user %s linked a channel but has no chat with the bot", event.from_user.id)


async def follow(query: CallbackQuery, callback_data: PlanAction, core: Core, user: User) -> None:
    user_id = user.id
    followed = await follow_signal(core, user_id, callback_data.signal_id, callback_data.group_id)
    note = ""
    if callback_data.action == "auto":
        source = await auto_follow_source_of(core, user_id, callback_data.signal_id, callback_data.group_id)
        how = ", with the stop moved to the entry after target 1" if source.move_stop_to_entry else ""
        note = f"\nLater signals from {source.title} will be followed automatically{how}."
    await edit(query, plan_result(followed.result) + note)
    await query.answer("Followed." if followed.followed else "Not followed: nothing was placed.")


async def ignore(query: CallbackQuery, callback_data: PlanAction, core: Core, user: User) -> None:
    await ignore_plan(core, user.id, callback_data.group_id, callback_data.signal_id)
    await edit(query, "Ignored: nothing was placed.")
    await query.answer("Ignored.")


async def stop_to_entry(query: CallbackQuery, callback_data: PlanAction, core: Core, user: User) -> None:
    """The break-even toggle: set on the plan's drafts before Follow; the keyboard shows the new state."""
    on = callback_data.action == "be_on"
    await set_stop_to_entry(core, user.id, callback_data.group_id, on)
    markup = plan_keyboard(callback_data.group_id, callback_data.signal_id, on)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as error:  # a repeated tap: already shown so
            if "not modified" not in error.message:
                raise
    await query.answer(
        "The stop moves to the entry after target 1." if on else "The stop stays where the signal put it."
    )


async def sources(message: Message, core: Core, user: User) -> None:
    await reply(message, sources_text(await source_stats(core, user.id)))


SOURCE_USAGE = (
    "Say /source N market spot, futures or auto (auto: shorts and leverage on futures, the rest on spot), or "
    "/source N risk 1% (off: the amount you follow signals with); /sources lists the numbers."
)


def settings_change(current: SourceSettings, words: list[str]) -> SourceSettings:
    """The settings after `market X` or `risk X`; ValueError with the sentence to show."""
    if len(words) != 2:
        raise ValueError(SOURCE_USAGE)
    name, value = words[0].lower(), words[1].lower()
    if name == "market" and value in {m.value for m in SourceMarket}:
        return replace(current, market=SourceMarket(value))
    if name == "risk" and value in ("off", "none", "default"):
        return replace(current, risk_percent=None)
    if name == "risk":
        try:
            percent = Decimal(value.rstrip("%"))
        except InvalidOperation:
            raise ValueError(f"{words[1]!r} is not a percent. {SOURCE_USAGE}") from None
        return replace(current, risk_percent=percent)
    raise ValueError(SOURCE_USAGE)


async def source(message: Message, command: CommandObject, core: Core, user: User) -> None:
    """/source N market futures, /source N risk 1%: where a source's signals trade, and what they risk."""
    words = (command.args or "").split()
    if not words or not words[0].lstrip("#").isdigit():
        await reply(message, SOURCE_USAGE)
        return
    current = await signal_source(core, user.id, int(words[0].lstrip("#")))
    try:
        settings = settings_change(current.settings, words[1:])
    except ValueError as error:
        await reply(message, str(error))
        return
    changed = await set_source_settings(core, user.id, current.id, settings)
    await reply(message, f"Saved: #{changed.id} {changed.title}, {source_settings_text(changed)}.")


def make_router() -> Router:
    router = Router(name="signals")
    router.message.register(
        forwarded, OnLoop(F.forward_origin.type == "channel"), OnLoop(F.chat.type == ChatType.PRIVATE)
    )
    router.channel_post.register(channel_post, OnLoop(F.text | F.caption))
    router.edited_channel_post.register(edited_channel_post, OnLoop(F.text | F.caption))
    router.my_chat_member.register(
        made_admin, OnLoop(F.chat.type == ChatType.CHANNEL), ChatMemberUpdatedFilter(PROMOTED_TRANSITION)
    )
    router.callback_query.register(follow, PlanAction.filter(F.action.in_({"follow", "auto"})))
    router.callback_query.register(ignore, PlanAction.filter(F.action == "ignore"))
    router.callback_query.register(stop_to_entry, PlanAction.filter(F.action.in_({"be_on", "be_off"})))
    router.message.register(sources, Command("sources"))
    router.message.register(source, Command("source"))
    return router
