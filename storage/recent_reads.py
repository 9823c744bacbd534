"""Reads that displays repeat many times a second (a user's accounts, an account's ledger), kept briefly.

Only units of work opened with `recent=True` read from here: views such as the portfolio, never the order path,
which always reads the database. A commit in this process that changes an entry replaces it with what it wrote
(a ledger) or drops it (accounts) at once, so this process never shows a state older than its own last write;
another process's commit (the processes share no memory) shows within `ttl_s`.
"""

import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from trading.domain.accounts import ExchangeAccount
from trading.domain.ledger import Ledger

K = TypeVar("K")
V = TypeVar("V")


class RecentCache(Generic[K, V]):
    """A value per key for at most `ttl_s`. A load that began before the key was dropped is not kept: its
    read may predate the write that dropped it (`generation` is taken before reading, `put` checks it)."""

    def __init__(self, ttl_s: float, max_entries: int, clock: Callable[[], float]) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._values: dict[K, tuple[float, V]] = {}
        self._generations: dict[K, int] = {}

    def get(self, key: K) -> V | None:
        found = self._values.get(key)
        if found is None:
            return None
        stored_at, value = found
        if self._clock() - stored_at > self._ttl_s:
            del self._values[key]
            return None
        return value

    def generation(self, key: K) -> int:
        return self._generations.get(key, 0)

    def put(self, key: K, value: V, generation: int) -> None:
        if generation != self.generation(key):
            return
        if len(self._values) >= self._max_entries:
            self._values.clear()  # rare, and cheaper than keeping an order of use on every read
        self._values[key] = (self._clock(), value)

    def drop(self, keys: Iterable[K]) -> None:
        for key in keys:
            self._values.pop(key, None)
            self._generations[key] = self.generation(key) + 1

    def replace(self, key: K, value: V) -> None:
        """A write's own result, known exactly once it has committed: kept in place of what it changed (a read
        that began before it is still not kept)."""
        self.drop([key])
        self.put(key, value, self.generation(key))


class RecentReads:
    def __init__(
        self, ttl_s: float = 1.0, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.accounts: RecentCache[int, tuple[ExchangeAccount, ...]] = RecentCache(ttl_s, max_entries, clock)
        self.ledgers: RecentCache[int, Ledger] = RecentCache(ttl_s, max_entries, clock)
