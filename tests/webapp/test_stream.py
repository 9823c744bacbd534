"""The event stream: bounded by `count` and `every`, owner-scoped, and hostile parameters answered 4xx."""

import json
from decimal import Decimal
from typing import Any

from tests.webapp.conftest import Api


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
