"""Notices by e-mail and webhooks against real servers started here: an SMTP server (aiosmtpd) that receives the
verification code and the notices, and an HTTP receiver that checks each webhook's HMAC-SHA256 signature and
fails its first delivery, which the queue tries again after a back-off and the delivery log records."""

import email
import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from bot.channel_senders import AiohttpWebhookPoster, SmtpEmailSender
from bot.jobs import JobServices, job_functions
from tests.fakes import ManualClock
from tests.harness import Harness, write_notices
from trading.domain.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, EventKind, signature
from trading.domain.errors import InvalidInput
from trading.jobs.local import LocalJobQueue
from trading.ports.jobs import JobState
from trading.usecases.channels import (
    CODE_TRIES,
    add_email,
    add_webhook,
    choose_events,
    delivery_log,
    user_channels,
    verify_email,
)
from trading.usecases.notices import add_notices


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd's handler: every message the server takes."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpEmailSender]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SmtpEmailSender("127.0.0.1", port, "bot@tsbot.test", start_tls=False)
    finally:
        controller.stop()


class Receiver:
    """A webhook's receiving end: checks the signature with the secret, refuses the first `fail_first`."""

    def __init__(self, fail_first: int) -> None:
        self.secret = ""
        self.received: list[dict[str, Any]] = []
        self.fail_first = fail_first

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = signature(self.secret, request.headers[TIMESTAMP_HEADER], body)
        if request.headers.get(SIGNATURE_HEADER) != expected:
            return web.Response(status=401)
        if self.fail_first:
            self.fail_first -= 1
            return web.Response(status=503)
        self.received.append(json.loads(body))
        return web.Response(status=204)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook, port = Receiver(fail_first=1), free_port()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield hook, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


def queue_of(harness: Harness, sender: SmtpEmailSender | None, poster: AiohttpWebhookPoster) -> LocalJobQueue:
    queue = LocalJobQueue(harness.clock, {}, jitter=lambda: 1.0)
    queue.add_functions(job_functions(JobServices(harness.core, queue, None, sender, poster)))
    return queue


async def deliver(queue: LocalJobQueue) -> None:
    """The periodic delivery job (its fan-out queues a job per channel), then those jobs."""
    await queue.enqueue("deliver_notices", "deliver")
    await queue.run_due()
    await queue.run_due()


async def test_an_address_verified_with_its_code_is_told_the_notices(
    harness: Harness, smtp: tuple[Inbox, SmtpEmailSender]
) -> None:
    inbox, sender = smtp
    user, _ = await harness.user()
    await add_email(harness.core, sender, user, "ada@example.com")
    [code_mail] = inbox.messages
    assert code_mail["To"] == "ada@example.com"
    code = re.search(r"\d{6}", str(code_mail.get_payload()))
    assert code is not None
    with pytest.raises(InvalidInput, match="wrong or has expired"):
        await verify_email(harness.core, user, "000000" if code.group() != "000000" else "111111")
    await verify_email(harness.core, user, code.group())
    poster = AiohttpWebhookPoster()
    queue = queue_of(harness, sender, poster)
    await write_notices(harness.core, [(user, "🔔 SOL/USDT is below 120")])
    await deliver(queue)
    assert [str(m.get_payload()).strip() for m in inbox.messages[1:]] == ["🔔 SOL/USDT is below 120"]
    await poster.close()


async def test_a_code_told_wrong_five_times_no_longer_works(
    harness: Harness, smtp: tuple[Inbox, SmtpEmailSender]
) -> None:
    inbox, sender = smtp
    user, _ = await harness.user()
    await add_email(harness.core, sender, user, "ada@example.com")
    code = re.search(r"\d{6}", str(inbox.messages[0].get_payload()))
    assert code is not None
    wrong = "000000" if code.group() != "000000" else "111111"
    for _ in range(CODE_TRIES - 1):
        with pytest.raises(InvalidInput, match="wrong or has expired"):
            await verify_email(harness.core, user, wrong)
    with pytest.raises(InvalidInput, match="5 wrong codes: that code no longer works"):
        await verify_email(harness.core, user, wrong)
    with pytest.raises(InvalidInput, match="wrong or has expired"):
        await verify_email(harness.core, user, code.group())  # the right one, too late
    [channel] = await user_channels(harness.core, user)
    assert channel.verified_at is None


async def test_an_unverified_address_is_told_nothing(
    harness: Harness, smtp: tuple[Inbox, SmtpEmailSender]
) -> None:
    inbox, sender = smtp
    user, _ = await harness.user()
    await add_email(harness.core, sender, user, "ada@example.com")
    poster = AiohttpWebhookPoster()
    await write_notices(harness.core, [(user, "filled")])
    await deliver(queue_of(harness, sender, poster))
    assert len(inbox.messages) == 1  # the code alone
    await poster.close()


async def test_a_webhook_is_signed_retried_with_back_off_and_logged(
    harness: Harness, clock: ManualClock, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    user, _ = await harness.user()
    with pytest.raises(InvalidInput, match="https"):
        await add_webhook(harness.core, user, url)
    for inside in ("https://127.0.0.1/hook", "https://10.0.0.5/hook", "https://[fe80::1]/hook"):
        with pytest.raises(InvalidInput, match="this server or its private network"):
            await add_webhook(harness.core, user, inside)
    channel, secret = await add_webhook(harness.core, user, url, allow_loopback=True)
    hook.secret = secret
    poster = AiohttpWebhookPoster()
    queue = queue_of(harness, None, poster)
    await write_notices(harness.core, [(user, "Order #1: buy 0.1 ETH, filled")])
    await deliver(queue)
    job = await queue.status(f"channel:{channel.id}:1")
    assert job is not None and job.state is JobState.QUEUED and job.error == "DeliveryFailed: HTTP 503"
    clock.advance(timedelta(seconds=10).total_seconds())
    await queue.run_due()
    assert [(r["kind"], r["text"]) for r in hook.received] == [("orders", "Order #1: buy 0.1 ETH, filled")]
    log = await delivery_log(harness.core, user, channel.id)
    assert [(d.attempt, d.ok, d.detail) for d in log] == [(2, True, "HTTP 204"), (1, False, "HTTP 503")]
    await poster.close()


async def test_each_channel_is_told_only_the_events_chosen_for_it(
    harness: Harness, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.fail_first = 0
    user, _ = await harness.user()
    channel, hook.secret = await add_webhook(harness.core, user, url, allow_loopback=True)
    await choose_events(harness.core, user, channel.id, frozenset({EventKind.ALERTS}))
    async with harness.core.uow() as uow:
        await add_notices(uow, [(user, "🔔 alert")], harness.clock.now(), EventKind.ALERTS)
        await add_notices(uow, [(user, "🔁 plan run")], harness.clock.now(), EventKind.AUTOMATIONS)
        await uow.commit()
    poster = AiohttpWebhookPoster()
    await deliver(queue_of(harness, None, poster))
    assert [r["text"] for r in hook.received] == ["🔔 alert"]
    await poster.close()


async def test_a_webhook_whose_name_leads_to_this_machine_is_never_connected_to(
    harness: Harness, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.fail_first = 0
    user, _ = await harness.user()
    by_name = url.replace("127.0.0.1", "localhost")  # a name, as one that resolves here after it was set
    channel, hook.secret = await add_webhook(harness.core, user, by_name, allow_loopback=True)
    poster = AiohttpWebhookPoster()
    await write_notices(harness.core, [(user, "Order #1: buy 0.1 ETH, filled")])
    await deliver(queue_of(harness, None, poster))
    assert hook.received == []
    [attempt] = await delivery_log(harness.core, user, channel.id)
    assert not attempt.ok and "localhost leads to this server or its private network" in attempt.detail
    await poster.close()
