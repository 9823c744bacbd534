"""Order drafts: on the order path, so every statement is built once, on the Core tables, and run with bound
parameters (see storage.models.table_of)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, insert, select, update

from storage.models import OrderDraftRow, OrderRow, table_of
from storage.repositories.previews import preview_from_json, preview_json
from storage.transaction import Transaction
from trading.domain.enums import DraftStatus, OrderType, Side
from trading.domain.orders import OrderDraft


def draft_of(row: Row[Any]) -> OrderDraft:
    return OrderDraft(
        id=row.id,
        user_id=row.user_id,
        account_id=row.account_id,
        symbol=row.symbol,
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        quantity=row.quantity,
        price=row.price,
        preview=preview_from_json(row.preview),
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=DraftStatus(row.status),
        stop_loss=row.stop_loss,
        take_profits=tuple(Decimal(target) for target in row.take_profits),
        leverage=row.leverage,
        group_id=row.group_id,
        move_stop_to_entry=row.move_stop_to_entry,
        replaces_order_id=row.replaces_order_id,
    )


DRAFTS = table_of(OrderDraftRow)
_INSERT_DRAFT = insert(DRAFTS)
_DRAFT = select(DRAFTS).where(DRAFTS.c.id == bindparam("draft_id"))
_DRAFTS_IN_GROUP = (
    select(DRAFTS).where(DRAFTS.c.group_id == bindparam("group_id")).order_by(DRAFTS.c.created_at)
)
# Compare-and-set out of pending, the row read back for the one caller whose update matched.
_LEAVE_PENDING = (
    update(DRAFTS)
    .where(
        DRAFTS.c.id == bindparam("draft_id"),
        DRAFTS.c.user_id == bindparam("b_user_id"),
        DRAFTS.c.status == DraftStatus.PENDING.value,
    )
    .values(status=bindparam("to_status"))
    .returning(*DRAFTS.c)
)
# Out of pending into submitted, if unexpired (SqlOrderRepository.add_claimed writes its order with it).
CLAIM = _LEAVE_PENDING.where(DRAFTS.c.expires_at > bindparam("now"))
# Whatever their status: one an order was made from is kept with the order (orders.draft_id refers to it).
_DELETE_EXPIRED = delete(DRAFTS).where(
    DRAFTS.c.expires_at < bindparam("before"),
    ~exists().where(table_of(OrderRow).c.draft_id == DRAFTS.c.id),
)


class SqlDraftRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(self, draft: OrderDraft) -> None:
        await self._tx.execute(
            _INSERT_DRAFT,
            {
                "id": draft.id,
                "user_id": draft.user_id,
                "account_id": draft.account_id,
                "symbol": draft.symbol,
                "side": draft.side.value,
                "order_type": draft.order_type.value,
                "quantity": draft.quantity,
                "price": draft.price,
                "stop_loss": draft.stop_loss,
                "take_profits": [str(target) for target in draft.take_profits],
                "leverage": draft.leverage,
                "preview": preview_json(draft.preview),
                "group_id": draft.group_id,
                "move_stop_to_entry": draft.move_stop_to_entry,
                "replaces_order_id": draft.replaces_order_id,
                "status": draft.status.value,
                "created_at": draft.created_at,
                "expires_at": draft.expires_at,
            },
        )

    async def get(self, draft_id: str) -> OrderDraft | None:
        row = (await self._tx.execute(_DRAFT, {"draft_id": draft_id})).one_or_none()
        return draft_of(row) if row else None

    async def in_group(self, group_id: str) -> Sequence[OrderDraft]:
        rows = await self._tx.execute(_DRAFTS_IN_GROUP, {"group_id": group_id})
        return [draft_of(row) for row in rows]

    async def cancel(self, draft_id: str, user_id: int) -> bool:
        params = {"draft_id": draft_id, "b_user_id": user_id, "to_status": DraftStatus.CANCELLED.value}
        return (await self._tx.execute(_LEAVE_PENDING, params)).one_or_none() is not None

    async def delete_expired_before(self, before: datetime) -> int:
        return (await self._tx.execute(_DELETE_EXPIRED, {"before": before})).rowcount
