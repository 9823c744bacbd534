"""What every answer carries and how it is logged: the security headers, a request id on the request, its answer
and its log line; and refusals by a middleware answered where the metrics count them."""

import logging
import re
import time
import uuid
from functools import cache
from typing import Any

from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, InternalServerException
from litestar.exceptions.responses import create_exception_response
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from prometheus_client import Counter

from trading import log_context
from webapp.errors import DATABASE_ERRORS, answered_by_database_handler, database_error_handler

log = logging.getLogger("tsbot.web")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STARTED = "started_at"
_STATUS = "answered_status"
_CLIENT_GONE = "client_gone"
# nginx's status for a client that closed its connection before it was answered: no one reads this answer; it
# is for the log line and the metrics, which would otherwise count a server error.
CLIENT_CLOSED_REQUEST = 499
RATE_LIMIT_RESET = "RateLimit-Reset"  # Litestar's rate limit header: seconds until the window resets
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
# The API docs page loads its viewer from the app (webapp.app.DOCS_ASSETS) and starts it with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin-allow-popups",
}


def request_id_of(scope: Scope) -> str:
    """The request's id: the caller's X-Request-ID where it is sane, else a new one; the same for its life."""
    state = scope.setdefault("state", {})
    request_id: str | None = state.get("request_id")
    if request_id is None:
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state["request_id"] = request_id
    return request_id


def request_ids(app: ASGIApp) -> ASGIApp:
    """The request's id (for every log line written while it is served) and its start, as early as a route is
    found."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        token = log_context.request_id.set(request_id_of(scope))
        scope["state"].setdefault(_STARTED, time.perf_counter())

        async def receive_noting_disconnect() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.disconnect":
                scope["state"][_CLIENT_GONE] = True
            return message

        try:
            await app(scope, receive_noting_disconnect, send)
        finally:
            log_context.request_id.reset(token)

    return middleware


def client_gone(scope: Scope) -> bool:
    """Whether the client hung up before its request's body was read (Litestar then raises a server error)."""
    return bool(scope.get("state", {}).get(_CLIENT_GONE))


def server_error_handler(request: Request[Any, Any, Any], error: InternalServerException) -> Response[Any]:
    """A server error as Litestar answers it, but for a client that hung up mid-request: that is no fault of
    the server's, so it is logged and counted as nginx does (499), not as a 500."""
    if client_gone(request.scope):
        return Response(None, status_code=CLIENT_CLOSED_REQUEST)
    return create_exception_response(request, error)


async def stamp_answer(message: Message, scope: Scope) -> None:
    """A hook on every message the app sends, so that every answer gets its request id, the security headers and
    its log line with the status it really had: also those no route gave (404, 405) and the refusals of a
    middleware (401, 429), which Litestar answers outside the middleware stack."""
    if scope["type"] != ScopeType.HTTP:
        return
    state = scope.setdefault("state", {})
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        headers["x-request-id"] = request_id_of(scope)
        headers["content-security-policy"] = DOCS_CSP if scope["path"].startswith(DOCS_PREFIX) else APP_CSP
        for name, value in _COMMON.items():
            headers[name] = value
        state[_STATUS] = message["status"]
        state.setdefault(_STARTED, time.perf_counter())  # no route ran: the answer is all there was
        if "route_handler" not in scope:
            unrouted_answers().labels(scope.get("method", ""), str(message["status"])).inc()
    elif message["type"] == "http.response.body" and not message.get("more_body", False):
        log.info(
            "%s %s %s %d %.1fms",
            request_id_of(scope),
            scope.get("method", ""),
            scope["path"],
            state.get(_STATUS, 0),
            (time.perf_counter() - state[_STARTED]) * 1000,
        )


@cache
def unrouted_answers() -> Counter:
    """Answers no route gave (404, 405): the metrics' middleware counts only the ones a route gave."""
    return Counter(
        "tsbot_unrouted_responses_total",
        "Answers given before any route: no such path or method",
        ["method", "status_code"],
    )


_REFUSALS: tuple[type[Exception], ...] = (HTTPException, *DATABASE_ERRORS)


def answer_refusals(app: ASGIApp) -> ASGIApp:
    """A refusal raised by a middleware inside this one (the bearer check's 401, a rate limit's 429, a database
    that does not answer or refuses a statement) answered here, inside the metrics' middleware, so that it is counted with its status;
    Litestar would answer it outside every middleware."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, send_noting_start)
        except _REFUSALS as refusal:
            if started or scope["type"] != ScopeType.HTTP:
                raise
            if not isinstance(refusal, HTTPException) and not answered_by_database_handler(refusal):
                raise  # a bug: Litestar's own answer, logged as a server error
            request: Request[Any, Any, Any] = Request(scope, receive)
            answer = _refusal_answer(request, refusal).to_asgi_response(app=None, request=request)
            await answer(scope, receive, send)

    return middleware


def _refusal_answer(request: Request[Any, Any, Any], refusal: Exception) -> Response[Any]:
    """Litestar's own answer to an HTTP exception (a 429 also saying when to come back), or the database's."""
    if not isinstance(refusal, HTTPException):
        return database_error_handler(request, refusal)
    reset = (refusal.headers or {}).get(RATE_LIMIT_RESET)
    if refusal.status_code == HTTP_429_TOO_MANY_REQUESTS and reset is not None:
        refusal.headers = {**(refusal.headers or {}), "Retry-After": reset}
    return create_exception_response(request, refusal)
