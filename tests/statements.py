"""What the app's engines send, counted through SQLAlchemy's documented engine events."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.harness import Harness


@contextmanager
def statements_sent(harness: Harness) -> Iterator[list[str]]:
    """The statements the app's engines send meanwhile, through SQLAlchemy's documented engine events; but for
    SQLite's BEGIN, which goes to its driver as a statement too."""
    sent: list[str] = []

    def on_statement(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    engines: list[AsyncEngine] = [harness.container.engine]
    if harness.container.read_engine is not None:
        engines.append(harness.container.read_engine)
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
