"""The event stream: bounded by `count` and `every`, owner-scoped, and hostile parameters answered 4xx; its prices
and the ticker's are the process's live feed's."""

import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from tests.webapp.conftest import Api, make_web
from trading.domain.market import Ticker
from trading.market.ticks import TickHub, TickStream
from webapp.app import create_app


def _events(body: str) -> list[tuple[str, Any]]:
    events = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = chunk.strip().splitlines()
        kind = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if data:
            events.append((kind, json.loads(data)))
    return events


async def test_a_bounded_stream_sends_prices_and_the_users_open_orders(api: Api) -> None:
    headers = await api.sign_in(7001)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers)
    low = (Decimal(ticker["bid"]) / 2).quantize(Decimal("0.01"))
    order = {"symbol": "ETH", "side": "buy", "amount": "0.1", "type": "limit", "price": str(low)}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=order)
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    other = await api.sign_in(7002)

    answer = await api.client.get(
        "/api/v1/stream", headers=headers, params={"symbols": "BTC,eth/usdt,ZZZ", "count": 2, "every": 0.2}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    events = _events(answer.text)
    assert [kind for kind, _ in events] == ["prices", "orders", "prices", "orders"]
    prices = events[0][1]
    assert [p["symbol"] for p in prices] == ["BTC/USDT", "ETH/USDT"]  # an unknown market is left out
    assert all(Decimal(p["bid"]) <= Decimal(p["ask"]) for p in prices)
    assert [o["status"] for o in events[1][1]] == ["open"]

    theirs = await api.client.get("/api/v1/stream", headers=other, params={"count": 1, "every": 0.2})
    assert [data for kind, data in _events(theirs.text) if kind == "orders"] == [[]]


async def test_hostile_parameters_are_refused_before_anything_streams(api: Api) -> None:
    headers = await api.sign_in(7003)
    assert (await api.client.get("/api/v1/stream", params={"count": 1})).status_code == 401
    hostile: list[dict[str, Any]] = [
        {"count": 0},
        {"count": -1},
        {"count": 10**9},
        {"count": "many"},
        {"every": 0},
        {"every": -1},
        {"every": "nan"},
        {"every": "inf"},
        {"every": 3600},
        {"symbols": ""},
        {"symbols": "BTC;DROP TABLE"},
        {"symbols": ",".join(["BTC"] * 11)},
        {"symbols": "B" * 40},
        {"symbols": "../../etc/passwd"},
    ]
    for params in hostile:
        answer = await api.client.get("/api/v1/stream", headers=headers, params={"count": 1, **params})
        assert answer.status_code == 400, (params, answer.text)
        assert answer.json()["status_code"] == 400
    # Odd but well-formed markets are skipped, never a server error.
    odd = await api.client.get(
        "/api/v1/stream", headers=headers, params={"symbols": "///,A/B/C,0", "count": 1, "every": 0.2}
    )
    assert odd.status_code == 200 and _events(odd.text)[0] == ("prices", [])


class FixedFeed:
    """A PriceFeed whose latest prices the test sets, and which records the markets it is asked to watch."""

    def __init__(self, *tickers: Ticker) -> None:
        self.prices = {t.symbol: t for t in tickers}
        self.watched: list[str] = []

    def watch(self, symbols: Iterable[str]) -> None:
        self.watched.extend(s for s in symbols if s not in self.watched)

    def latest(self, symbol: str) -> Ticker | None:
        return self.prices.get(symbol)

    def subscribe(self) -> TickStream:
        return TickHub().subscribe()

    async def close(self) -> None:
        return None


LIVE_BTC = Ticker(
    "BTC/USDT",
    Decimal("12345.67"),
    Decimal("12345.89"),
    Decimal("12345.78"),
    Decimal(0),
    datetime(2026, 3, 2, tzinfo=UTC),
)


@pytest.fixture
async def live_api(harness: Harness, database_url: str, clock: ManualClock) -> AsyncIterator[Api]:
    """The web app with a feed of its own: BTC/USDT has a live price, nothing else has one yet."""
    served = make_harness(database_url, clock)
    web = replace(make_web(served), prices=FixedFeed(LIVE_BTC))
    async with AsyncTestClient(create_app(_true, web=web)) as client:
        try:
            yield Api(client, harness, web, served)
        finally:
            client.blocking_portal.call(served.close)


async def _true() -> bool:
    return True


async def test_prices_are_the_live_feeds_and_the_markets_streamed_are_watched(live_api: Api) -> None:
    headers = await live_api.sign_in(7004)
    answer = await live_api.client.get(
        "/api/v1/stream", headers=headers, params={"symbols": "BTC,ETH,ZZZ", "count": 1, "every": 0.2}
    )
    [prices] = [data for kind, data in _events(answer.text) if kind == "prices"]
    assert prices[0] == {"symbol": "BTC/USDT", "bid": "12345.67", "ask": "12345.89", "last": "12345.78"}
    assert prices[1]["symbol"] == "ETH/USDT"  # no tick yet: asked of the market
    feed = live_api.web.prices
    assert isinstance(feed, FixedFeed) and feed.watched == ["BTC/USDT", "ETH/USDT"]  # never an unlisted one

    ticker = await live_api.json("GET", "/api/v1/markets/ticker?symbol=BTC", headers)
    assert (ticker["bid"], ticker["ask"]) == ("12345.67", "12345.89")
