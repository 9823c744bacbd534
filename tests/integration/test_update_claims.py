"""Each Telegram update handled once across webhook workers: claimed before handling, done after, and free
again when handling failed or its worker died (the lease lapsed)."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.telegram.update_claims import Claim, MemoryUpdateClaims, RedisUpdateClaims, UpdateClaims
from tests.databases import REDIS_URL
from tests.fakes import ManualClock


@pytest.fixture(params=["memory", "redis"])
async def claims(request: pytest.FixtureRequest, clock: ManualClock) -> AsyncIterator[UpdateClaims]:
    made: UpdateClaims = (
        MemoryUpdateClaims(clock)
        if request.param == "memory"
        else RedisUpdateClaims(REDIS_URL, timedelta(hours=1))
    )
    yield made
    await made.close()


def fresh_id() -> int:
    return uuid.uuid4().int % 2**52  # the tests' Redis outlives a run: never an id an earlier run claimed


async def test_an_update_is_taken_once_then_done_for_every_worker(claims: UpdateClaims) -> None:
    update_id = fresh_id()
    assert await claims.claim(update_id) is Claim.TAKEN
    assert await claims.claim(update_id) is Claim.BUSY  # a retry while it is handled
    await claims.done(update_id)
    assert await claims.claim(update_id) is Claim.DONE
    assert await claims.claim(fresh_id()) is Claim.TAKEN


async def test_a_failed_update_is_free_for_the_retry(claims: UpdateClaims) -> None:
    update_id = fresh_id()
    assert await claims.claim(update_id) is Claim.TAKEN
    await claims.release(update_id)
    assert await claims.claim(update_id) is Claim.TAKEN


async def test_a_claim_in_redis_is_shared_and_lapses_with_its_lease() -> None:
    """Two workers on one Redis; the first dies holding a claim whose lease is already over."""
    first = RedisUpdateClaims(REDIS_URL, timedelta(milliseconds=1))
    second = RedisUpdateClaims(REDIS_URL, timedelta(hours=1))
    try:
        update_id = fresh_id()
        assert await first.claim(update_id) is Claim.TAKEN
        while (claim := await second.claim(update_id)) is Claim.BUSY:  # until Redis expires it
            pass
        assert claim is Claim.TAKEN
        await second.done(update_id)
        assert await first.claim(update_id) is Claim.DONE
    finally:
        await first.close()
        await second.close()
