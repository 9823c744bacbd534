"""One unit of work's connection and transaction.

Repositories run their statements, built once on the Core tables, straight on the connection: through an ORM
session the same statement cost about a quarter more CPU, and the session's own begin, commit and close
nearly double a transaction's. The repositories that still work through ORM rows get a session that joins
the same transaction, so a unit of work stays one transaction whatever it touches.

On SQLite (storage.sqlite_dialect, run in the loop's thread) statements, check-outs from a pool that has a
connection waiting, and check-ins skip SQLAlchemy's greenlet bridge: none of them waits for anything, and a
trip through the bridge cost about as much as the statement itself (a greenlet made, switched to and freed).
A busy database is waited out here. A commit is made on the driver's connection first, then ended in
SQLAlchemy, which has nothing left to write; one that fails (a busy database) is made again across the bridge,
where the dialect waits (a failed commit in SQLAlchemy would end its transaction). A check-out that must wait
for the pool crosses the bridge too. A statement that SQLAlchemy's execution adds nothing to runs prepared
(storage.sqlite_prepared), its transaction begun as SQLAlchemy would begin it.
"""

import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.pool import QueuePool

from storage.sqlite_dialect import InLoopSQLiteDialect, driver_busy, is_busy
from storage.sqlite_prepared import Run


class Result(Protocol):
    """What the repositories read of a statement's result: SQLAlchemy's, or a prepared statement's."""

    @property
    def rowcount(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def one(self) -> Any: ...

    def one_or_none(self) -> Any: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...


class Transaction:
    """Checked out and begun by its first statement, so that a unit of work answered from recent reads holds
    no connection. Its owner commits it, or closes it, which rolls back what was not committed."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # SQLite in the loop's thread: statements run on the sync connection, without the greenlet bridge.
        self._in_loop = engine.dialect if isinstance(engine.dialect, InLoopSQLiteDialect) else None
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    async def execute(self, statement: Executable, parameters: Any = None) -> Result:
        if self._session is not None and (self._session.new or self._session.dirty or self._session.deleted):
            # As one session's autoflush would: a statement sees what the ORM rows have pending.
            await self._session.flush()
        connection = self._connection or await self._connect()
        if self._in_loop is None:
            return await connection.execute(statement, parameters)
        started = _sync(connection)
        prepared = self._in_loop.prepared.bind(statement, parameters)
        run: Callable[[], Result] = (
            partial(started.execute, statement, parameters)
            if prepared is None
            else partial(_run_prepared, started, prepared)
        )
        try:
            return run()
        except OperationalError as error:
            if not is_busy(error):
                raise
            return await self._in_loop.retry_while_busy(run)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()

    async def session(self) -> AsyncSession:
        """An ORM session inside this transaction. Having joined a transaction it did not begin, it neither
        commits nor ends it: `commit` flushes it first, then commits the connection."""
        if self._session is None:
            connection = self._connection or await self._connect()
            if not connection.in_transaction():
                await connection.begin()
            self._session = AsyncSession(bind=connection, expire_on_commit=False)
        return self._session

    async def commit(self) -> None:
        await self._end_session(flush=True)
        if self._connection is None:
            return
        if self._in_loop is None:
            await self._connection.commit()
            return
        started = _sync(self._connection)
        try:
            # SQLite in the loop's thread: the COMMIT itself, on the driver's connection, outside the bridge.
            started.connection.driver_connection.commit()  # type: ignore[union-attr]
        except sqlite3.Error as error:
            if not driver_busy(error):  # refused (a deferred constraint): raised as SQLAlchemy raises it
                raise DBAPIError.instance("COMMIT", None, error, sqlite3.Error) from error
            # Still open: committed again across the bridge, where the dialect waits the lock out.
            await self._connection.commit()
            return
        started.commit()  # SQLAlchemy's end of it: nothing is left to write, so it neither waits nor fails

    async def rollback(self) -> None:
        await self._end_session(flush=False)
        if self._connection is not None:
            await self._connection.rollback()

    async def close(self) -> None:
        """Hands the connection back, rolling back first if a transaction is open."""
        await self._end_session(flush=False)
        if self._connection is not None:
            connection, self._connection = self._connection, None
            if self._in_loop is None:
                await connection.close()
            else:  # a rollback and a check-in, neither of which waits in SQLite's case
                _sync(connection).close()

    async def _connect(self) -> AsyncConnection:
        pool = self._engine.sync_engine.pool
        if self._in_loop is not None and isinstance(pool, QueuePool) and pool.checkedin():
            # A connection waits in the pool: taken at once, as the bridge would take it, without the bridge.
            self._connection = AsyncConnection(self._engine, self._engine.sync_engine.connect())
        else:
            self._connection = await self._engine.connect()
        return self._connection

    async def _end_session(self, *, flush: bool) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            try:
                if flush:
                    await session.flush()
            finally:
                await session.close()  # detaches its objects; the transaction is the connection's to end


def _run_prepared(started: Connection, prepared: Run) -> Result:
    if not started.in_transaction():
        started.begin()  # as SQLAlchemy's execute begins it: the dialect's BEGIN (IMMEDIATE for the writer)
    return prepared(started.connection.driver_connection)  # type: ignore[arg-type]


def _sync(connection: AsyncConnection) -> Connection:
    started = connection.sync_connection
    assert started is not None, "a connection the engine handed out is started"
    return started
