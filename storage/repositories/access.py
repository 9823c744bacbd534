from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from storage.access_models import ApiTokenRow, LoginGrantRow
from storage.models import table_of
from storage.transaction import Transaction
from trading.domain.access import ApiToken, GrantKind, TokenScope

_TOKENS = table_of(ApiTokenRow)
# Every request with an API token looks its token up: one statement built once, no ORM session around it.
_ACTIVE_BY_HASH = select(_TOKENS).where(
    _TOKENS.c.token_hash == bindparam("token_hash"), _TOKENS.c.revoked_at.is_(None)
)


def _token(row: ApiTokenRow | Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        scope=TokenScope(row.scope),
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class SqlApiTokenRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(
        self, user_id: int, name: str, scope: TokenScope, token_hash: str, prefix: str, now: datetime
    ) -> ApiToken:
        session = await self._tx.session()
        row = ApiTokenRow(
            user_id=user_id,
            name=name,
            scope=scope.value,
            prefix=prefix,
            token_hash=token_hash,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return _token(row)

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        row = (await self._tx.execute(_ACTIVE_BY_HASH, {"token_hash": token_hash})).one_or_none()
        return _token(row) if row else None

    async def for_user(self, user_id: int) -> Sequence[ApiToken]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        )
        return [_token(row) for row in rows]

    async def revoke(self, user_id: int, token_id: int, now: datetime) -> bool:
        session = await self._tx.session()
        result = await session.execute(
            update(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None)
            )
            .values(revoked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


class SqlLoginGrantRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(
        self, kind: GrantKind, user_id: int, secret_hash: str, expires_at: datetime, now: datetime
    ) -> None:
        session = await self._tx.session()
        session.add(
            LoginGrantRow(
                user_id=user_id,
                kind=kind.value,
                secret_hash=secret_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def consume(self, kind: GrantKind, secret_hash: str, now: datetime) -> int | None:
        """Compare-and-set unused -> used for an unexpired grant; its user's id for the one winner."""
        session = await self._tx.session()
        result = await session.execute(
            update(LoginGrantRow)
            .where(
                LoginGrantRow.secret_hash == secret_hash,
                LoginGrantRow.kind == kind.value,
                LoginGrantRow.used_at.is_(None),
                LoginGrantRow.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return None
        user_id = await session.scalar(
            select(LoginGrantRow.user_id).where(LoginGrantRow.secret_hash == secret_hash)
        )
        return int(user_id) if user_id is not None else None
