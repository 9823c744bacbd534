"""A local stand-in of Binance's market streams (websockets), enough of them for ccxt.pro's binance client.

ccxt dials `<its spot stream URL>/<n>` (one connection per stream index it hands out) and subscribes on it:
`{"method": "SUBSCRIBE", "params": ["btcusdt@ticker"], "id": 1}`, answered `{"result": null, "id": 1}`;
`UNSUBSCRIBE` likewise. Served here at `/stream/{n}` (and `/stream?streams=a/b`, subscribed from the start), as
Binance's combined-stream endpoint: each event wrapped as `{"stream": "btcusdt@ticker", "data": {...}}`. Events:
the 24h ticker (`24hrTicker`, with the best bid and ask) and trades (`trade`), pushed by the test.

Controls for tests: `push_ticker`, `push_trade`; `drop()` closes every connection as the venue does when it
restarts; `refuse(n)` answers the next n handshakes with a 503 (the stand-in's "server_error" fault);
`subscribed(stream, times)` waits until a stream was subscribed that many times (again after a reconnection).
Ping frames are answered by aiohttp. Point ccxt here with `CcxtVenueConfig(ws_urls={"spot": streams.url})`.
"""

import asyncio
import itertools
import json
from collections import Counter
from decimal import Decimal
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.standins.venue import Fault, StandInServer, plain

ENDPOINT = "stream"  # the handshakes' name for the call counts and fault injection


class BinanceStreams(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        self.route("GET", "/stream", ENDPOINT, self._connect)
        self.route("GET", "/stream/{index}", ENDPOINT, self._connect)
        self._sockets: dict[web.WebSocketResponse, set[str]] = {}
        self.subscriptions: Counter[str] = Counter()  # every SUBSCRIBE of each stream, reconnections included
        self.messages: list[dict[str, Any]] = []  # what clients sent, in order
        self._changed = asyncio.Condition()
        self._clock_ms = itertools.count(1_700_000_000_000, 100)
        self._trade_ids = itertools.count(1)

    @property
    def url(self) -> str:
        """What ccxt takes as Binance's spot stream URL; it adds `/<n>`."""
        return f"{self.base_url}/stream"

    @property
    def connections(self) -> int:
        return len(self._sockets)

    def refuse(self, times: int) -> None:
        """The next `times` connections are refused at the handshake."""
        self.inject(ENDPOINT, Fault.SERVER_ERROR, times)

    async def subscribed(self, stream: str, times: int = 1) -> None:
        """Returns once `stream` has been subscribed `times` times; the caller bounds the wait."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.subscriptions[stream] >= times)

    async def push_ticker(
        self, venue_id: str, bid: Decimal, ask: Decimal, last: Decimal | None = None
    ) -> int:
        """A 24h ticker event at this bid and ask (and last, by default their middle); how many connections it
        reached."""
        price = last if last is not None else (bid + ask) / 2
        now = next(self._clock_ms)
        event = {
            "e": "24hrTicker",
            "E": now,
            "s": venue_id,
            "p": "0.00000000",
            "P": "0.000",
            "w": plain(price),
            "x": plain(price),
            "c": plain(price),
            "Q": "0.01000000",
            "b": plain(bid),
            "B": "1.00000000",
            "a": plain(ask),
            "A": "1.00000000",
            "o": plain(price),
            "h": plain(max(ask, price)),
            "l": plain(min(bid, price)),
            "v": "100.00000000",
            "q": plain(price * 100),
            "O": now - 86_400_000,
            "C": now,
            "F": 1,
            "L": 100,
            "n": 100,
        }
        return await self._send(f"{venue_id.lower()}@ticker", event)

    async def push_trade(self, venue_id: str, price: Decimal, quantity: Decimal = Decimal("0.01")) -> int:
        now = next(self._clock_ms)
        event = {
            "e": "trade",
            "E": now,
            "s": venue_id,
            "t": next(self._trade_ids),
            "p": plain(price),
            "q": plain(quantity),
            "T": now,
            "m": False,
            "M": True,
        }
        return await self._send(f"{venue_id.lower()}@trade", event)

    async def drop(self) -> None:
        """Every connection closed by the venue."""
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"stand-in restarting")

    async def close(self) -> None:
        await self.drop()
        await super().close()

    async def _send(self, stream: str, event: dict[str, Any]) -> int:
        reached = [socket for socket, streams in self._sockets.items() if stream in streams]
        for socket in reached:
            await socket.send_json({"stream": stream, "data": event})
        return len(reached)

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        streams = {s for s in request.query.get("streams", "").split("/") if s}
        self._sockets[socket] = streams
        await self._count(streams)
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self._answer(socket, streams, json.loads(message.data))
        finally:
            self._sockets.pop(socket, None)
        return socket

    async def _answer(
        self, socket: web.WebSocketResponse, streams: set[str], request: dict[str, Any]
    ) -> None:
        self.messages.append(request)
        method, params, request_id = request.get("method"), request.get("params") or [], request.get("id")
        if method == "SUBSCRIBE":
            streams.update(params)
            await self._count(params)
        elif method == "UNSUBSCRIBE":
            streams.difference_update(params)
        else:
            error = {"code": 2, "msg": f"Invalid request: unknown method {method!r}"}
            await socket.send_json({"error": error, "id": request_id})
            return
        await socket.send_json({"result": None, "id": request_id})

    async def _count(self, streams: Any) -> None:
        async with self._changed:
            self.subscriptions.update(streams)
            self._changed.notify_all()
