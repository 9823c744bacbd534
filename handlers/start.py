"""/start and /help."""

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.telegram.render import HELP
from trading.domain.accounts import User


async def start(message: Message, user: User) -> None:
    await message.answer(f"Hello, {user.name}! You have a paper account to practise with.\n\n{HELP}")


async def help_command(message: Message) -> None:
    await message.answer(HELP)


def make_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    return router
