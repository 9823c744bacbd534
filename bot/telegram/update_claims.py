"""Which webhook worker handles a Telegram update: each `update_id` is handled once across the workers.

Telegram posts an update again when its webhook did not answer 200 (a worker killed mid-update, a timeout, a
restart). A worker claims the id before handling it, for a lease, and marks it done once handled; the same id
posted again is then answered at once without being handled. A claim whose worker died is not done: it lapses
when its lease ends, and Telegram's next retry is handled by whichever worker takes it. With REDIS_URL the
claims are keys in Redis (SET NX with an expiry), shared by every worker; without it there is one process, and
they are kept in it.
"""

import enum
from datetime import datetime, timedelta
from typing import Protocol

from trading.ports import Clock

DONE_KEPT = timedelta(days=1)  # Telegram gives up on an update well within this
KEY_PREFIX = "tsbot:telegram-update:"
WORKING, DONE = b"working", b"done"


class Claim(enum.Enum):
    TAKEN = "taken"  # this worker handles the update now
    DONE = "done"  # handled already: answer, handle nothing
    BUSY = "busy"  # another worker is handling it, or died doing so and its lease has not ended


class UpdateClaims(Protocol):
    async def claim(self, update_id: int) -> Claim: ...

    async def done(self, update_id: int) -> None: ...

    async def release(self, update_id: int) -> None:
        """Handling failed: the update is free for Telegram's retry at once."""
        ...

    async def close(self) -> None: ...


class RedisUpdateClaims:
    def __init__(self, url: str, lease: timedelta) -> None:
        # Imported here: only a process with REDIS_URL loads the Redis client.
        from redis.asyncio import Redis

        self._client = Redis.from_url(url)
        self._lease = lease

    async def claim(self, update_id: int) -> Claim:
        key = KEY_PREFIX + str(update_id)
        if await self._client.set(key, WORKING, nx=True, px=self._lease):
            return Claim.TAKEN
        return Claim.DONE if await self._client.get(key) == DONE else Claim.BUSY

    async def done(self, update_id: int) -> None:
        await self._client.set(KEY_PREFIX + str(update_id), DONE, px=DONE_KEPT)

    async def release(self, update_id: int) -> None:
        await self._client.delete(KEY_PREFIX + str(update_id))

    async def close(self) -> None:
        await self._client.aclose()


class MemoryUpdateClaims:
    """The one process's own: a claim can only lapse with the process, so none has a lease."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._working: set[int] = set()
        self._done: dict[int, datetime] = {}  # until when each is kept, oldest first

    async def claim(self, update_id: int) -> Claim:
        self._forget_old()
        if update_id in self._done:
            return Claim.DONE
        if update_id in self._working:
            return Claim.BUSY
        self._working.add(update_id)
        return Claim.TAKEN

    async def done(self, update_id: int) -> None:
        self._working.discard(update_id)
        self._done[update_id] = self._clock.now() + DONE_KEPT

    async def release(self, update_id: int) -> None:
        self._working.discard(update_id)

    async def close(self) -> None:
        self._done.clear()

    def _forget_old(self) -> None:
        now = self._clock.now()
        while self._done:
            oldest, until = next(iter(self._done.items()))
            if until > now:
                return
            del self._done[oldest]


def update_claims(redis_url: str | None, lease: timedelta, clock: Clock) -> UpdateClaims:
    return RedisUpdateClaims(redis_url, lease) if redis_url else MemoryUpdateClaims(clock)
