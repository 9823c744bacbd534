"""`tsbot db upgrade`: Alembic migrations to head, on the configured database."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.settings import Settings
from storage.db import normalise_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    command.upgrade(alembic_config(settings.database_url), revision)
