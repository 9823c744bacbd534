"""Checkpoints of SQLite's write-ahead log on a worker thread.

Checkpoints copy the write-ahead log back into the database and wait for the disk. Run every so many commits
on a worker thread, they no longer happen inside whichever commit crossed SQLite's threshold: that commit used
to take tens of milliseconds (storage.db turns SQLite's own automatic checkpoints off where one of these runs).
"""

import asyncio
import sqlite3


class WalCheckpointer:
    """Copies a database's write-ahead log back into it on a worker thread, after every `every` commits of its
    writer. PASSIVE: it never waits for, nor holds up, readers and writers; what it cannot copy yet, a later
    pass does (and SQLite does it all when the last connection closes)."""

    def __init__(self, database: str, every: int = 200) -> None:
        self._database = database
        self._every = every
        self._commits = 0
        self._running: asyncio.Future[None] | None = None

    def committed(self) -> None:
        self._commits += 1
        if self._commits < self._every or (self._running is not None and not self._running.done()):
            return
        self._commits = 0
        self._running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    async def idle(self) -> None:
        """Wait for a pass under way."""
        if self._running is not None:
            await self._running

    def _checkpoint(self) -> None:
        connection = sqlite3.connect(self._database, timeout=0)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
