"""Real databases for the tests: SQLite files copied from a migrated template, and PostgreSQL when enabled.

PostgreSQL joins every database-backed test when TSBOT_TEST_POSTGRES=1 (as `.ci/run` sets it); its URL is
TSBOT_TEST_POSTGRES_URL, by default the local server's `test` database. Redis: TSBOT_TEST_REDIS_URL.
"""

import os
import shutil
from pathlib import Path

from alembic import command
from sqlalchemy import text

import storage.access_models
import storage.audit_models
import storage.automation_models
import storage.futures_models
import storage.protection_models
import storage.second_factor_models
import storage.signal_models
import storage.stop_mode_models  # noqa: F401  (registers its tables, for the truncation)
from bot.migrate import alembic_config
from storage.db import create_engine
from storage.models import Base

POSTGRES_URL = os.environ.get("TSBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
# The real Redis, for the tests of what REDIS_URL changes: CI's, or the one every machine here runs. A database of
# its own (15), whose keys the tests delete.
REDIS_URL = os.environ.get("TSBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def postgres_enabled() -> bool:
    return os.environ.get("TSBOT_TEST_POSTGRES") == "1"


def backends() -> list[str]:
    return ["sqlite", "postgres"] if postgres_enabled() else ["sqlite"]


def migrate_sqlite_template(folder: Path) -> Path:
    template = folder / "template.db"
    command.upgrade(alembic_config(f"sqlite:///{template}"), "head")
    return template


def sqlite_copy(template: Path, folder: Path, name: str) -> str:
    target = folder / f"{name}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def migrate_postgres() -> None:
    """From scratch: drop what an earlier run left, then every migration to head."""
    config = alembic_config(POSTGRES_URL)
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def truncate_postgres_sql() -> str:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    return f"TRUNCATE {tables} RESTART IDENTITY CASCADE"


async def truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(truncate_postgres_sql()))
    finally:
        await engine.dispose()


async def delete_redis_keys(pattern: str) -> None:
    """Delete the keys of the tests' Redis that match `pattern` (a test's own, named so)."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(pattern)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
