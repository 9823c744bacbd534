"""/start, /help and /dashboard."""

from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from handlers.config import BotConfig
from handlers.render import HELP
from handlers.replies import reply
from trading.domain.accounts import User
from trading.usecases.access import dashboard_login_link
from trading.usecases.core import Core


async def start(message: Message, user: User) -> None:
    await reply(message, f"Hello, {user.name}! You have a paper account to practise with.\n\n{HELP}")


async def help_command(message: Message) -> None:
    await reply(message, HELP)


async def dashboard(message: Message, core: Core, user: User, config: BotConfig) -> None:
    ttl = timedelta(seconds=config.login_link_ttl_seconds)
    link = await dashboard_login_link(core, user.id, config.dashboard_url, ttl)
    minutes = config.login_link_ttl_seconds // 60
    await reply(
        message, f"Your dashboard: {link}\nThe link signs you in once and expires in {minutes} minutes."
    )


def make_router() -> Router:
    router = Router(name="start")
    router.message.register(dashboard, Command("dashboard"))
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    return router
