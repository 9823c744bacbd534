"""How the routers answer: a reply in the chat, or an edit of the message a button was on (without tripping on
"message is not modified").

Telegram answers each with the message it sent, whole, keyboard included. Nothing here uses it, and reading it
into aiogram's models cost as much as sending it, so it is checked (an error is raised as ever) but not read
(bot.telegram.json_session.send_unread).
"""

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.telegram.json_session import send_unread

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def reply(message: Message, text: str, reply_markup: Markup | None = None) -> None:
    await send_unread(message.answer(text, reply_markup=reply_markup))


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = query.message
    if not isinstance(message, Message):  # too old for Telegram to hand back: nothing to edit
        return
    try:
        await send_unread(message.edit_text(text, reply_markup=markup))
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise
