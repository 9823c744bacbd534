"""One unit of work per use-case call: the only place that commits or rolls back."""

from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import CredentialCipher
from storage.models import CommandLogRow
from storage.repositories.access import SqlApiTokenRepository, SqlLoginGrantRepository
from storage.repositories.alerts import SqlAlertRepository
from storage.repositories.ledgers import SqlLedgerRepository
from storage.repositories.orders import SqlDraftRepository, SqlFillRepository, SqlOrderRepository
from storage.repositories.risk_settings import SqlRiskSettingsRepository
from storage.repositories.signals import SqlSignalRepository
from storage.repositories.users import SqlAccountRepository, SqlUserRepository


class SqlCommandLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user_id: int | None, source: str, text: str, outcome: str, at: datetime) -> None:
        self._session.add(
            CommandLogRow(user_id=user_id, source=source, text=text, outcome=outcome, created_at=at)
        )


class SqlUnitOfWork:
    """The session opens lazily, at the first statement, and is closed on leaving the block."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: CredentialCipher) -> None:
        session = sessions()
        self._session = session
        self.users = SqlUserRepository(session)
        self.accounts = SqlAccountRepository(session, cipher)
        self.drafts = SqlDraftRepository(session)
        self.orders = SqlOrderRepository(session)
        self.fills = SqlFillRepository(session)
        self.ledgers = SqlLedgerRepository(session)
        self.commands = SqlCommandLog(session)
        self.alerts = SqlAlertRepository(session)
        self.signals = SqlSignalRepository(session)
        self.api_tokens = SqlApiTokenRepository(session)
        self.login_grants = SqlLoginGrantRepository(session)
        self.risk_settings = SqlRiskSettingsRepository(session)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._session.rollback()
        finally:
            await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class SqlUnitOfWorkFactory:
    """Units of work on the writer's sessions, or, for reads, on a reader's where the database has one."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions
        self._cipher = cipher

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._read_sessions if read_only else self._sessions, self._cipher)
