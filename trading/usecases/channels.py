"""Telling users beside Telegram: e-mail to an address verified with a code, and webhooks (JSON signed with
HMAC-SHA256 under a secret shown once). Every notice is handed to the user's channels that chose its kind by
a fan-out job, one delivery job per channel and notice (retried with back-off by the queue), each attempt
written to the delivery log."""

import ipaddress
import json
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from trading.domain.channels import (
    ALL_EVENTS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelDelivery,
    ChannelKind,
    EventKind,
    NotifyChannel,
    code_hash,
    inside_address,
    signature,
)
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.notices import Notice
from trading.ports.jobs import JobQueue, Retry
from trading.ports.outside import EmailSender, WebhookPoster
from trading.usecases.core import Core

CODE_VALID = timedelta(minutes=15)
DELIVER_JOB = "deliver_to_channel"
DELIVER_RETRY = Retry(attempts=6, delay=timedelta(seconds=10), max_delay=timedelta(minutes=10))
FAN_OUT_PER_PASS = 200
_ADDRESS = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


# Wrong codes told before an address's code is void: a six-digit code is not to be guessed.
CODE_TRIES = 5


class DeliveryFailed(Exception):
    """A channel did not take a notice: the queue tries again later."""


async def add_email(core: Core, sender: EmailSender | None, user_id: int, address: str) -> NotifyChannel:
    """Send a code to `address`; the address is told notices once the code comes back (verify_email)."""
    if sender is None:
        raise InvalidInput("E-mail is not set up on this bot (its operator has no mail server configured).")
    if not _ADDRESS.match(address):
        raise InvalidInput(f"{address!r} is not an e-mail address.")
    code = f"{secrets.randbelow(10**6):06d}"
    now = core.clock.now()
    channel = NotifyChannel(0, user_id, ChannelKind.EMAIL, address, ALL_EVENTS, None, now)
    await sender.send(
        address, "Your tsbot code", f"Your code: {code}\nTell it to the bot: /email verify {code}"
    )
    async with core.uow() as uow:
        channel = await uow.channels.add(channel, None, code_hash(code, user_id), now + CODE_VALID)
        await uow.commit()
    return channel


async def verify_email(core: Core, user_id: int, code: str) -> NotifyChannel:
    now = core.clock.now()
    async with core.uow() as uow:
        waiting = [
            c
            for c in await uow.channels.for_user(user_id)
            if c.kind is ChannelKind.EMAIL and not c.verified_at
        ]
        for channel in waiting:
            if await uow.channels.verify(channel.id, user_id, code_hash(code.strip(), user_id), now):
                await uow.commit()
                return channel
        voided = await uow.channels.count_wrong_code(user_id, CODE_TRIES)
        await uow.commit()
    if voided:
        raise InvalidInput(
            f"{CODE_TRIES} wrong codes: that code no longer works. Ask for a new one with /email <address>."
        )
    raise InvalidInput("That code is wrong or has expired: ask for a new one with /email <address>.")


async def add_webhook(
    core: Core, user_id: int, url: str, allow_loopback: bool = False
) -> tuple[NotifyChannel, str]:
    """The webhook and its secret, shown this once (kept encrypted, to sign with)."""
    parts = urlsplit(url)
    loopback = allow_loopback and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not (parts.scheme == "https" and parts.hostname) and not loopback:
        raise InvalidInput("A webhook needs an https:// address.")
    if not allow_loopback and _inside(parts.hostname or ""):
        raise InvalidInput("A webhook cannot point at this server or its private network.")
    secret = secrets.token_urlsafe(32)
    now = core.clock.now()
    channel = NotifyChannel(0, user_id, ChannelKind.WEBHOOK, url, ALL_EVENTS, now, now)
    async with core.uow() as uow:
        channel = await uow.channels.add(channel, secret, None, None)
        await uow.commit()
    return channel, secret


def _inside(host: str) -> bool:
    """This machine or a private network, named by address; a name that resolves there is refused when the
    delivery connects (bot.channel_senders.PublicAddressResolver)."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return inside_address(ipaddress.ip_address(host))
    except ValueError:
        return False


async def user_channels(core: Core, user_id: int) -> list[NotifyChannel]:
    async with core.uow(read_only=True) as uow:
        return list(await uow.channels.for_user(user_id))


async def choose_events(core: Core, user_id: int, channel_id: int, events: frozenset[EventKind]) -> None:
    async with core.uow() as uow:
        if not await uow.channels.set_events(channel_id, user_id, events):
            raise NotFound("That channel was not found.")
        await uow.commit()


async def delivery_log(core: Core, user_id: int, channel_id: int, limit: int = 20) -> list[ChannelDelivery]:
    async with core.uow(read_only=True) as uow:
        channel = await uow.channels.get(channel_id)
        if channel is None or channel.user_id != user_id:
            raise NotFound("That channel was not found.")
        return list(await uow.channels.deliveries(channel_id, limit))


async def fan_out(core: Core, jobs: JobQueue, limit: int = FAN_OUT_PER_PASS) -> int:
    """Queue the delivery of each new notice to its user's channels that chose its kind; how many queued."""
    async with core.uow(read_only=True) as uow:
        notices = await uow.notices.unfanned(limit)
        channels = {n.user_id: await uow.channels.for_user(n.user_id) for n in notices}
    queued = 0
    for notice in notices:
        for channel in channels[notice.user_id]:
            if channel.verified_at is not None and notice.kind in channel.events:
                kwargs = {"channel_id": channel.id, "notice_id": notice.id}
                key = f"channel:{channel.id}:{notice.id}"
                queued += await jobs.enqueue(DELIVER_JOB, key, kwargs, retry=DELIVER_RETRY)
    if notices:
        async with core.uow() as uow:
            await uow.notices.mark_fanned([n.id for n in notices], core.clock.now())
            await uow.commit()
    return queued


async def deliver_to_channel(
    core: Core,
    email: EmailSender | None,
    poster: WebhookPoster,
    attempt: int,
    channel_id: int,
    notice_id: int,
) -> bool:
    """One attempt; every attempt is logged. Raises DeliveryFailed for the queue to try again."""
    async with core.uow(read_only=True) as uow:
        channel = await uow.channels.get(channel_id)
        notice = await uow.notices.get(notice_id)
        secret = await uow.channels.secret(channel_id)
    if channel is None or notice is None:
        return False  # removed, or long forgotten: nothing to tell any more
    try:
        detail = await _send(core, email, poster, channel, notice, secret)
        ok = True
    except Exception as error:  # whatever stopped it is logged for the user, and the queue tries again
        ok = False
        detail = str(error) if isinstance(error, DeliveryFailed) else f"{type(error).__name__}: {error}"
    async with core.uow() as uow:
        await uow.channels.log(ChannelDelivery(channel_id, notice_id, attempt, ok, detail, core.clock.now()))
        await uow.commit()
    if not ok:
        raise DeliveryFailed(detail)
    return True


async def _send(
    core: Core,
    email: EmailSender | None,
    poster: WebhookPoster,
    channel: NotifyChannel,
    notice: Notice,
    secret: str | None,
) -> str:
    if channel.kind is ChannelKind.EMAIL:
        if email is None:
            raise DeliveryFailed("no mail server is configured")
        await email.send(channel.target, f"tsbot: {notice.kind.value}", notice.text)
        return "sent"
    payload = {
        "id": notice.id,
        "kind": notice.kind.value,
        "text": notice.text,
        "at": notice.created_at.isoformat(),
    }
    body = json.dumps(payload).encode()
    timestamp = str(int(core.clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret or "", timestamp, body),
    }
    status = await poster.post(channel.target, body, headers)
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")
    return f"HTTP {status}"
