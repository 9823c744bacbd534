"""How the routers answer: a reply in the chat, or an edit of the message a button was on (without tripping on
"message is not modified")."""

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def reply(message: Message, text: str, reply_markup: Markup | None = None) -> Message:
    return await message.answer(text, reply_markup=reply_markup)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Nothing to do where the message is too old for Telegram to hand back, or already says `text`."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            raise
