"""The last word: on any error, the cause to the log and one sentence to the user, never a traceback; on a button
no router took (an old message, a restart, forged callback data), an answer rather than a spinner; on a sticker,
a photo or a voice message in a private chat, what the bot does read."""

import logging

import sentry_sdk
from aiogram import F, Router
from aiogram.enums import ChatType, ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ErrorEvent, Message

from handlers.filters import OnLoop
from handlers.render import STALE_BUTTON, TEXT_ONLY
from handlers.replies import reply
from trading import log_context
from trading.domain.accounts import User
from trading.domain.errors import TradingError

log = logging.getLogger(__name__)
SORRY = "Something went wrong on our side and nothing was done; please try again in a moment."


async def on_error(event: ErrorEvent, user: User | None = None) -> None:
    error = event.exception
    if isinstance(error, TradingError):
        text = error.message
    else:
        _log_failure(event.update.update_id, user, error)
        text = SORRY
    update = event.update
    try:
        if update.callback_query is not None:
            await _tell_tapper(update.callback_query, text)
        elif update.message is not None:
            await reply(update.message, text)
    except Exception:  # telling the user failed too (the chat is gone): the log has the cause already
        log.warning("could not report an error to update %s", update.update_id)


def _log_failure(update_id: int, user: User | None, error: Exception) -> None:
    """The cause to the log, and to the error reports where they are on, with the update's id and the user's
    (never their name or what they wrote). Aiogram calls this outside the update's own middleware."""
    token = log_context.update_id.set(update_id)
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("update_id", update_id)
            if user is not None:
                scope.set_user({"id": str(user.id)})
            log.error("update %s failed", update_id, exc_info=error)
    finally:
        log_context.update_id.reset(token)


async def _tell_tapper(query: CallbackQuery, text: str) -> None:
    """In the tap's answer; or in the chat, where the handler had answered the tap already (a chosen reading
    whose order the core then refused), since a tap is answered once."""
    try:
        await query.answer(text[:200], show_alert=True)
    except TelegramBadRequest:
        if not isinstance(query.message, Message):
            raise
        await reply(query.message, text)


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(STALE_BUTTON, show_alert=True)


async def not_text(message: Message) -> None:
    await reply(message, TEXT_ONLY)


# What a person sends; service messages (a pinned message, a changed timer) get no answer.
SENT_BY_A_PERSON = frozenset(
    {
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.DOCUMENT,
        ContentType.LOCATION,
        ContentType.PHOTO,
        ContentType.POLL,
        ContentType.STICKER,
        ContentType.VENUE,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.VOICE,
    }
)


def make_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    router.callback_query.register(stale_button)  # the routers before took every button they know
    router.message.register(
        not_text, OnLoop(F.chat.type == ChatType.PRIVATE), OnLoop(F.content_type.in_(SENT_BY_A_PERSON))
    )
    return router
