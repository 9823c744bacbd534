"""A second factor: a TOTP secret (RFC 6238) that a user's authenticator app shares, and one-time recovery codes.

It is on once its first code was confirmed (`enabled_at`); `last_step` is the time step of the last code taken,
so that no code is taken twice (nor an older one after it)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5  # wrong codes in a row before codes are refused for LOCKOUT
LOCKOUT = timedelta(minutes=15)
RECOVERY_CODES = 10


@dataclass(frozen=True, slots=True)
class SecondFactor:
    user_id: int
    secret: str  # base32, as authenticator apps take it
    created_at: datetime
    enabled_at: datetime | None = None
    last_step: int | None = None
    failures: int = 0
    locked_until: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.enabled_at is not None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What an authenticator app is given, shown once: the secret and the otpauth:// URI that holds it."""

    secret: str
    uri: str
