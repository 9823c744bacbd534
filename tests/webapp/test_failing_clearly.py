"""The web app fails clearly: Redis down degrades the rate limits to the process (never a 500), every answer
(refusals by a middleware and answers no route gave included) carries the request id and the security headers
and is logged and counted with the status it had, a 429 says when to come back, a token of no user is refused
with 401, and a database that takes no writes or does not answer is a 503 with a sentence."""

import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.exceptions import MethodNotAllowedException
from litestar.testing import AsyncTestClient, RequestFactory
from litestar.types import Message, ReceiveMessage
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage.db import create_engine, takes_writes
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from tests.webapp.conftest import CONFIG, init_data, make_web
from tests.webapp.live import free_port
from webapp.app import create_app
from webapp.auth import issue_access_token
from webapp.errors import database_down, unrouted_handler

PROBE = "probe-7f3a"


async def _true() -> bool:
    return True


async def _false() -> bool:
    return False


@pytest.fixture
async def client(
    harness: Harness, database_url: str, clock: ManualClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app with Redis configured at an address where nothing listens, and a small per-address limit."""
    served = make_harness(database_url, clock)
    web = make_web(served, redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_per_ip=8)
    async with AsyncTestClient(create_app(_true, web=web)) as client:
        try:
            yield client
        finally:
            client.blocking_portal.call(served.close)


async def _signed_in(client: AsyncTestClient[Any]) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/telegram", json={"init_data": init_data(4242)})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_with_redis_unreachable_requests_are_served_and_health_says_so(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tsbot.web"):
        health = await client.get("/health")
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "unreachable: rate limits counted in this process",
        }
        headers = await _signed_in(client)
        me = await client.get("/api/v1/me", headers=headers)
        assert me.status_code == 200 and me.json()["name"] == "Ada"
    warnings = [r.getMessage() for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(warnings) == 1  # said once, not on every request


async def test_every_refusal_carries_its_request_id_and_headers_and_is_logged_and_counted_as_sent(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    refusals = [
        ("GET", "/api/v1/me", 401),  # the bearer check, a middleware
        ("POST", "/api/v1/ping", 405),  # no route for the method
        ("GET", "/app/assets/none.js", 404),  # a route's own refusal
    ]
    with caplog.at_level(logging.INFO, logger="tsbot.web"):
        for number, (method, path, status) in enumerate(refusals):
            answer = await client.request(method, path, headers={"X-Request-ID": f"{PROBE}-{number}"})
            assert answer.status_code == status, (path, answer.text)
            assert answer.headers["x-request-id"] == f"{PROBE}-{number}"
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors" in answer.headers["content-security-policy"]
            assert "detail" in answer.json()
    lines = caplog.text
    for number, (method, path, status) in enumerate(refusals):
        assert f"{PROBE}-{number} {method} {path} {status} " in lines
    metrics = (await client.get("/metrics")).text
    assert 'method="GET",path="/api/v1/me",status_code="401"' in metrics
    assert 'tsbot_unrouted_responses_total{method="POST",status_code="405"}' in metrics


async def test_a_client_that_hangs_up_mid_request_is_logged_and_counted_as_gone_not_as_a_server_error(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The client closes its connection before its body arrives (wrk ending a run, a phone losing signal): the
    ASGI server says so, and Litestar raises a server error while reading the body."""
    sent: list[Message] = []

    async def receive() -> ReceiveMessage:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"64"),
        (b"x-request-id", b"gone-1"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/auth/telegram",
        "raw_path": b"/api/v1/auth/telegram",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    with caplog.at_level(logging.INFO, logger="tsbot.web"):
        await client.app(scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 499
    assert "gone-1 POST /api/v1/auth/telegram 499 " in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    metrics = (await client.get("/metrics")).text
    assert 'path="/api/v1/auth/telegram",status_code="499"' in metrics
    assert 'path="/api/v1/auth/telegram",status_code="500"' not in metrics


async def test_a_rate_limited_request_says_when_to_come_back(client: AsyncTestClient[Any]) -> None:
    answers = [await client.get("/api/v1/ping") for _ in range(9)]
    assert [a.status_code for a in answers] == [200] * 8 + [429]
    limited = answers[-1]
    assert 0 < int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-request-id"] and limited.headers["x-content-type-options"] == "nosniff"


async def test_a_signed_token_of_no_user_is_refused_with_401(client: AsyncTestClient[Any]) -> None:
    for user_id in (987_654, 2**40):  # a user who does not exist; an id beyond the database's integers
        token = issue_access_token(CONFIG, user_id)
        answer = await client.get("/api/v1/portfolio", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, answer.text
        assert answer.json()["detail"] == "This access token's user does not exist; sign in again."


async def test_health_is_503_when_the_database_takes_no_writes(database_url: str) -> None:
    async with AsyncTestClient(create_app(_false)) as client:
        answer = await client.get("/health")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "takes no writes"}
    writable = create_engine(database_url)
    read_only = _read_only_engine(database_url)
    try:
        assert await takes_writes(writable)
        assert not await takes_writes(read_only)
    finally:
        await writable.dispose()
        await read_only.dispose()


def _read_only_engine(database_url: str) -> Any:
    """The same database, refusing writes as a read-only file or a standby server does."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return create_engine(f"sqlite+aiosqlite:///file:{url.database}?mode=ro&uri=true")
    return create_engine(
        database_url, connect_args={"server_settings": {"default_transaction_read_only": "on"}}
    )


async def test_a_database_that_does_not_answer_is_a_503_with_a_sentence(clock: ManualClock) -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/test"
    served = make_harness(nowhere, clock)
    token = issue_access_token(CONFIG, 1)
    try:
        async with AsyncTestClient(create_app(served.container.database_ok, web=make_web(served))) as client:
            health = await client.get("/health")
            portfolio = await client.get("/api/v1/portfolio", headers={"Authorization": f"Bearer {token}"})
            metrics = (await client.get("/metrics")).text
    finally:
        await served.close()
    assert health.status_code == 503 and health.json()["database"] == "takes no writes"
    assert portfolio.status_code == 503, portfolio.text
    assert portfolio.json()["detail"] == "The database is not answering right now; try again in a moment."
    assert portfolio.headers["retry-after"] == "5" and portfolio.headers["x-request-id"]
    assert 'path="/api/v1/portfolio",status_code="503"' in metrics


def test_only_a_database_that_does_not_answer_counts_as_down() -> None:
    broken = sqlite3.OperationalError("no such table: alerts")  # a statement's own error: a bug, a 500
    assert not database_down(OperationalError("SELECT 1", None, broken))
    gone = OperationalError("SELECT 1", None, ConnectionResetError(), connection_invalidated=True)
    assert database_down(gone) and database_down(ConnectionRefusedError()) and database_down(PoolTimeout())


async def test_a_request_no_route_takes_is_told_why_in_a_sentence(client: AsyncTestClient[Any]) -> None:
    """Litestar's own answer is a bare "Not Found"; a path parameter of the wrong kind is such a request too."""
    answers = {
        ("POST", "/api/v1/orders/0.92/cancel"): "POST /api/v1/orders/0.92/cancel: there is nothing at this "
        "address; /api/v1/docs lists the API's routes.",
        (
            "POST",
            "/api/v1/ping",
        ): "POST /api/v1/ping: this address does not take POST; /api/v1/docs lists what it does.",
        ("GET", "/app/assets/none.js"): "No such asset.",  # a route's own refusal keeps its sentence
    }
    for (method, path), sentence in answers.items():
        answer = await client.request(method, path)
        assert answer.json()["detail"] == sentence
    allowed = await client.post("/api/v1/ping")
    assert allowed.status_code == 405 and set(allowed.headers["allow"].split(", ")) == {"GET", "OPTIONS"}


def test_the_answer_to_an_unrouted_request_leaves_the_exception_as_raised() -> None:
    error = MethodNotAllowedException(headers={"Allow": "GET, OPTIONS"})
    answer = unrouted_handler(RequestFactory().post("/api/v1/ping"), error)
    assert error.detail == "Method Not Allowed"
    assert (answer.status_code, answer.headers["Allow"]) == (405, "GET, OPTIONS")
    assert json.loads(answer.content)["detail"] == (
        "POST /api/v1/ping: this address does not take POST; /api/v1/docs lists what it does."
    )
