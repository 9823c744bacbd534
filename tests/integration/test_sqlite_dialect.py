"""SQLite in the event loop's thread: a writer that finds the database locked waits without blocking the loop,
and gives up with SQLite's own error after its timeout, whether its statements go through SQLAlchemy's greenlet
bridge (the dialect waits) or straight to the connection from a unit of work's transaction, prepared or not (the
transaction waits); checkpoints run beside the commits."""

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Executable, Integer, MetaData, Table, Text, insert, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.sqlite_checkpoints import WalCheckpointer
from storage.sqlite_dialect import InLoopConnection
from storage.transaction import Transaction

NOTE = text("INSERT INTO notes (body) VALUES (:body)")
# The same, as a Core statement: a transaction runs it prepared (storage.sqlite_prepared), its BEGIN included.
ADD_NOTE = insert(Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text)))


async def _through_the_bridge(engine: AsyncEngine, body: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(NOTE, {"body": body})


def _in_a_transaction(statement: Executable) -> "Writer":
    async def write_note(engine: AsyncEngine, body: str) -> None:
        transaction = Transaction(engine)
        try:
            await transaction.execute(statement, {"body": body})
            await transaction.commit()
        finally:
            await transaction.close()

    return write_note


Writer = Callable[[AsyncEngine, str], Coroutine[Any, Any, None]]
WRITERS = pytest.mark.parametrize(
    "write_note",
    [
        pytest.param(_through_the_bridge, id="through-the-bridge"),
        pytest.param(_in_a_transaction(NOTE), id="in-a-transaction"),
        pytest.param(_in_a_transaction(ADD_NOTE), id="prepared-in-a-transaction"),
    ],
)


async def _table(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    await engine.dispose()


@WRITERS
async def test_a_locked_writer_waits_while_the_loop_runs_then_writes(
    tmp_path: Path, write_note: Writer
) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    await _table(url)
    # Another process holding the write lock: a plain sqlite3 connection in an open write transaction.
    other = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('first')")
    engine = create_engine(url)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write_note(engine, "second"))
    await asyncio.sleep(0.2)
    assert not writing.done()  # still waiting for the lock...
    assert ticks >= 10  # ...while the loop went on with other work
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 5)
    ticking.cancel()
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
    assert bodies == ["first", "second"]
    await engine.dispose()
    other.close()


@WRITERS
async def test_a_writer_gives_up_after_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_note: Writer
) -> None:
    url = f"sqlite:///{tmp_path / 'stuck.db'}"
    await _table(url)
    monkeypatch.setattr("storage.db.BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(tmp_path / "stuck.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    engine = create_engine(url)
    with pytest.raises(OperationalError, match="database is locked"):
        await write_note(engine, "never")
    other.execute("ROLLBACK")
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
    await engine.dispose()
    other.close()


async def _write_rows(engine: AsyncEngine, rows: int) -> None:
    for i in range(rows):
        async with engine.begin() as connection:
            await connection.execute(NOTE, {"body": f"{i:04}" * 256})


async def test_checkpoints_run_beside_the_commits_not_inside_them(tmp_path: Path) -> None:
    database = tmp_path / "wal.db"
    url = f"sqlite:///{database}"
    await _table(url)
    size_before = database.stat().st_size
    # Without a pass of the checkpointer, the rows stay in the write-ahead log: no commit checkpoints itself.
    idle = WalCheckpointer(str(database), every=10**9)
    engine = create_engine(url, checkpointer=idle)
    await _write_rows(engine, 200)
    assert database.stat().st_size == size_before
    await engine.dispose()  # the last connection closing checkpoints everything (SQLite's own behaviour)
    size_between = database.stat().st_size
    assert size_between > size_before + 200 * 1024
    # With a pass every 20 commits (on a worker thread), they reach the database file while the writer goes on.
    # The pass started at the 20th commit copies at least those 20 rows (20 KiB of text); whether it is done in
    # time for a second pass at the 40th depends on the machine's speed, so only the first is counted on.
    working = WalCheckpointer(str(database), every=20)
    engine = create_engine(url, checkpointer=working)
    await _write_rows(engine, 40)
    await working.idle()
    assert database.stat().st_size > size_between + 20 * 1024
    await engine.dispose()


async def test_a_commit_refused_by_sqlite_raises_and_writes_nothing(tmp_path: Path) -> None:
    """The COMMIT is made on the driver's connection, outside SQLAlchemy: one SQLite refuses (a deferred foreign
    key left dangling) is raised as SQLAlchemy raises it, never taken for done."""
    url = f"sqlite:///{tmp_path / 'refused.db'}"
    engine = create_engine(url)
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
    parent = Transaction(engine)  # the connection went back to the pool fit for the next unit of work
    try:
        await parent.execute(text("INSERT INTO parents (id) VALUES (7)"))
        await parent.commit()
    finally:
        await parent.close()
    async with engine.connect() as connection:
        count = text("SELECT (SELECT count(*) FROM parents), (SELECT count(*) FROM children)")
        assert tuple((await connection.execute(count)).one()) == (1, 0)
    await engine.dispose()


async def test_a_commit_that_finds_the_database_busy_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    await _table(url)
    tries: list[str] = []

    def busy_once(connection: InLoopConnection) -> None:
        tries.append("commit")
        if len(tries) == 1:
            locked = sqlite3.OperationalError("database is locked")
            locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise locked
        sqlite3.Connection.commit(connection)

    engine = create_engine(url)
    monkeypatch.setattr(InLoopConnection, "commit", busy_once)
    await _in_a_transaction(NOTE)(engine, "kept")
    assert len(tries) >= 2
    monkeypatch.undo()
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT body FROM notes"))).scalars().all() == ["kept"]
    await engine.dispose()
