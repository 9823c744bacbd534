"""One unit of work per use-case call: the only place that commits or rolls back."""

from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import CredentialCipher
from storage.models import CommandLogRow
from storage.recent_reads import RecentReads
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
    """The session and the repositories are made when first used (a view answered from recent reads makes
    none), and the session is closed on leaving the block."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
        recent_reads: RecentReads,
        *,
        recent: bool,
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._cipher = cipher
        self._recent_reads = recent_reads
        self._recent = recent
        # What this transaction changed, dropped from the recent reads once it commits.
        self._changed_users: set[int] = set()
        self._changed_accounts: set[int] = set()

    @property
    def _opened(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    def _open(self) -> AsyncSession:
        """For the repositories with recent reads: they open the session only when they read past them."""
        return self._opened

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self._opened)

    @cached_property
    def accounts(self) -> SqlAccountRepository:
        recent = self._recent_reads.accounts if self._recent else None
        return SqlAccountRepository(self._open, self._cipher, recent, self._changed_users)

    @cached_property
    def drafts(self) -> SqlDraftRepository:
        return SqlDraftRepository(self._opened)

    @cached_property
    def orders(self) -> SqlOrderRepository:
        return SqlOrderRepository(self._opened)

    @cached_property
    def fills(self) -> SqlFillRepository:
        return SqlFillRepository(self._opened)

    @cached_property
    def ledgers(self) -> SqlLedgerRepository:
        recent = self._recent_reads.ledgers if self._recent else None
        return SqlLedgerRepository(self._open, recent, self._changed_accounts)

    @cached_property
    def commands(self) -> SqlCommandLog:
        return SqlCommandLog(self._opened)

    @cached_property
    def alerts(self) -> SqlAlertRepository:
        return SqlAlertRepository(self._opened)

    @cached_property
    def signals(self) -> SqlSignalRepository:
        return SqlSignalRepository(self._opened)

    @cached_property
    def api_tokens(self) -> SqlApiTokenRepository:
        return SqlApiTokenRepository(self._opened)

    @cached_property
    def login_grants(self) -> SqlLoginGrantRepository:
        return SqlLoginGrantRepository(self._opened)

    @cached_property
    def risk_settings(self) -> SqlRiskSettingsRepository:
        return SqlRiskSettingsRepository(self._opened)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is None or not self._session.in_transaction():
            return  # nothing began, or it was committed: no connection is held
        await self._session.close()  # which rolls the transaction back before the connection goes back

    async def commit(self) -> None:
        if self._session is None:
            return
        await self._session.commit()
        self._recent_reads.accounts.drop(self._changed_users)
        # Only a ledger's save() notes a changed account, so the repository exists when there are any.
        written = self.ledgers.written() if self._changed_accounts else {}
        self._recent_reads.ledgers.drop(self._changed_accounts - written.keys())
        for account_id, ledger in written.items():
            self._recent_reads.ledgers.replace(account_id, ledger)

    async def rollback(self) -> None:
        if self._session is not None:
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
        self._recent_reads = RecentReads()

    def __call__(self, *, read_only: bool = False, recent: bool = False) -> SqlUnitOfWork:
        sessions = self._read_sessions if read_only or recent else self._sessions
        return SqlUnitOfWork(sessions, self._cipher, self._recent_reads, recent=recent)
