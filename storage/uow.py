"""One unit of work per use-case call: the only place that commits or rolls back."""

from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import CredentialCipher
from storage.liveness import ProcessLiveness
from storage.models import CommandLogRow
from storage.repositories.access import SqlApiTokenRepository, SqlLoginGrantRepository
from storage.repositories.alerts import SqlAlertRepository
from storage.repositories.audits import SqlAuditRepository
from storage.repositories.channels import SqlChannelRepository
from storage.repositories.drafts import SqlDraftRepository
from storage.repositories.entry_rules import SqlEntryRulesRepository
from storage.repositories.futures_books import SqlFuturesBookRepository
from storage.repositories.ledgers import SqlLedgerRepository
from storage.repositories.notices import SqlNoticeRepository
from storage.repositories.orders import SqlFillRepository, SqlOrderRepository
from storage.repositories.plans import SqlPlanRepository
from storage.repositories.protections import SqlProtectionRepository
from storage.repositories.risk_settings import SqlRiskSettingsRepository
from storage.repositories.second_factors import SqlSecondFactorRepository
from storage.repositories.signals import SqlSignalRepository
from storage.repositories.stop_modes import SqlStopModeRepository
from storage.repositories.users import SqlAccountRepository, SqlUserRepository
from storage.transaction import Transaction


class SqlCommandLog:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(self, user_id: int | None, source: str, text: str, outcome: str, at: datetime) -> None:
        (await self._tx.session()).add(
            CommandLogRow(user_id=user_id, source=source, text=text, outcome=outcome, created_at=at)
        )


class SqlUnitOfWork:
    """One transaction (storage.transaction): its connection is checked out by the first statement and handed
    back on leaving the block."""

    def __init__(
        self,
        engine: AsyncEngine,
        cipher: CredentialCipher,
        placer: str | None = None,
        *,
        durable: bool = True,
    ) -> None:
        """`placer`: this process's id, which the orders it makes SUBMITTED carry (storage.liveness).
        `durable`: trading.ports.UnitOfWorkFactory's."""
        self._tx = Transaction(engine, durable=durable)
        self._placer = placer
        self._cipher = cipher

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self._tx)

    @cached_property
    def accounts(self) -> SqlAccountRepository:
        return SqlAccountRepository(self._tx, self._cipher)

    @cached_property
    def drafts(self) -> SqlDraftRepository:
        return SqlDraftRepository(self._tx)

    @cached_property
    def orders(self) -> SqlOrderRepository:
        return SqlOrderRepository(self._tx, self._placer)

    @cached_property
    def fills(self) -> SqlFillRepository:
        return SqlFillRepository(self._tx)

    @cached_property
    def ledgers(self) -> SqlLedgerRepository:
        return SqlLedgerRepository(self._tx)

    @cached_property
    def futures_books(self) -> SqlFuturesBookRepository:
        return SqlFuturesBookRepository(self._tx)

    @cached_property
    def commands(self) -> SqlCommandLog:
        return SqlCommandLog(self._tx)

    @cached_property
    def alerts(self) -> SqlAlertRepository:
        return SqlAlertRepository(self._tx)

    @cached_property
    def signals(self) -> SqlSignalRepository:
        return SqlSignalRepository(self._tx)

    @cached_property
    def api_tokens(self) -> SqlApiTokenRepository:
        return SqlApiTokenRepository(self._tx)

    @cached_property
    def login_grants(self) -> SqlLoginGrantRepository:
        return SqlLoginGrantRepository(self._tx)

    @cached_property
    def risk_settings(self) -> SqlRiskSettingsRepository:
        return SqlRiskSettingsRepository(self._tx)

    @cached_property
    def notices(self) -> SqlNoticeRepository:
        return SqlNoticeRepository(self._tx)

    @cached_property
    def plans(self) -> SqlPlanRepository:
        return SqlPlanRepository(self._tx)

    @cached_property
    def channels(self) -> SqlChannelRepository:
        return SqlChannelRepository(self._tx, self._cipher)

    @cached_property
    def protections(self) -> SqlProtectionRepository:
        return SqlProtectionRepository(self._tx)

    @cached_property
    def entry_rules(self) -> SqlEntryRulesRepository:
        return SqlEntryRulesRepository(self._tx)

    @cached_property
    def stop_modes(self) -> SqlStopModeRepository:
        return SqlStopModeRepository(self._tx)

    @cached_property
    def audits(self) -> SqlAuditRepository:
        return SqlAuditRepository(self._tx)

    @cached_property
    def second_factors(self) -> SqlSecondFactorRepository:
        return SqlSecondFactorRepository(self._tx, self._cipher)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._tx.close()  # which rolls back what was not committed, before the connection goes back

    async def commit(self) -> None:
        await self._tx.commit()

    async def rollback(self) -> None:
        await self._tx.rollback()


class SqlUnitOfWorkFactory:
    """Units of work on the writer engine, or, for reads, on the reader where the database has one."""

    def __init__(
        self,
        engine: AsyncEngine,
        cipher: CredentialCipher,
        read_engine: AsyncEngine | None = None,
        liveness: ProcessLiveness | None = None,
    ) -> None:
        """`liveness`: this process's, whose id its orders carry once it has registered."""
        self._engine = engine
        self._read_engine = read_engine or engine
        self._cipher = cipher
        self._liveness = liveness

    def __call__(self, *, read_only: bool = False, durable: bool = True) -> SqlUnitOfWork:
        engine = self._read_engine if read_only else self._engine
        placer = self._liveness.placer if self._liveness is not None else None
        return SqlUnitOfWork(engine, self._cipher, placer, durable=durable)
