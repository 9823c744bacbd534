"""`tsbot db upgrade`: Alembic migrations to head, on the configured database."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.db import normalise_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


class NotMigrated(Exception):
    """The database's schema is not the code's: one line that says what to run."""


async def require_current_schema(engine: AsyncEngine, database_url: str) -> None:
    """Refuse to start on a database that is behind (or ahead of) the migrations this code carries."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    if current != heads:
        found = ", ".join(sorted(current)) or "none"
        raise NotMigrated(
            f"the database is at revision {found}, not {', '.join(sorted(heads))}: run `tsbot db upgrade`"
        )


def upgrade(settings: Settings, revision: str = "head") -> None:
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    command.upgrade(alembic_config(settings.database_url), revision)
