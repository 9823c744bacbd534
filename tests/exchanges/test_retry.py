"""Retry with exponential back-off, with a sleep that records instead of waiting."""

import pytest

from trading.domain.errors import ExchangeUnavailable, InsufficientFunds, RateLimited
from trading.exchanges.retry import RetryPolicy, call_with_retries


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def unavailable() -> ExchangeUnavailable:
    return ExchangeUnavailable("The venue cannot be reached right now.")


async def test_back_off_doubles_up_to_the_cap() -> None:
    sleep = RecordingSleep()
    policy = RetryPolicy(attempts=5, base_delay=0.5, max_delay=1.5, jitter=0)
    operation = Flaky(unavailable(), RateLimited("Slow down."), unavailable(), unavailable())

    assert await call_with_retries(operation, policy, sleep) == "answer"

    assert operation.calls == 5
    assert sleep.delays == [0.5, 1.0, 1.5, 1.5]


async def test_jitter_only_shortens_the_delay() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=0.5)

    delays = [policy.delay_before_retry(2) for _ in range(200)]

    assert all(1.0 <= delay <= 2.0 for delay in delays)
    assert len(set(delays)) > 1


async def test_an_error_that_will_not_pass_is_raised_at_once() -> None:
    sleep = RecordingSleep()
    operation = Flaky(InsufficientFunds("Not enough USDT."))

    with pytest.raises(InsufficientFunds):
        await call_with_retries(operation, RetryPolicy(attempts=4), sleep)

    assert operation.calls == 1
    assert sleep.delays == []


async def test_the_last_attempts_error_is_raised_when_all_fail() -> None:
    sleep = RecordingSleep()
    last = RateLimited("Still limited.")
    operation = Flaky(unavailable(), unavailable(), last)

    with pytest.raises(RateLimited) as raised:
        await call_with_retries(operation, RetryPolicy(attempts=3, base_delay=0.1, jitter=0), sleep)

    assert raised.value is last
    assert sleep.delays == [0.1, 0.2]


async def test_one_attempt_means_no_retry() -> None:
    operation = Flaky(unavailable())

    with pytest.raises(ExchangeUnavailable):
        await call_with_retries(operation, RetryPolicy(attempts=1), RecordingSleep())
    assert operation.calls == 1


@pytest.mark.parametrize(
    "settings", [{"attempts": 0}, {"base_delay": -1.0}, {"max_delay": -1.0}, {"jitter": 1.5}]
)
def test_a_policy_that_makes_no_sense_is_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**settings)  # type: ignore[arg-type]
