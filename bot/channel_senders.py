"""The outside ends of e-mail and webhooks: SMTP through aiosmtplib, HTTP through aiohttp."""

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from ipaddress import ip_address

import aiohttp
import aiosmtplib
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.settings import Settings
from trading.domain.channels import inside_address
from trading.usecases.channels import DeliveryFailed

WEBHOOK_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class SmtpEmailSender:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None  # None: if the server offers it

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
        )


class InsideAddress(OSError):
    """A webhook's name resolved only to this machine or a private network."""


class PublicAddressResolver(AbstractResolver):
    """Resolves as usual, then keeps only the public addresses: a webhook whose name leads to this machine or a
    private network, when it was set or since (DNS rebinding), is never connected to. aiohttp asks it at each
    new connection, so the address checked is the one connected to."""

    def __init__(self, resolver: AbstractResolver | None = None) -> None:
        self._resolver = resolver or aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        public = [result for result in found if not inside_address(ip_address(result["host"]))]
        if not public:
            raise InsideAddress(f"{host} leads to this server or its private network: not delivered")
        return public

    async def close(self) -> None:
        await self._resolver.close()


class AiohttpWebhookPoster:
    """One session per process; redirects are not followed (a webhook answers where it was set), and names are
    resolved to public addresses only (an address given as such was checked when the webhook was set)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=PublicAddressResolver()),
                timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S),
            )
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as answer:
                return answer.status
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, InsideAddress):  # the reason, which aiohttp's message leaves out
                raise DeliveryFailed(str(error.os_error)) from error
            raise

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def email_sender(settings: Settings) -> SmtpEmailSender | None:
    if not settings.smtp_host:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpEmailSender(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_username,
        password,
        {"auto": None, "yes": True, "no": False}[settings.smtp_starttls],
    )
