"""What keeps the notification channels other than Telegram: e-mail addresses and webhooks."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.channels import ChannelDelivery, EventKind, NotifyChannel


class ChannelRepository(Protocol):
    """E-mail addresses and webhooks, with the webhooks' secrets (kept encrypted) and their delivery log."""

    async def add(
        self,
        channel: NotifyChannel,
        secret: str | None,
        code_hash: str | None,
        code_expires_at: datetime | None,
    ) -> NotifyChannel: ...

    async def get(self, channel_id: int) -> NotifyChannel | None: ...

    async def for_user(self, user_id: int) -> Sequence[NotifyChannel]: ...

    async def verify(self, channel_id: int, user_id: int, code_hash: str, now: datetime) -> bool:
        """Compare-and-set: verified where the code matches and has not expired."""
        ...

    async def count_wrong_code(self, user_id: int, most: int) -> bool:
        """Count a wrong code on each address of the user waiting for its code; void the codes told wrong
        `most` times. Whether any was voided now."""
        ...

    async def set_events(self, channel_id: int, user_id: int, events: frozenset[EventKind]) -> bool: ...

    async def remove(self, channel_id: int, user_id: int) -> bool: ...

    async def secret(self, channel_id: int) -> str | None: ...

    async def log(self, delivery: ChannelDelivery) -> None: ...

    async def deliveries(self, channel_id: int, limit: int) -> Sequence[ChannelDelivery]:
        """The latest first."""
        ...
