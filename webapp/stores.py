"""A store that keeps working when Redis does not answer: the rate limits' counts go to a store in this process
until Redis answers again, with one warning when it stops answering and one line when it is back. Limits are then
counted per process rather than across the workers, which lets more through but refuses nothing that should pass;
/health reports it."""

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import TracebackType
from typing import TypeVar

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("tsbot.web")
T = TypeVar("T")
# After Redis failed, how long requests use the process's store before Redis is tried again: a Redis that is
# down must not cost every request a failed connection.
RETRY_AFTER_S = 10.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FallbackStore(Store):
    """`primary` (Redis) while it answers; `fallback` (in this process) while it does not."""

    def __init__(
        self, primary: Store, fallback: Store | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.primary = primary
        self.fallback = fallback or MemoryStore()
        self._clock = clock
        self._down_since: float | None = None

    @property
    def degraded(self) -> bool:
        """Whether the last call found the primary unreachable."""
        return self._down_since is not None

    async def _use(self, call: Callable[[Store], Awaitable[T]]) -> T:
        down = self._down_since
        if down is not None and self._clock() - down < RETRY_AFTER_S:
            return await call(self.fallback)
        try:
            answer = await call(self.primary)
        except UNREACHABLE as error:
            if down is None:
                log.warning("Redis does not answer (%s): rate limits are counted in this process", error)
            self._down_since = self._clock()
            return await call(self.fallback)
        if down is not None:
            log.warning("Redis answers again: rate limits are counted in Redis")
            self._down_since = None
        return answer

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        await self._use(lambda store: store.set(key, value, expires_in))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await self._use(lambda store: store.get(key, renew_for))

    async def delete(self, key: str) -> None:
        await self._use(lambda store: store.delete(key))

    async def delete_all(self) -> None:
        await self._use(lambda store: store.delete_all())

    async def exists(self, key: str) -> bool:
        return await self._use(lambda store: store.exists(key))

    async def expires_in(self, key: str) -> int | None:
        return await self._use(lambda store: store.expires_in(key))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Leaving the app's lifespan closes the primary's connections."""
        await self.primary.__aexit__(exc_type, exc_val, exc_tb)
