import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.databases import (
    POSTGRES_URL,
    backends,
    migrate_postgres,
    migrate_sqlite_template,
    sqlite_copy,
    truncate_postgres,
)
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness

_names = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrate_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_schema() -> None:
    migrate_postgres()


@pytest.fixture(params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A freshly migrated, empty database of each enabled kind."""
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path, f"db{next(_names)}")
    request.getfixturevalue("postgres_schema")
    return POSTGRES_URL


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def harness(database_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    h = make_harness(database_url, clock)
    if h.engine.dialect.name == "postgresql":
        await truncate_postgres(database_url)
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture
async def harness_factory(
    database_url: str, clock: ManualClock, harness: Harness
) -> AsyncIterator[Callable[[], Harness]]:
    """More harnesses over the database of `harness`: a second process, or the same one after a restart."""
    made: list[Harness] = []

    def make() -> Harness:
        h = make_harness(database_url, clock)
        made.append(h)
        return h

    yield make
    for h in made:
        await h.close()
