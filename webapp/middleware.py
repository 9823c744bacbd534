"""Plain ASGI middleware: security headers, and a request id on every request, its answer and its log line."""

import logging
import re
import time
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("tsbot.web")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DOCS_PREFIX = "/api/v1/docs"
# A router's opt key for routes the web API's rate limits do not fit: Telegram's webhook (its updates come from
# a few addresses) and the sandbox (the bot's own Bot API calls); Telegram's limits are kept by the bot's queue.
NOT_RATE_LIMITED = "exclude_from_rate_limit"

# The Mini App may be framed by Telegram's web client and nothing else; it loads Telegram's WebApp script.
APP_CSP = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors https://web.telegram.org"
)
# The API docs page loads its viewer from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://cdn.jsdelivr.net; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin-allow-popups",
}


def security_headers(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"].startswith(DOCS_PREFIX) else APP_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["content-security-policy"] = csp
                for name, value in _COMMON.items():
                    headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def request_ids(app: ASGIApp) -> ASGIApp:
    """Takes a sane X-Request-ID from the caller or makes one; echoes it and logs the request with it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["x-request-id"] = request_id
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s %s %d %.1fms",
                request_id,
                scope.get("method", ""),
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )

    return middleware
