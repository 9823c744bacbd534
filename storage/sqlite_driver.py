"""SQLite under the async engine, run in the event loop's own thread.

aiosqlite runs every sqlite3 call on a thread of its own, and through SQLAlchemy's adapter one statement is four
such calls (make a cursor, execute, fetch, close), each a hand-over of the GIL and a wake-up of the event loop.
The order path is some thirty statements: the hand-overs, not SQLite, were most of its time. Here a statement
runs where it is issued: on a local file in WAL mode, reads and writes take microseconds.

The one wait SQLite has is for another connection's write lock (busy). That wait must not block the loop, so
connections are opened with no busy timeout and a statement that finds the database busy (it then has had no
effect) is retried after an asynchronous sleep, until the engine's timeout. Within one process the writer
engine keeps a single connection (see storage.db), so its writers queue in the pool, not on the lock.

Checkpoints, which copy the write-ahead log back into the database and wait for the disk, run on a worker
thread every so many commits (WalCheckpointer) instead of inside whichever commit crossed SQLite's threshold:
that commit used to take tens of milliseconds.

It stands in for aiosqlite's connection under SQLAlchemy's aiosqlite dialect (its `async_creator`), so it
offers what that dialect's adapter uses of one: cursor, commit, rollback, close, stop and isolation_level.
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

Row = tuple[Any, ...]
Description = tuple[tuple[str, None, None, None, None, None, None], ...] | None
FIRST_RETRY_S = 0.001
LONGEST_RETRY_S = 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class PrefetchingCursor:
    """Runs a statement to completion and keeps its rows; fetching reads what it kept."""

    arraysize = 1

    def __init__(self, connection: "InLoopConnection") -> None:
        self._connection = connection
        self._rows: list[Row] = []
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._rows = []

    async def _run(self, call: Callable[[sqlite3.Cursor], object]) -> Self:
        delay, deadline = FIRST_RETRY_S, time.monotonic() + self._connection.timeout
        while True:
            cursor = self._connection._conn.cursor()
            try:
                call(cursor)
                self.description = cursor.description
                self._rows = cursor.fetchall() if cursor.description else []
                self.rowcount, self.lastrowid = cursor.rowcount, cursor.lastrowid
                return self
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() + delay > deadline:
                    raise
            finally:
                cursor.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_S)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Self:
        return await self._run(lambda cursor: cursor.execute(sql, parameters or ()))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Self:
        rows = list(parameters)  # a retry needs them again
        return await self._run(lambda cursor: cursor.executemany(sql, rows))

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = size or self.arraysize
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> list[Row]:
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []


class _RunAtOnce:
    """SQLAlchemy's adapter sets isolation_level by queueing a call for aiosqlite's thread; here it just runs."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[object], Callable[[], object]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite's thread would
            future.set_exception(error)


class WalCheckpointer:
    """Copies a database's write-ahead log back into it on a worker thread, after every `every` commits of its
    writer. PASSIVE: it never waits for, nor holds up, readers and writers; what it cannot copy yet, a later
    pass does (and SQLite does it all when the last connection closes)."""

    def __init__(self, database: str, every: int = 200) -> None:
        self._database = database
        self._every = every
        self._commits = 0
        self._running: asyncio.Future[None] | None = None

    def committed(self) -> None:
        self._commits += 1
        if self._commits < self._every or (self._running is not None and not self._running.done()):
            return
        self._commits = 0
        self._running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    async def idle(self) -> None:
        """Wait for a pass under way."""
        if self._running is not None:
            await self._running

    def _checkpoint(self) -> None:
        connection = sqlite3.connect(self._database, timeout=0)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()


class InLoopConnection:
    def __init__(
        self, connection: sqlite3.Connection, timeout: float, checkpointer: WalCheckpointer | None
    ) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunAtOnce()
        self.timeout = timeout
        self._checkpointer = checkpointer

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> PrefetchingCursor:
        return PrefetchingCursor(self)

    async def begin(self, statement: str) -> None:
        """BEGIN or BEGIN IMMEDIATE, from the engine's `begin` event (storage.db); a busy database is waited for
        as by any statement."""
        await self.cursor().execute(statement)

    async def commit(self) -> None:
        await self.cursor()._run(lambda _cursor: self._conn.commit())
        if self._checkpointer is not None:
            self._checkpointer.committed()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **options: Any) -> None:
        self._conn.create_function(*args, **options)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


async def connect(
    database: str, busy_timeout_s: float, checkpointer: WalCheckpointer | None = None
) -> InLoopConnection:
    """The engine's `async_creator`. No busy timeout in SQLite itself: waiting is done here, asynchronously.
    With a checkpointer, SQLite's own checkpoints in the middle of a commit are turned off."""
    connection = sqlite3.connect(database, timeout=0, check_same_thread=False)
    if checkpointer is not None:
        connection.execute("PRAGMA wal_autocheckpoint=0")
    return InLoopConnection(connection, busy_timeout_s, checkpointer)
