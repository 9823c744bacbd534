"""The scheduler's lead held in Redis (see bot.leadership): redis-py's Lock, a key with a random token and an
expiry, renewed well before it expires. A leader that stops renewing (it crashed, froze, or lost Redis) loses
the lock when it expires, and another process takes it."""

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

LOCK_NAME = "tsbot:scheduler-leader"
LOCK_TTL_S = 15.0


class RedisLeadership:
    def __init__(self, client: Redis, name: str = LOCK_NAME, ttl_s: float = LOCK_TTL_S) -> None:
        self._client = client
        # Not thread-local: the token belongs to the process's one event loop, whichever thread it runs on.
        self._lock = client.lock(name, timeout=ttl_s, blocking=False, thread_local=False)
        self._renew_every_s = ttl_s / 3
        self.leading = False

    @classmethod
    def from_url(cls, url: str) -> "RedisLeadership":
        return cls(Redis.from_url(url))

    async def keep(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.renew()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._renew_every_s)
        finally:
            await self._give_up()
            await self._client.aclose()

    async def renew(self) -> None:
        """Take the lead if it is free, or renew it if this process holds it (`keep` does so every third of
        the lock's time to live)."""
        was_leading = self.leading
        try:
            if self.leading:
                await self._lock.reacquire()
            else:
                self.leading = await self._lock.acquire()
        except LockError:  # renewed too late: the lock expired, and may be another's by now
            self.leading = False
        except RedisError as error:
            # Unsure whether the lock still holds: stop until Redis answers (it expires meanwhile if it must).
            self.leading = False
            log.warning("scheduler lead: Redis did not answer: %s", error)
        if self.leading != was_leading:
            log.info(
                "scheduler lead %s",
                "taken: this process runs the tracker and alerts" if self.leading else "lost",
            )

    async def _give_up(self) -> None:
        if not self.leading:
            return
        self.leading = False
        with contextlib.suppress(LockError, RedisError):  # expired or unreachable: it is free, or will be
            await self._lock.release()
