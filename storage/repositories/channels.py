"""E-mail addresses and webhooks, a webhook's secret encrypted at rest (it must be read back to sign), and the
delivery log."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, delete, insert, select, update

from storage.automation_models import ChannelDeliveryRow, NotifyChannelRow
from storage.crypto import CredentialCipher
from storage.models import table_of
from storage.transaction import Transaction
from trading.domain.channels import ChannelDelivery, ChannelKind, EventKind, NotifyChannel

_CHANNELS = table_of(NotifyChannelRow)
_DELIVERIES = table_of(ChannelDeliveryRow)


def _events(text: str) -> frozenset[EventKind]:
    return frozenset(EventKind(part) for part in text.split(",") if part)


def _channel(row: Row[Any]) -> NotifyChannel:
    return NotifyChannel(
        row.id,
        row.user_id,
        ChannelKind(row.kind),
        row.target,
        _events(row.events),
        row.verified_at,
        row.created_at,
    )


class SqlChannelRepository:
    def __init__(self, transaction: Transaction, cipher: CredentialCipher) -> None:
        self._tx = transaction
        self._cipher = cipher

    async def add(
        self,
        channel: NotifyChannel,
        secret: str | None,
        code_hash: str | None,
        code_expires_at: datetime | None,
    ) -> NotifyChannel:
        values = {
            "user_id": channel.user_id,
            "kind": channel.kind.value,
            "target": channel.target,
            "secret": None if secret is None else self._cipher.encrypt(secret),
            "code_hash": code_hash,
            "code_expires_at": code_expires_at,
            "events": ",".join(sorted(channel.events)),
            "verified_at": channel.verified_at,
            "created_at": channel.created_at,
        }
        channel_id = await self._tx.scalar(insert(_CHANNELS).returning(_CHANNELS.c.id), values)
        return replace(channel, id=int(cast(int, channel_id)))

    async def get(self, channel_id: int) -> NotifyChannel | None:
        row = (await self._tx.execute(select(_CHANNELS).where(_CHANNELS.c.id == channel_id))).one_or_none()
        return _channel(row) if row else None

    async def for_user(self, user_id: int) -> Sequence[NotifyChannel]:
        query = select(_CHANNELS).where(_CHANNELS.c.user_id == user_id).order_by(_CHANNELS.c.id)
        return [_channel(row) for row in await self._tx.execute(query)]

    async def verify(self, channel_id: int, user_id: int, code_hash: str, now: datetime) -> bool:
        statement = (
            update(_CHANNELS)
            .where(
                _CHANNELS.c.id == channel_id,
                _CHANNELS.c.user_id == user_id,
                _CHANNELS.c.verified_at.is_(None),
                _CHANNELS.c.code_hash == code_hash,
                _CHANNELS.c.code_expires_at >= now,
            )
            .values(verified_at=now, code_hash=None)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def count_wrong_code(self, user_id: int, most: int) -> bool:
        """One more wrong code told by the user, counted on each address still waiting for its code; a code
        told wrong `most` times is void. Whether any was voided now."""
        waiting = (_CHANNELS.c.user_id == user_id, _CHANNELS.c.code_hash.is_not(None))
        await self._tx.execute(
            update(_CHANNELS).where(*waiting).values(code_tries=_CHANNELS.c.code_tries + 1)
        )
        voided = update(_CHANNELS).where(*waiting, _CHANNELS.c.code_tries >= most).values(code_hash=None)
        return (await self._tx.execute(voided)).rowcount > 0

    async def set_events(self, channel_id: int, user_id: int, events: frozenset[EventKind]) -> bool:
        statement = (
            update(_CHANNELS)
            .where(_CHANNELS.c.id == channel_id, _CHANNELS.c.user_id == user_id)
            .values(events=",".join(sorted(events)))
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def remove(self, channel_id: int, user_id: int) -> bool:
        statement = delete(_CHANNELS).where(_CHANNELS.c.id == channel_id, _CHANNELS.c.user_id == user_id)
        return (await self._tx.execute(statement)).rowcount == 1

    async def secret(self, channel_id: int) -> str | None:
        stored = await self._tx.scalar(select(_CHANNELS.c.secret).where(_CHANNELS.c.id == channel_id))
        return None if stored is None else self._cipher.decrypt(stored)

    async def log(self, delivery: ChannelDelivery) -> None:
        values = {
            "channel_id": delivery.channel_id,
            "notice_id": delivery.notice_id,
            "attempt": delivery.attempt,
            "ok": delivery.ok,
            "detail": delivery.detail[:500],
            "at": delivery.at,
        }
        await self._tx.execute(insert(_DELIVERIES), values)

    async def deliveries(self, channel_id: int, limit: int) -> Sequence[ChannelDelivery]:
        query = (
            select(_DELIVERIES)
            .where(_DELIVERIES.c.channel_id == channel_id)
            .order_by(_DELIVERIES.c.id.desc())
            .limit(limit)
        )
        return [
            ChannelDelivery(row.channel_id, row.notice_id, row.attempt, row.ok, row.detail, row.at)
            for row in await self._tx.execute(query)
        ]
