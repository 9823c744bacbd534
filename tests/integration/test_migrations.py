"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and come down cleanly."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from bot.migrate import alembic_config
from storage.db import create_engine, execute_autocommit
from storage.models import Base
from tests.databases import POSTGRES_URL, backends


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.fixture(params=backends())
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: migrating down must not disturb the one the other tests share."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    asyncio.run(execute_autocommit(POSTGRES_URL, "DROP DATABASE IF EXISTS tsbot_migrations WITH (FORCE)"))
    asyncio.run(execute_autocommit(POSTGRES_URL, "CREATE DATABASE tsbot_migrations"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/tsbot_migrations"
    asyncio.run(execute_autocommit(POSTGRES_URL, "DROP DATABASE IF EXISTS tsbot_migrations WITH (FORCE)"))


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert asyncio.run(_tables(empty_database)) == set(Base.metadata.tables) | {"alembic_version"}
    command.check(config)  # raises when the models have changes no migration carries

    command.downgrade(config, "base")
    assert asyncio.run(_tables(empty_database)) == {"alembic_version"}
    command.upgrade(config, "head")  # and back up again from nothing
