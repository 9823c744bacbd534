"""The async engines, built by the composition root from the database URL.

SQLite runs through aiosqlite, set up in SQLAlchemy's documented connect and begin events: WAL (readers beside
one writer), SQLite's own busy timeout (aiosqlite waits in its own thread, not in the event loop), and the
write-ahead log kept bounded by SQLite's automatic checkpoints and `journal_size_limit`. PostgreSQL runs
through asyncpg.
"""

import asyncio
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# How long a SQLite statement waits for another connection's write lock before failing with "database is
# locked".
BUSY_TIMEOUT_S = 30.0
# What the write-ahead log is truncated to whenever SQLite starts it over after a checkpoint: at most a few
# automatic checkpoints' worth (SQLite checkpoints every 1000 pages, about 4 MiB).
WAL_SIZE_LIMIT = 16 * 1024 * 1024
# How long connecting to PostgreSQL may take: a server that does not answer is reported, not waited for.
CONNECT_TIMEOUT_S = 5.0
# Statements asyncpg keeps prepared on each PostgreSQL connection (SQLAlchemy's documented
# prepared_statement_cache_size, 100 by default): room for every distinct statement the app sends, so that a
# pooled connection prepares each once, not again whenever a hundred others have been sent since.
PREPARED_STATEMENTS_KEPT = 1000
# How long the health check's write may wait (for SQLite's one writer, say) before the database counts as down.
WRITE_CHECK_TIMEOUT_S = 5.0
# A write that changes nothing, on a table every migrated database has; refused where writes are (a read-only
# file or server, a full disk at BEGIN IMMEDIATE, a standby).
_NO_OP_WRITE = "UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


def normalise_url(url: str) -> str:
    """The async driver's URL for the forms people write: sqlite:/// (the default setting's) and postgres:// or
    postgresql://."""
    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sqlite_in_memory(url: str) -> bool:
    """An in-memory SQLite database belongs to one connection: the migrations, the writer and the readers would
    each see their own, empty."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(
    url: str,
    *,
    read_only: bool = False,
    busy_timeout_s: float = BUSY_TIMEOUT_S,
    wal_size_limit: int = WAL_SIZE_LIMIT,
    **options: Any,
) -> AsyncEngine:
    """`read_only` on SQLite: transactions begin deferred and cannot write, so readers never queue behind the
    writer (WAL lets them read beside it). Elsewhere the flag changes nothing. `busy_timeout_s` and
    `wal_size_limit`: SQLite's busy timeout and journal size limit."""
    url = normalise_url(url)
    parsed = make_url(url)
    # Every unit of work ends its transaction itself (commit, or rollback on close), so the pool's own
    # rollback on check-in would be one more round trip to the database for nothing.
    options.setdefault("pool_reset_on_return", None)
    if parsed.get_backend_name() != "sqlite":
        options.setdefault(
            "connect_args",
            {"timeout": CONNECT_TIMEOUT_S, "prepared_statement_cache_size": PREPARED_STATEMENTS_KEPT},
        )
        # No ping at check-out (three round trips on asyncpg: BEGIN, a no-op, ROLLBACK): a connection the server
        # dropped fails its first statement instead, which SQLAlchemy reports as a disconnect (DBAPIError's
        # connection_invalidated) and answers by discarding the pool's connections: its "optimistic" handling.
        return create_async_engine(url, **options)
    if sqlite_in_memory(url):
        raise ValueError(
            "SQLite needs a database file: an in-memory database is not shared between connections"
        )
    Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    if not read_only:
        # One writer connection: the process's writers queue for it in the pool, in order, rather than in
        # SQLite's busy handler, which retries on a timer.
        options.setdefault("pool_size", 1)
        options.setdefault("max_overflow", 0)
        options.setdefault("pool_timeout", busy_timeout_s)
    engine = create_async_engine(url, **options)
    pragmas = [
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"busy_timeout={round(busy_timeout_s * 1000)}",
        f"journal_size_limit={wal_size_limit}",
    ]
    if read_only:
        pragmas.append("query_only=ON")
    _configure_sqlite(engine, pragmas, "BEGIN" if read_only else "BEGIN IMMEDIATE")
    return engine


def autocommit_reads(engine: AsyncEngine) -> AsyncEngine:
    """PostgreSQL's readers: `engine`'s pool, each statement its own transaction (SQLAlchemy's documented
    AUTOCOMMIT isolation level for an engine), which saves a read its BEGIN and ROLLBACK round trips. At READ
    COMMITTED, PostgreSQL's default, the statements of a read transaction each see their own snapshot anyway."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _configure_sqlite(engine: AsyncEngine, pragmas: list[str], begin: str) -> None:
    """SQLAlchemy's documented recipe for transactions on aiosqlite: the driver's own BEGIN off, ours emitted
    when SQLAlchemy begins one. A writer's is BEGIN IMMEDIATE: it takes the write lock at once, so two writers
    queue instead of one failing when it upgrades a read lock."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)


async def execute_autocommit(url: str, statement: str) -> None:
    """One statement outside a transaction, on a short-lived engine (CREATE or DROP DATABASE)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def takes_writes(engine: AsyncEngine, timeout_s: float = WRITE_CHECK_TIMEOUT_S) -> bool:
    """Whether the database takes a write now: one that changes nothing, rolled back, within `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s), engine.connect() as connection:
            transaction = await connection.begin()
            await connection.execute(text(_NO_OP_WRITE))
            await transaction.rollback()
    except (OSError, SQLAlchemyError):  # TimeoutError is an OSError
        return False
    return True


class DatabaseUnreachable(Exception):
    """The database could not be connected to: what failed, in a few words."""


async def check_connection(url: str) -> None:
    """Connect once, as start-up does, or raise DatabaseUnreachable."""
    try:
        engine = create_engine(url)
    except OSError as error:  # the SQLite file's folder cannot be made
        reason = f"cannot make the folder {error.filename}: {_reason(error)}"
        raise DatabaseUnreachable(reason) from error
    try:
        async with engine.connect():
            pass
    except (OSError, DBAPIError) as error:  # TimeoutError is an OSError
        raise DatabaseUnreachable(_reason(error)) from error
    finally:
        await engine.dispose()


def _reason(error: OSError | DBAPIError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return f"no answer in {CONNECT_TIMEOUT_S:g} s"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, DBAPIError):
        return str(error.orig).splitlines()[0]
    return error.strerror.lower() if error.strerror else str(error)
