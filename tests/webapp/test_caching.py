"""Caching and conditional reads: market data is cached (in Redis where configured) and may be kept by clients
for a stated lifetime; the user's own answers are never stored on the way; a JSON read carries an ETag and an
If-None-Match naming it is answered 304 with no body, until what it reads changes."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from tests.databases import REDIS_URL, delete_redis_keys
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from tests.webapp.conftest import Api, make_web
from webapp.app import create_app


async def _true() -> bool:
    return True


async def test_market_data_may_be_kept_for_its_lifetime_and_a_known_one_is_304(api: Api) -> None:
    headers = await api.sign_in(1301)
    first = await api.client.get("/api/v1/markets", headers=headers)
    assert first.status_code == 200 and first.headers["cache-control"] == "max-age=300, public"
    tag = first.headers["etag"]
    again = await api.client.get("/api/v1/markets", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["x-request-id"]
    assert "content-length" not in again.headers or again.headers["content-length"] == "0"
    candles = await api.client.get("/api/v1/markets/candles?symbol=BTC&limit=3", headers=headers)
    assert candles.headers["cache-control"] == "max-age=10, public"


async def test_your_own_answers_are_not_stored_and_their_tag_changes_with_them(api: Api) -> None:
    headers = await api.sign_in(1301)
    empty = await api.client.get("/api/v1/orders", headers=headers)
    assert empty.status_code == 200 and empty.headers["cache-control"] == "no-store"
    tag = empty.headers["etag"]
    unchanged = await api.client.get("/api/v1/orders", headers={**headers, "If-None-Match": f"W/{tag}"})
    assert unchanged.status_code == 304
    draft = await api.json(
        "POST",
        "/api/v1/orders/preview",
        headers,
        json={"symbol": "ETH", "side": "buy", "amount": "0.1", "type": "limit", "price": "100"},
    )
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    changed = await api.client.get("/api/v1/orders", headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and len(changed.json()) == 1
    assert changed.headers["etag"] != tag


@pytest.fixture
async def redis_client(harness: Harness, database_url: str, clock: ManualClock) -> AsyncIterator[Api]:
    served = make_harness(database_url, clock)
    web = make_web(served, redis_url=REDIS_URL)
    await delete_redis_keys("tsbot:*")
    async with AsyncTestClient(create_app(_true, web=web)) as client:
        try:
            yield Api(client, harness, web, served)
        finally:
            client.blocking_portal.call(served.close)
            await delete_redis_keys("tsbot:*")


async def test_candles_are_cached_in_redis_for_their_lifetime(redis_client: Api) -> None:
    api = redis_client
    headers = await api.sign_in(1301)
    first = await api.client.get("/api/v1/markets/candles?symbol=BTC&limit=3", headers=headers)
    assert first.status_code == 200
    redis = Redis.from_url(REDIS_URL)
    try:
        [key] = [k async for k in redis.scan_iter("tsbot:*candles*")]
        assert 0 < await redis.ttl(key) <= 10
    finally:
        await redis.aclose()
    api.harness.market.set_price("BTC/USDT", Decimal(1))
    cached = await api.client.get("/api/v1/markets/candles?symbol=BTC&limit=3", headers=headers)
    assert cached.json() == first.json()  # within its lifetime, the cached answer
