"""Which `tsbot run` process does the scheduled work: the order tracker (fills, brackets, reconciliation,
equity snapshots), the alert watcher and the delivery of notices.

Every process serves updates and requests, but that work must run in one at a time: two would each send the
same notice before either marked it sent, and snapshot every account's equity twice. Without REDIS_URL there
is one process, which leads. With it, the leader is the process holding a lock in Redis
(bot.redis_leadership).
"""

import asyncio
from typing import Protocol


class Leadership(Protocol):
    @property
    def leading(self) -> bool:
        """Whether this process does the scheduled work now."""
        ...

    async def keep(self, stop: asyncio.Event) -> None:
        """Take and hold the lead while it can, until `stop`; then give it up."""
        ...


class SoleProcess:
    """No Redis: this process is the only one, and leads."""

    leading = True

    async def keep(self, stop: asyncio.Event) -> None:
        await stop.wait()


class Follower:
    """A web worker: it serves updates and requests, never the scheduled work, which a `tsbot run` leads."""

    leading = False

    async def keep(self, stop: asyncio.Event) -> None:
        await stop.wait()


def leadership(redis_url: str | None) -> Leadership:
    if not redis_url:
        return SoleProcess()
    # Imported here: only a process with REDIS_URL loads the Redis client (a third of a second at start-up).
    from bot.redis_leadership import RedisLeadership

    return RedisLeadership.from_url(redis_url)
