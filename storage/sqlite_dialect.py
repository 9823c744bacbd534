"""SQLite under the async engine, run in the event loop's own thread: SQLAlchemy's pysqlite dialect, declared
async so that AsyncEngine and AsyncSession take it, calling sqlite3 directly.

aiosqlite runs every sqlite3 call on a thread of its own; and even run in the loop (this project's driver
before this dialect), an async driver costs every statement four round trips through SQLAlchemy's greenlet
bridge (make a cursor, execute, fetch, close): several times what SQLite itself takes for the order path's
statements, which read and write a local file in WAL mode in microseconds. Here a statement is one sqlite3
call.

The one wait SQLite has is for another connection's write lock (busy). That wait must not block the loop, so
connections have no busy timeout, and a statement that finds the database busy (it then has had no effect) is
retried after an asynchronous sleep, until the engine's timeout. Inside SQLAlchemy's greenlet bridge (begin,
commit, the ORM) the dialect waits itself, `await_only` handing the sleep to the loop. storage.transaction
runs a unit of work's statements on the sync connection, outside the bridge (each trip through it costs
about as much as the statement); there a busy statement is raised at once and the caller waits and retries
(`retry_while_busy`). Within one process the writer engine keeps a single connection (see storage.db), so
its writers queue in the pool, asynchronously, not on the lock.
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from storage.sqlite_checkpoints import WalCheckpointer
from storage.sqlite_prepared import PreparedStatements

NAME = "inloop"
FIRST_RETRY_S = 0.001
LONGEST_RETRY_S = 0.05
T = TypeVar("T")


def driver_busy(error: sqlite3.Error) -> bool:
    """sqlite3's error for a statement that found the database locked by another connection."""
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _retry_delays(timeout_s: float) -> Iterator[float]:
    """The sleeps between tries of a busy statement, growing, until the next would pass the timeout."""
    delay, deadline = FIRST_RETRY_S, time.monotonic() + timeout_s
    while time.monotonic() + delay <= deadline:
        yield delay
        delay = min(delay * 2, LONGEST_RETRY_S)


def is_busy(error: OperationalError) -> bool:
    """A statement that found the database locked by another connection, and so had no effect."""
    return isinstance(error.orig, sqlite3.OperationalError) and driver_busy(error.orig)


class _Done:
    """An awaitable that is done at once. AsyncConnection.execute refuses a driver that never awaited (it would
    be a blocking driver by mistake); this one runs in the loop's thread on purpose, and awaits this to say so,
    for about a microsecond."""

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What AsyncSession asks of an async driver's cursor before a result leaves the greenlet bridge.
        sqlite3 reads rows in place, in this thread, so a result is read the same inside or out."""


class InLoopConnection(sqlite3.Connection):
    """sqlite3's connection, with cursors fit for AsyncSession (`connect(..., factory=InLoopConnection)`)."""

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


class InLoopSQLiteDialect(SQLiteDialect_pysqlite):
    driver = NAME
    is_async = True
    supports_statement_cache = True

    def __init__(
        self,
        begin_statement: str = "BEGIN",
        busy_timeout_s: float = 30.0,
        checkpointer: WalCheckpointer | None = None,
        **options: Any,
    ) -> None:
        """`begin_statement`: BEGIN, or BEGIN IMMEDIATE for a writer, so that two writers queue instead of
        failing when one upgrades its lock. `checkpointer`: told of every commit (storage.sqlite_checkpoints).
        Not keyword-only: create_engine hands a dialect only the arguments its signature names that way."""
        super().__init__(**options)
        self._begin_statement = begin_statement
        self._busy_timeout_s = busy_timeout_s
        self._checkpointer = checkpointer
        self.prepared = PreparedStatements(self)

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # The asyncio pool: a checkout that must wait for a connection waits without blocking the loop.
        return pool.AsyncAdaptedQueuePool if cls._is_url_file_db(url) else pool.StaticPool

    def _waiting_out_busy(self, call: Callable[[], T]) -> T:
        delays = _retry_delays(self._busy_timeout_s)
        while True:
            try:
                return call()
            except sqlite3.OperationalError as error:
                # Outside the greenlet bridge there is no waiting here: the caller retries (retry_while_busy).
                delay = next(delays, None) if driver_busy(error) and in_greenlet() else None
                if delay is None:
                    raise
            await_only(asyncio.sleep(delay))

    async def retry_while_busy(self, call: Callable[[], T]) -> T:
        """Runs a statement that found the database busy again, after asynchronous sleeps, until it runs or
        the engine's timeout passes."""
        for delay in _retry_delays(self._busy_timeout_s):
            await asyncio.sleep(delay)
            try:
                return call()
            except OperationalError as error:
                if not is_busy(error):
                    raise
        return call()

    @staticmethod
    def _awaited() -> None:
        # Inside the bridge, AsyncConnection requires a driver that awaited (see _Done).
        if in_greenlet():
            await_only(_Done())

    def do_begin(self, dbapi_connection: Any) -> None:
        # The documented pysqlite recipe (the driver's own transaction handling is off, see storage.db), without
        # a trip through exec_driver_sql: that cost every transaction a statement's worth of CPU.
        self._waiting_out_busy(lambda: dbapi_connection.execute(self._begin_statement))

    def do_commit(self, dbapi_connection: Any) -> None:
        self._waiting_out_busy(dbapi_connection.commit)
        if self._checkpointer is not None:
            self._checkpointer.committed()

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        self._waiting_out_busy(lambda: cursor.execute(statement, parameters))
        self._awaited()

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        self._waiting_out_busy(lambda: cursor.execute(statement))
        self._awaited()

    def do_executemany(
        self, cursor: Any, statement: str, parameters: Sequence[Any], context: Any = None
    ) -> None:
        rows = list(parameters)  # a retry needs them again
        self._waiting_out_busy(lambda: cursor.executemany(statement, rows))
        self._awaited()


def register() -> str:
    """Make `sqlite+inloop` known to SQLAlchemy (idempotent); returns the driver name to put in a URL."""
    registry.register(f"sqlite.{NAME}", __name__, InLoopSQLiteDialect.__name__)
    return NAME
