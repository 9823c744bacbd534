"""Users and their exchange accounts. Statements are built once on the Core tables (storage.models.table_of):
an account is read on every order."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, delete, insert, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.crypto import CredentialCipher
from storage.models import ExchangeAccountRow, UserRow, table_of
from storage.transaction import Transaction
from trading.domain.accounts import Credentials, ExchangeAccount, User
from trading.domain.futures import MarketType


def _user(row: Row[Any]) -> User:
    return User(id=row.id, telegram_id=row.telegram_id, name=row.name, created_at=row.created_at)


def account_from(row: Row[Any]) -> ExchangeAccount:
    return ExchangeAccount(
        id=row.id,
        user_id=row.user_id,
        exchange=row.exchange,
        label=row.label,
        testnet=row.testnet,
        created_at=row.created_at,
        has_credentials=row.secret_enc is not None,
        market_type=MarketType(row.market_type),
    )


_USERS = table_of(UserRow)
_USER = select(_USERS).where(_USERS.c.id == bindparam("user_id"))
_USER_BY_TELEGRAM_ID = select(_USERS).where(_USERS.c.telegram_id == bindparam("telegram_id"))
_ACCOUNTS = table_of(ExchangeAccountRow)
_ACCOUNT = select(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("account_id"))
_ACCOUNTS_OF = select(_ACCOUNTS).where(_ACCOUNTS.c.user_id == bindparam("user_id")).order_by(_ACCOUNTS.c.id)
_PENDING_COUNT = _ACCOUNTS.c.deposits_pending
_MARK_DEPOSIT_PENDING = (
    update(_ACCOUNTS)
    .where(_ACCOUNTS.c.id == bindparam("account_id"))
    .values(deposits_pending=_PENDING_COUNT + 1, deposit_pending_since=bindparam("now"))
)
# Both values are computed from the row as it was: the marker goes with the last deposit under way.
_DEPOSIT_BOOKED = (
    update(_ACCOUNTS)
    .where(_ACCOUNTS.c.id == bindparam("account_id"))
    .values(
        deposits_pending=case((_PENDING_COUNT > 0, _PENDING_COUNT - 1), else_=0),
        deposit_pending_since=case((_PENDING_COUNT > 1, _ACCOUNTS.c.deposit_pending_since), else_=null()),
    )
)
# `<=`: a deposit begun since the check read the account keeps its mark.
_DEPOSITS_CHECKED = (
    update(_ACCOUNTS)
    .where(
        _ACCOUNTS.c.id == bindparam("account_id"),
        _ACCOUNTS.c.deposit_pending_since <= bindparam("since"),
    )
    .values(deposits_pending=0, deposit_pending_since=None)
)
# Ordered by the marker, which its partial index gives; by id, SQLite would scan the table instead.
_MARKED = select(_ACCOUNTS).order_by(_ACCOUNTS.c.deposit_pending_since, _ACCOUNTS.c.id)
_DEPOSIT_PENDING = _MARKED.where(_ACCOUNTS.c.deposit_pending_since.is_not(None))
_DEPOSIT_PENDING_BEGUN_BY = _MARKED.where(_ACCOUNTS.c.deposit_pending_since <= bindparam("begun_by"))


class SqlUserRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def get(self, user_id: int) -> User | None:
        row = (await self._tx.execute(_USER, {"user_id": user_id})).one_or_none()
        return _user(row) if row else None

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        row = (await self._tx.execute(_USER_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).one_or_none()
        return _user(row) if row else None

    async def add(self, name: str, telegram_id: int | None, now: datetime) -> User | None:
        insert = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        user_id = await self._tx.scalar(
            insert(UserRow)
            .values(name=name, telegram_id=telegram_id, created_at=now)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
            .returning(UserRow.id)
        )
        return None if user_id is None else User(user_id, telegram_id, name, now)


class SqlAccountRepository:
    def __init__(self, transaction: Transaction, cipher: CredentialCipher) -> None:
        self._tx = transaction
        self._cipher = cipher

    async def get(self, account_id: int) -> ExchangeAccount | None:
        row = await self._row(account_id)
        return account_from(row) if row else None

    async def _row(self, account_id: int) -> Any:
        return (await self._tx.execute(_ACCOUNT, {"account_id": account_id})).one_or_none()

    async def for_user(self, user_id: int) -> Sequence[ExchangeAccount]:
        rows = await self._tx.execute(_ACCOUNTS_OF, {"user_id": user_id})
        return tuple(account_from(row) for row in rows)

    async def every(self) -> Sequence[ExchangeAccount]:
        rows = await self._tx.execute(select(_ACCOUNTS).order_by(_ACCOUNTS.c.id))
        return [account_from(row) for row in rows]

    async def mark_deposit_pending(self, account_id: int, now: datetime) -> None:
        await self._tx.execute(_MARK_DEPOSIT_PENDING, {"account_id": account_id, "now": now})

    async def deposit_booked(self, account_id: int) -> None:
        await self._tx.execute(_DEPOSIT_BOOKED, {"account_id": account_id})

    async def deposit_pending(
        self, begun_by: datetime | None = None
    ) -> Sequence[tuple[ExchangeAccount, datetime]]:
        if begun_by is None:
            rows = await self._tx.execute(_DEPOSIT_PENDING)
        else:
            rows = await self._tx.execute(_DEPOSIT_PENDING_BEGUN_BY, {"begun_by": begun_by})
        return [(account_from(row), row.deposit_pending_since) for row in rows]

    async def deposits_checked(self, account_id: int, since: datetime) -> None:
        await self._tx.execute(_DEPOSITS_CHECKED, {"account_id": account_id, "since": since})

    async def add(
        self,
        user_id: int,
        exchange: str,
        label: str,
        testnet: bool,
        credentials: Credentials | None,
        now: datetime,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeAccount:
        encrypt = self._cipher.encrypt
        account_id = await self._tx.scalar(
            insert(_ACCOUNTS).returning(_ACCOUNTS.c.id),
            {
                "user_id": user_id,
                "exchange": exchange,
                "label": label,
                "testnet": testnet,
                "market_type": market_type.value,
                "api_key_enc": encrypt(credentials.api_key) if credentials else None,
                "secret_enc": encrypt(credentials.secret) if credentials else None,
                "password_enc": encrypt(credentials.password)
                if credentials and credentials.password
                else None,
                "created_at": now,
            },
        )
        return ExchangeAccount(
            id=account_id,
            user_id=user_id,
            exchange=exchange,
            label=label,
            testnet=testnet,
            created_at=now,
            has_credentials=credentials is not None,
            market_type=market_type,
        )

    async def credentials(self, account_id: int) -> Credentials | None:
        row = await self._row(account_id)
        if row is None or row.api_key_enc is None or row.secret_enc is None:
            return None
        decrypt = self._cipher.decrypt
        return Credentials(
            api_key=decrypt(row.api_key_enc),
            secret=decrypt(row.secret_enc),
            password=decrypt(row.password_enc) if row.password_enc else None,
        )

    async def remove(self, user_id: int, account_id: int) -> bool:
        result = await self._tx.execute(
            delete(ExchangeAccountRow).where(
                ExchangeAccountRow.id == account_id, ExchangeAccountRow.user_id == user_id
            )
        )
        return bool(result.rowcount)
