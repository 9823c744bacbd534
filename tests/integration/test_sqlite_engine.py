"""SQLite through aiosqlite as storage.db sets it up: its PRAGMAs; a writer that finds the database locked
waits in SQLite's busy handler (off the event loop) and gives up after the busy timeout it was given; writers
begin IMMEDIATE, so a second one waits for the first instead of failing; readers read beside a writer and cannot
write; and the write-ahead log is cut back to its limit once SQLite's own checkpoints have copied it."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.transaction import Transaction

NOTE = text("INSERT INTO notes (body) VALUES (:body)")
NOTES = text("SELECT body FROM notes ORDER BY id")
COUNT = text("SELECT count(*) FROM notes")


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    await engine.dispose()
    return path


@pytest.fixture
async def locked(database: Path) -> AsyncIterator[sqlite3.Connection]:
    """Another process holding the write lock: a plain sqlite3 connection in an open write transaction."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('first')")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


async def write_note(engine: AsyncEngine, body: str) -> None:
    transaction = Transaction(engine)
    try:
        await transaction.execute(NOTE, {"body": body})
        await transaction.commit()
    finally:
        await transaction.close()


async def read_notes(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(NOTES)).scalars())


async def test_every_connection_is_set_up_by_its_pragmas(database: Path) -> None:
    url = f"sqlite:///{database}"
    expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "wal_autocheckpoint": 1000}
    engines = {
        "writer": create_engine(url),
        "reader": create_engine(url, read_only=True),
        "impatient": create_engine(url, busy_timeout_s=2.5, wal_size_limit=1 << 20),
    }
    found = {}
    for role, engine in engines.items():
        async with engine.connect() as connection:
            found[role] = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in (*expected, "busy_timeout", "journal_size_limit", "query_only")
            }
        await engine.dispose()
    defaults = {**expected, "busy_timeout": 30_000, "journal_size_limit": 16 << 20}
    assert found == {
        "writer": {**defaults, "query_only": 0},
        "reader": {**defaults, "query_only": 1},
        "impatient": {**expected, "busy_timeout": 2500, "journal_size_limit": 1 << 20, "query_only": 0},
    }


async def test_a_locked_writer_waits_off_the_loop_then_writes(
    database: Path, locked: sqlite3.Connection
) -> None:
    url = f"sqlite:///{database}"
    engine, readers = create_engine(url), create_engine(url, read_only=True)
    writing = asyncio.create_task(write_note(engine, "second"))
    # While the writer waits for the lock, the loop goes on: a reader reads (WAL: beside the lock's holder).
    assert await read_notes(readers) == []
    assert not writing.done()  # it cannot be: the lock is still held
    locked.execute("COMMIT")
    await writing
    assert await read_notes(readers) == ["first", "second"]
    await engine.dispose()
    await readers.dispose()


async def test_a_writer_gives_up_after_the_busy_timeout_it_was_given(
    database: Path, locked: sqlite3.Connection
) -> None:
    engine = create_engine(f"sqlite:///{database}", busy_timeout_s=0.1)
    with pytest.raises(OperationalError, match="database is locked"):
        await write_note(engine, "never")
    locked.execute("ROLLBACK")
    await write_note(engine, "later")  # the connection went back to the pool fit for the next writer
    assert await read_notes(engine) == ["later"]
    await engine.dispose()


async def test_a_second_writer_begins_once_the_first_has_committed(database: Path) -> None:
    """Two processes' writers, each reading then writing. Begun deferred, the second would read beside the
    first and then fail to write what it read; begun IMMEDIATE, it waits and reads what the first wrote."""
    url = f"sqlite:///{database}"
    first_process, second_process = create_engine(url), create_engine(url)

    async def count_then_write(engine: AsyncEngine) -> int:
        transaction = Transaction(engine)
        try:
            seen = int(await transaction.scalar(COUNT))
            await transaction.execute(NOTE, {"body": f"after {seen}"})
            await transaction.commit()
        finally:
            await transaction.close()
        return seen

    first = Transaction(first_process)
    assert await first.scalar(COUNT) == 0  # begun: the write lock is the first's
    second = asyncio.create_task(count_then_write(second_process))
    await first.execute(NOTE, {"body": "after 0"})
    await first.commit()
    await first.close()
    assert await second == 1
    assert await read_notes(first_process) == ["after 0", "after 1"]
    await first_process.dispose()
    await second_process.dispose()


async def test_a_reader_cannot_write(database: Path) -> None:
    readers = create_engine(f"sqlite:///{database}", read_only=True)
    with pytest.raises(OperationalError, match="readonly database"):
        await write_note(readers, "never")
    await readers.dispose()


async def test_a_commit_refused_by_sqlite_raises_and_writes_nothing(tmp_path: Path) -> None:
    """A deferred foreign key left dangling: the COMMIT fails, and the connection serves the next unit."""
    engine = create_engine(f"sqlite:///{tmp_path / 'refused.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE parents (id INTEGER PRIMARY KEY)"))
        await connection.execute(
            text(
                "CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER "
                "REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    orphan = Transaction(engine)
    try:
        await orphan.execute(text("INSERT INTO children (parent_id) VALUES (7)"))
        with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
            await orphan.commit()
    finally:
        await orphan.close()
    parent = Transaction(engine)
    try:
        await parent.execute(text("INSERT INTO parents (id) VALUES (7)"))
        await parent.commit()
    finally:
        await parent.close()
    async with engine.connect() as connection:
        count = text("SELECT (SELECT count(*) FROM parents), (SELECT count(*) FROM children)")
        assert tuple((await connection.execute(count)).one()) == (1, 0)
    await engine.dispose()


async def test_the_write_ahead_log_is_cut_back_to_its_limit(database: Path) -> None:
    """SQLite checkpoints by itself at the commit that takes the log past 1000 pages; the next commit starts the
    log over and truncates the file to `journal_size_limit`. Without the limit it would stay at its largest."""
    limit = 64 * 1024
    autocheckpoint_at = 32 + 1000 * (24 + 4096)  # the log's header, then 1000 frames of a default page each
    wal = database.with_name(database.name + "-wal")
    engine = create_engine(f"sqlite:///{database}", wal_size_limit=limit)
    for i in range(2000):  # about two pages a commit
        await write_note(engine, f"{i:04}" * 1024)
        if wal.stat().st_size >= autocheckpoint_at:
            break
    assert wal.stat().st_size >= autocheckpoint_at > limit
    await write_note(engine, "last")
    assert wal.stat().st_size <= limit
    assert (await read_notes(engine))[-1] == "last"
    await engine.dispose()
