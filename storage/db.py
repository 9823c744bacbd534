"""The async engines, built by the composition root from the database URL."""

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import sqlite_dialect
from storage.sqlite_checkpoints import WalCheckpointer

BUSY_TIMEOUT_S = 30.0  # how long a statement waits for another connection's write lock before failing


def normalise_url(url: str) -> str:
    """Accept the plain forms people paste (postgres://) and name the async drivers. SQLite is always run by
    storage.sqlite_dialect, whatever driver a URL names (sqlite+aiosqlite:// from older settings included)."""
    parsed = make_url(url)
    driver = {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "sqlite+aiosqlite": "sqlite",
        "sqlite+pysqlite": "sqlite",
    }.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sqlite_in_memory(url: str) -> bool:
    """An in-memory SQLite database belongs to one connection: the migrations, the writer and the readers would
    each see their own, empty."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(
    url: str, *, read_only: bool = False, checkpointer: WalCheckpointer | None = None, **options: Any
) -> AsyncEngine:
    """`read_only` on SQLite: transactions begin deferred and cannot write, so readers never queue behind
    writers (WAL lets them read beside one). Elsewhere the flag changes nothing. `checkpointer`: the SQLite
    writer's, in place of one every 200 commits."""
    url = normalise_url(url)
    parsed = make_url(url)
    # Every unit of work ends its transaction itself (commit, or rollback on close), so the pool's own
    # rollback on check-in would be a second round trip to the database for nothing.
    options.setdefault("pool_reset_on_return", None)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **options)
    if sqlite_in_memory(url):
        raise ValueError(
            "SQLite needs a database file: an in-memory database is not shared between connections"
        )
    database = str(parsed.database)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    if not read_only:
        # One writer connection: the process's writers queue for it in the pool (asynchronously) rather than
        # for SQLite's lock, which is waited on in the event loop's thread (storage.sqlite_dialect).
        options.setdefault("pool_size", 1)
        options.setdefault("max_overflow", 0)
        options.setdefault("pool_timeout", BUSY_TIMEOUT_S)
        if checkpointer is None:
            checkpointer = WalCheckpointer(database)
    engine = create_async_engine(
        parsed.set(drivername=f"sqlite+{sqlite_dialect.register()}"),
        # No busy timeout in SQLite itself: the dialect waits, asynchronously.
        connect_args={"timeout": 0, "check_same_thread": False, "factory": sqlite_dialect.InLoopConnection},
        begin_statement="BEGIN" if read_only else "BEGIN IMMEDIATE",
        busy_timeout_s=BUSY_TIMEOUT_S,
        checkpointer=checkpointer,
        **options,
    )
    _configure_sqlite(engine, read_only, manual_checkpoints=checkpointer is not None)
    return engine


def _configure_sqlite(engine: AsyncEngine, read_only: bool, *, manual_checkpoints: bool) -> None:
    """WAL for readers beside a writer; transactions begun by the dialect (BEGIN IMMEDIATE for the writer)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (the documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        if manual_checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()


async def execute_autocommit(url: str, statement: str) -> None:
    """One statement outside a transaction, on a short-lived engine (CREATE or DROP DATABASE)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
