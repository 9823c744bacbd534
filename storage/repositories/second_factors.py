"""Second factors: the TOTP secret encrypted at rest, its steps taken and wrong codes counted by compare-and-set
in the database (so every web worker sees them), and recovery codes used once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, or_, select, update

from storage.crypto import CredentialCipher
from storage.models import table_of
from storage.second_factor_models import RecoveryCodeRow, SecondFactorRow
from storage.transaction import Transaction
from trading.domain.second_factor import SecondFactor

_FACTORS = table_of(SecondFactorRow)
_CODES = table_of(RecoveryCodeRow)


class SqlSecondFactorRepository:
    def __init__(self, transaction: Transaction, cipher: CredentialCipher) -> None:
        self._tx = transaction
        self._cipher = cipher

    def _factor(self, row: Row[Any]) -> SecondFactor:
        return SecondFactor(
            row.user_id,
            self._cipher.decrypt(row.secret_enc),
            row.created_at,
            row.enabled_at,
            row.last_step,
            row.failures,
            row.locked_until,
        )

    async def get(self, user_id: int) -> SecondFactor | None:
        row = (await self._tx.execute(select(_FACTORS).where(_FACTORS.c.user_id == user_id))).one_or_none()
        return None if row is None else self._factor(row)

    async def start(self, user_id: int, secret: str, now: datetime) -> None:
        waiting = _FACTORS.c.user_id == user_id, _FACTORS.c.enabled_at.is_(None)
        await self._tx.execute(delete(_FACTORS).where(*waiting))
        await self._tx.execute(
            insert(_FACTORS).values(
                user_id=user_id, secret_enc=self._cipher.encrypt(secret), created_at=now, failures=0
            )
        )

    async def enable(self, user_id: int, step: int, now: datetime) -> bool:
        result = await self._tx.execute(
            update(_FACTORS)
            .where(_FACTORS.c.user_id == user_id, _FACTORS.c.enabled_at.is_(None))
            .values(enabled_at=now, last_step=step, failures=0)
        )
        return result.rowcount == 1

    async def take_step(self, user_id: int, step: int) -> bool:
        result = await self._tx.execute(
            update(_FACTORS)
            .where(
                _FACTORS.c.user_id == user_id,
                or_(_FACTORS.c.last_step.is_(None), _FACTORS.c.last_step < step),
            )
            .values(last_step=step)
        )
        return result.rowcount == 1

    async def failed(self, user_id: int, max_failures: int, locked_until: datetime) -> None:
        mine = _FACTORS.c.user_id == user_id
        await self._tx.execute(update(_FACTORS).where(mine).values(failures=_FACTORS.c.failures + 1))
        await self._tx.execute(
            update(_FACTORS)
            .where(mine, _FACTORS.c.failures >= max_failures)
            .values(failures=0, locked_until=locked_until)
        )

    async def succeeded(self, user_id: int) -> None:
        await self._tx.execute(update(_FACTORS).where(_FACTORS.c.user_id == user_id).values(failures=0))

    async def remove(self, user_id: int) -> None:
        await self._tx.execute(delete(_CODES).where(_CODES.c.user_id == user_id))
        await self._tx.execute(delete(_FACTORS).where(_FACTORS.c.user_id == user_id))

    async def set_recovery_codes(self, user_id: int, code_hashes: Sequence[str]) -> None:
        await self._tx.execute(delete(_CODES).where(_CODES.c.user_id == user_id))
        await self._tx.execute(insert(_CODES), [{"user_id": user_id, "code_hash": h} for h in code_hashes])

    async def use_recovery_code(self, user_id: int, code_hash: str, now: datetime) -> bool:
        result = await self._tx.execute(
            update(_CODES)
            .where(_CODES.c.user_id == user_id, _CODES.c.code_hash == code_hash, _CODES.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def recovery_codes_left(self, user_id: int) -> int:
        query = select(func.count()).where(_CODES.c.user_id == user_id, _CODES.c.used_at.is_(None))
        return int(await self._tx.scalar(query) or 0)
