"""Where a user is told things beside Telegram: an e-mail address they verified with a code, or a webhook (JSON
signed with HMAC-SHA256 under a secret shown once), each for the kinds of events the user chose."""

import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address


class ChannelKind(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class EventKind(enum.StrEnum):
    """What a notice tells of, for the per-event choices of each channel."""

    ORDERS = "orders"  # fills, stops and targets, orders checked with the venue
    ALERTS = "alerts"
    AUTOMATIONS = "automations"
    REPORTS = "reports"


ALL_EVENTS = frozenset(EventKind)
SIGNATURE_HEADER = "X-Tsbot-Signature"
TIMESTAMP_HEADER = "X-Tsbot-Timestamp"


@dataclass(frozen=True, slots=True)
class NotifyChannel:
    id: int
    user_id: int
    kind: ChannelKind
    target: str  # the address or the URL
    events: frozenset[EventKind]
    verified_at: datetime | None
    created_at: datetime

    @property
    def label(self) -> str:
        return f"{self.kind.value} #{self.id} ({self.target})"


@dataclass(frozen=True, slots=True)
class ChannelDelivery:
    """One attempt to deliver a notice to a channel: the webhook's delivery log."""

    channel_id: int
    notice_id: int
    attempt: int
    ok: bool
    detail: str
    at: datetime


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>": a receiver checks it with the secret, and the
    timestamp keeps an old delivery from being replayed as new."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def code_hash(code: str, user_id: int) -> str:
    """An e-mail code is kept hashed: the table never holds one that would verify."""
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def inside_address(address: IPv4Address | IPv6Address) -> bool:
    """This machine or a private network: where a user's webhook must never make the server connect."""
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
