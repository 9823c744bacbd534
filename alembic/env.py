"""Async Alembic environment: one set of migrations for SQLite (batch mode) and PostgreSQL."""

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

import storage.access_models  # registers its tables on the metadata
import storage.audit_models
import storage.automation_models
import storage.futures_models
import storage.protection_models
import storage.second_factor_models
import storage.signal_models
import storage.stop_mode_models  # noqa: F401  (registers its tables on the metadata)
from storage.db import create_engine, normalise_url
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("alembic: set DATABASE_URL or run `tsbot db upgrade`")
    return normalise_url(url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _configure(existing)
    else:
        asyncio.run(_run_online())
