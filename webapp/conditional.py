"""Conditional reads: a JSON answer to a GET gets an ETag (a hash of its body), and a GET whose If-None-Match
names it is answered 304 with no body, so that a client polling its orders or the markets downloads only what
changed. Streams (the price stream's events) pass through as they come."""

import hashlib

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.status_codes import HTTP_200_OK, HTTP_304_NOT_MODIFIED
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

# What a 304 keeps of the 200 it stands for (RFC 9110, 15.4.5); the body and its length go.
_KEPT_ON_304 = {b"etag", b"cache-control", b"content-location", b"date", b"expires", b"vary"}


def _entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(scope: Scope, tag: str) -> bool:
    given = dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1")
    return given.strip() == "*" or tag in (t.strip().removeprefix("W/") for t in given.split(","))


def conditional_gets(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await app(scope, receive, send)
            return
        start: HTTPResponseStartEvent | None = None
        chunks: list[bytes] = []

        async def send_tagged(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != HTTP_200_OK or not _is_json(message):
                    await send(message)
                    return
                start = message  # held until the whole body is known
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _answer(scope, send, start, b"".join(chunks))

        await app(scope, receive, send_tagged)

    return middleware


def _is_json(start: HTTPResponseStartEvent) -> bool:
    content_type: str = MutableScopeHeaders.from_message(start).get("content-type", "")
    return content_type.startswith("application/json")


async def _answer(scope: Scope, send: Send, start: HTTPResponseStartEvent, body: bytes) -> None:
    tag = _entity_tag(body)
    MutableScopeHeaders.from_message(start)["etag"] = tag
    if not _matches(scope, tag):
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return
    kept = [(name, value) for name, value in start["headers"] if name.lower() in _KEPT_ON_304]
    await send({"type": "http.response.start", "status": HTTP_304_NOT_MODIFIED, "headers": kept})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
