"""One unit of work's transaction: a connection from the engine, begun by its first statement.

Repositories run their statements, built once on the Core tables, on the connection. Those that still work
through ORM rows get a session that joins the same transaction, so a unit of work stays one transaction
whatever it touches.
"""

from typing import Any

from sqlalchemy import CursorResult, Executable, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

# PostgreSQL's asynchronous commit for one transaction: still atomic and in order, only not yet on disk.
_COMMIT_WITHOUT_WAITING_FOR_DISK = text("SET LOCAL synchronous_commit TO OFF")


class Transaction:
    """Checked out by its first statement, so that a unit of work that reads nothing holds no connection. Its
    owner commits it, or closes it, which rolls back what was not committed."""

    def __init__(self, engine: AsyncEngine, *, durable: bool = True) -> None:
        """`durable=False`, on PostgreSQL: its commit does not wait for the disk (synchronous_commit off for this
        transaction alone), as trading.ports.UnitOfWorkFactory describes. SQLite, whose WAL at
        synchronous=NORMAL does not sync at each commit anyway, is left as it is."""
        self._engine = engine
        self._durable = durable
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        if self._session is not None and (self._session.new or self._session.dirty or self._session.deleted):
            # As one session's autoflush would: a statement sees what the ORM rows have pending.
            await self._session.flush()
        connection = await self._connect()
        return await connection.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()

    async def session(self) -> AsyncSession:
        """An ORM session inside this transaction. Having joined a transaction it did not begin, it neither
        commits nor ends it: `commit` flushes it first, then commits the connection."""
        if self._session is None:
            connection = await self._connect()
            if not connection.in_transaction():
                await connection.begin()
            self._session = AsyncSession(bind=connection, expire_on_commit=False)
        return self._session

    async def commit(self) -> None:
        await self._end_session(flush=True)
        if self._connection is None:
            return
        try:
            await self._connection.commit()
        except Exception:
            # SQLite keeps a transaction whose COMMIT it refused (a deferred constraint) open, where SQLAlchemy
            # counts it ended: the connection is discarded rather than handed on with it.
            await self._connection.invalidate()
            raise

    async def rollback(self) -> None:
        await self._end_session(flush=False)
        if self._connection is not None:
            await self._connection.rollback()

    async def close(self) -> None:
        """Hands the connection back, rolling back first if a transaction is open."""
        await self._end_session(flush=False)
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            self._connection = await self._engine.connect()
            if not self._durable and self.dialect == "postgresql":
                await self._connection.execute(_COMMIT_WITHOUT_WAITING_FOR_DISK)
        return self._connection

    async def _end_session(self, *, flush: bool) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            try:
                if flush:
                    await session.flush()
            finally:
                await session.close()  # detaches its objects; the transaction is the connection's to end
