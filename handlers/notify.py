"""Where else to be told, in chat: /email <address> (a code is sent), /email verify <code>, /webhook <https URL>
(its secret shown once), /notify (the channels and their events), /notify <id> alerts,orders (choose them),
/notify <id> log (a webhook's deliveries)."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.config import BotConfig
from handlers.numbers import row_number
from handlers.replies import reply
from trading.domain.accounts import User
from trading.domain.channels import ALL_EVENTS, EventKind, NotifyChannel
from trading.domain.errors import InvalidInput
from trading.ports.outside import EmailSender
from trading.usecases.channels import (
    add_email,
    add_webhook,
    choose_events,
    delivery_log,
    user_channels,
    verify_email,
)
from trading.usecases.core import Core

EVENTS = ", ".join(sorted(ALL_EVENTS))
NOTIFY_HELP = (
    "Be told by e-mail or a webhook too: /email you@example.com, then /email verify <code>; /webhook "
    f"https://your.host/path. Choose the events of a channel: /notify <id> {EVENTS}."
)


def channel_line(channel: NotifyChannel) -> str:
    state = "verified" if channel.verified_at else "waiting for its code"
    return (
        f"#{channel.id} {channel.kind.value} {channel.target} ({state}): {', '.join(sorted(channel.events))}"
    )


async def on_email(
    message: Message, command: CommandObject, core: Core, user: User, email_sender: EmailSender | None
) -> None:
    words = (command.args or "").split()
    if len(words) == 2 and words[0] == "verify":
        channel = await verify_email(core, user.id, words[1])
        await reply(message, f"✅ {channel.target} is verified: notices go there too. /notify chooses which.")
    elif len(words) == 1:
        channel = await add_email(core, email_sender, user.id, words[0])
        await reply(message, f"I sent a code to {channel.target}: tell it to me with /email verify <code>.")
    else:
        await reply(message, NOTIFY_HELP)


async def on_webhook(
    message: Message, command: CommandObject, core: Core, user: User, config: BotConfig
) -> None:
    url = (command.args or "").strip()
    if not url:
        await reply(message, NOTIFY_HELP)
        return
    channel, secret = await add_webhook(core, user.id, url, config.webhooks_to_loopback)
    await reply(
        message,
        f"✅ Webhook #{channel.id} set. Its secret, shown this once: {secret}\n"
        "Each POST carries X-Tsbot-Timestamp and X-Tsbot-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body).",
    )


async def on_notify(message: Message, command: CommandObject, core: Core, user: User) -> None:
    words = (command.args or "").replace(",", " ").split()
    if not words:
        channels = await user_channels(core, user.id)
        await reply(message, "\n".join([*(channel_line(c) for c in channels), NOTIFY_HELP]))
        return
    channel_id = row_number(words[0])
    if channel_id is None:
        raise InvalidInput(f"Say which channel by its number, e.g. /notify 1 {EVENTS}.")
    if words[1:] == ["log"]:
        log = await delivery_log(core, user.id, channel_id)
        lines = [
            f"{d.at:%d %b %H:%M:%S} notice {d.notice_id} attempt {d.attempt}: {'ok' if d.ok else 'failed'}, {d.detail}"
            for d in log
        ]
        await reply(message, "\n".join(lines) or "Nothing delivered yet.")
        return
    unknown = [w for w in words[1:] if w not in ALL_EVENTS]
    if unknown or len(words) < 2:
        raise InvalidInput(f"The events are {EVENTS}; {', '.join(unknown) or 'none'} is not one of them.")
    await choose_events(core, user.id, channel_id, frozenset(EventKind(w) for w in words[1:]))
    await reply(message, f"✅ Channel #{channel_id} is told of: {', '.join(sorted(words[1:]))}.")


def make_router() -> Router:
    router = Router(name="notify")
    router.message.register(on_email, Command("email"))
    router.message.register(on_webhook, Command("webhook"))
    router.message.register(on_notify, Command("notify"))
    return router
