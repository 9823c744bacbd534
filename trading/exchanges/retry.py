"""Exponential back-off: retries of the errors an exchange marks as passing (rate limits, outages), and the
pauses between reconnections of a price stream."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from trading.domain.errors import ExchangeError

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`attempts` counts the first try. The n-th retry waits base_delay * 2**(n-1), capped at max_delay,
    shortened by up to `jitter` of itself so that many clients do not retry in step."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("A retry policy needs at least one attempt.")
        if self.base_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("Retry delays must be non-negative and the jitter a fraction.")

    def delay_before_retry(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        return exponential_delay(retry, self.base_delay, self.max_delay, self.jitter)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pauses between attempts that go on until one succeeds (a stream reconnecting): the n-th waits
    first * 2**(n-1), capped at `most`, shortened by up to `jitter` of itself."""

    first: float = 0.5
    most: float = 30.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.first < 0 or self.most < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("Back-off delays must be non-negative and the jitter a fraction.")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failure in a row (1 for the first)."""
        return exponential_delay(attempt, self.first, self.most, self.jitter)


def exponential_delay(attempt: int, first: float, most: float, jitter: float) -> float:
    # The exponent is bounded so that a stream down for days does not overflow the float.
    delay: float = min(most, first * 2.0 ** min(attempt - 1, 64))
    return delay * (1 - jitter * random.random())


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Await `operation()` until it succeeds, raises an error that is not retryable, or runs out of attempts."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return await operation()
        except ExchangeError as error:
            if not error.retryable or attempt == policy.attempts:
                raise
            delay = policy.delay_before_retry(attempt)
            log.warning("attempt %d failed (%s); retrying in %.3fs", attempt, error, delay)
            await sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")
