"""The outside ends of e-mail and webhooks: SMTP through aiosmtplib, HTTP through aiohttp."""

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

import aiohttp
import aiosmtplib

from bot.settings import Settings

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


class AiohttpWebhookPoster:
    """One session per process; redirects are not followed (a webhook answers where it was set)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S))
        async with self._session.post(url, data=body, headers=dict(headers), allow_redirects=False) as answer:
            return answer.status

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
