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


# The sequences of the tables' serial ids: what TRUNCATE ... RESTART IDENTITY restarts.
OWNED_SEQUENCES = """
SELECT sequence.relname FROM pg_class AS sequence
JOIN pg_depend AS owner ON owner.classid = 'pg_class'::regclass AND owner.objid = sequence.oid
JOIN pg_class AS owning ON owning.oid = owner.refobjid
JOIN pg_namespace AS schema ON schema.oid = owning.relnamespace
WHERE sequence.relkind = 'S' AND owner.deptype IN ('a', 'i') AND schema.nspname = current_schema()
  AND owning.relname = ANY(:tables)
"""


async def truncate_postgres(url: str) -> None:
    """Every table empty and its ids restarted, as TRUNCATE ... RESTART IDENTITY leaves them, but by DELETE:
    each PostgreSQL test begins with this, and on tables of a few rows TRUNCATE, which gives each of some 40
    tables new files, costs more than the rows."""
    tables = list(reversed(Base.metadata.sorted_tables))  # those that refer to others first
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for table in tables:
                await connection.execute(table.delete())
            owned = await connection.scalars(text(OWNED_SEQUENCES), {"tables": [t.name for t in tables]})
            for sequence in owned.all():
                await connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
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
