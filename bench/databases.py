"""A PostgreSQL database of a bench run's own, made on the server of the one named and dropped afterwards: two
runs at once (or a test suite) never share one."""

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from storage.db import execute_autocommit


@contextmanager
def scratch_postgres(server_url: str, label: str) -> Iterator[str]:
    """The URL of an empty database named for `label` and this process; it is dropped on the way out."""
    name = f"tsbot_bench_{label}_{os.getpid()}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(execute_autocommit(server_url, f"CREATE DATABASE {name}"))
    try:
        yield url
    finally:
        asyncio.run(execute_autocommit(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
