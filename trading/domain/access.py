"""Who may use the web API: personal API tokens, and one-time grants (refresh tokens, log-in links)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TokenScope(StrEnum):
    """READ sees everything of its owner; TRADE may also place, cancel and change things."""

    READ = "read"
    TRADE = "trade"


class GrantKind(StrEnum):
    """A one-time secret that is exchanged for access: a refresh token, or a log-in link from the bot."""

    REFRESH = "refresh"
    LOGIN_LINK = "login_link"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A personal API token as stored: never the secret itself, only its hash and a prefix to recognise it."""

    id: int
    user_id: int
    name: str
    scope: TokenScope
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
