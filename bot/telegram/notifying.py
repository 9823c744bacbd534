"""Telling users from a process without the bot's updates (`tsbot worker`): a Bot used only to send, through
the same outgoing queue as `tsbot run`'s, to Telegram or, without a token, to the sandbox `tsbot run` serves."""

from collections.abc import Awaitable, Callable

from bot.container import Container
from bot.telegram.outbox import OutgoingQueue
from bot.telegram.runtime import TelegramNotifier, build_bot
from trading.usecases.notices import NoticeDelivery


def notice_delivery(container: Container) -> tuple[NoticeDelivery, Callable[[], Awaitable[None]]]:
    """The delivery of notices, and what closes its Bot's session."""
    settings = container.settings
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    api_base = f"http://{settings.tsbot_host}:{settings.tsbot_port}/sandbox" if token is None else None
    queue = OutgoingQueue(settings.telegram_rate_per_second, settings.telegram_rate_per_chat)
    bot = build_bot(token or settings.sandbox_token, api_base, queue)
    return NoticeDelivery(container.core, TelegramNotifier(bot, container.core)), bot.session.close
