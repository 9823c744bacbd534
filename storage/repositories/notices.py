"""Notices: read and marked by delivery on every pass of the tracker, so, as on the order path, each statement
is built once, on the Core table, and run with bound parameters."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, or_, select, update

from storage.models import NoticeRow, table_of
from storage.transaction import Transaction
from trading.domain.channels import EventKind
from trading.domain.notices import Notice

_NOTICES = table_of(NoticeRow)
_INSERT = insert(_NOTICES).returning(*_NOTICES.c)
_UNSENT = (
    select(_NOTICES).where(_NOTICES.c.sent_at.is_(None)).order_by(_NOTICES.c.id).limit(bindparam("limit"))
)
_MARK_SENT = (
    update(_NOTICES)
    .where(_NOTICES.c.id == bindparam("notice_id"), _NOTICES.c.sent_at.is_(None))
    .values(sent_at=bindparam("now"))
)

_CLAIM = (
    update(_NOTICES)
    .where(
        _NOTICES.c.id == bindparam("notice_id"),
        _NOTICES.c.sent_at.is_(None),
        or_(_NOTICES.c.claimed_at.is_(None), _NOTICES.c.claimed_at < bindparam("stale_before")),
    )
    .values(claimed_at=bindparam("now"))
)
_RELEASE = update(_NOTICES).where(_NOTICES.c.id == bindparam("notice_id")).values(claimed_at=None)

_DELETE_SENT_BEFORE = delete(_NOTICES).where(_NOTICES.c.sent_at < bindparam("before"))


_UNFANNED = (
    select(_NOTICES)
    .where(_NOTICES.c.fanned_out_at.is_(None))
    .order_by(_NOTICES.c.id)
    .limit(bindparam("limit"))
)


def _notice(row: Row[Any]) -> Notice:
    return Notice(
        row.id, row.user_id, row.text, row.created_at, row.sent_at, EventKind(row.kind), row.with_chart
    )


class SqlNoticeRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(
        self,
        user_id: int,
        text: str,
        now: datetime,
        kind: EventKind = EventKind.ORDERS,
        with_chart: bool = False,
    ) -> Notice:
        params = {
            "user_id": user_id,
            "text": text,
            "created_at": now,
            "sent_at": None,
            "kind": kind.value,
            "with_chart": with_chart,
        }
        return _notice((await self._tx.execute(_INSERT, params)).one())

    async def unsent(self, limit: int) -> Sequence[Notice]:
        return [_notice(row) for row in await self._tx.execute(_UNSENT, {"limit": limit})]

    async def mark_sent(self, notice_id: int, now: datetime) -> bool:
        result = await self._tx.execute(_MARK_SENT, {"notice_id": notice_id, "now": now})
        return result.rowcount == 1

    async def claim(self, notice_id: int, now: datetime, stale_before: datetime) -> bool:
        params = {"notice_id": notice_id, "now": now, "stale_before": stale_before}
        return (await self._tx.execute(_CLAIM, params)).rowcount == 1

    async def release(self, notice_id: int) -> None:
        await self._tx.execute(_RELEASE, {"notice_id": notice_id})

    async def unfanned(self, limit: int) -> Sequence[Notice]:
        return [_notice(row) for row in await self._tx.execute(_UNFANNED, {"limit": limit})]

    async def mark_fanned(self, notice_ids: Sequence[int], now: datetime) -> None:
        statement = update(_NOTICES).where(_NOTICES.c.id.in_(notice_ids)).values(fanned_out_at=now)
        await self._tx.execute(statement)

    async def get(self, notice_id: int) -> Notice | None:
        row = (await self._tx.execute(select(_NOTICES).where(_NOTICES.c.id == notice_id))).one_or_none()
        return _notice(row) if row else None

    async def delete_sent_before(self, before: datetime) -> int:
        result = await self._tx.execute(_DELETE_SENT_BEFORE, {"before": before})
        return int(result.rowcount)
