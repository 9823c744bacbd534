"""The safety net under the controllers: a statement the database refuses for what it was asked to store (a
constraint, a number beyond its column) that escapes a route is a 409 or a 400 with a sentence, logged with the
request's id, never a 500. The routes here run real statements on the test database: the app's own routes refuse
every such input known before the database sees it."""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Router, post
from litestar.testing import AsyncTestClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import UserRow
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from tests.webapp.conftest import CONFIG, make_web
from trading import log_context
from webapp.app import create_app
from webapp.auth import issue_access_token

PROBE = "refusal-probe"


class RequestIds(logging.Handler):
    """Each warning of the web app's errors with the request id its log line carries."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[tuple[str | None, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((log_context.request_id.get(), record.getMessage()))


def _statements(engine: AsyncEngine) -> Router:
    @post("/twin-users", status_code=201)
    async def twin_users() -> None:
        """Two users of one Telegram id: a unique constraint."""
        async with engine.begin() as connection:
            for _ in range(2):
                row = {"name": "Twin", "telegram_id": 5150, "created_at": datetime.now(UTC)}
                await connection.execute(insert(UserRow).values(**row))

    @post("/user-beyond-integers", status_code=201)
    async def user_beyond_integers() -> None:
        """An id beyond PostgreSQL's integer column."""
        async with engine.connect() as connection:
            await connection.execute(select(UserRow).where(UserRow.id == 2**40))

    return Router("/statements", route_handlers=[twin_users, user_beyond_integers])


@pytest.fixture
async def client(
    harness: Harness, database_url: str, clock: ManualClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app on a core of its own, on the test client's event loop (as conftest's `api`)."""
    served = make_harness(database_url, clock)
    app = create_app(_true, routers=[_statements(served.engine)], web=make_web(served))
    async with AsyncTestClient(app) as client:
        try:
            yield client
        finally:
            client.blocking_portal.call(served.close)


async def _true() -> bool:
    return True


async def _refused(client: AsyncTestClient[Any], harness: Harness, path: str, request_id: str) -> Any:
    user_id, _ = await harness.user("Ada")
    headers = {"Authorization": f"Bearer {issue_access_token(CONFIG, user_id)}", "X-Request-ID": request_id}
    answer = await client.post(path, headers=headers)
    assert answer.headers["x-request-id"] == request_id
    return answer


async def test_a_constraint_the_database_enforces_is_a_409_with_a_sentence_logged_with_its_request_id(
    client: AsyncTestClient[Any], harness: Harness
) -> None:
    lines = RequestIds()
    logging.getLogger("webapp.errors").addHandler(lines)
    try:
        answer = await _refused(client, harness, "/statements/twin-users", f"{PROBE}-twin")
    finally:
        logging.getLogger("webapp.errors").removeHandler(lines)
    assert answer.status_code == 409, answer.text
    assert answer.json() == {
        "status_code": 409,
        "error": "conflict",
        "detail": "This conflicts with what is stored: it exists already, or something it names does not; "
        "nothing was done.",
    }
    [(request_id, line)] = lines.lines
    assert request_id == f"{PROBE}-twin" and "POST /statements/twin-users: the database refused it" in line
    assert await harness.count("users") == 1  # the first of the twins went with the second: nothing was done
    metrics = (await client.get("/metrics")).text
    assert 'path="/statements/twin-users",status_code="409"' in metrics


async def test_a_number_beyond_a_column_is_a_400_with_a_sentence(
    client: AsyncTestClient[Any], harness: Harness
) -> None:
    if harness.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's integers hold 2**40")
    answer = await _refused(client, harness, "/statements/user-beyond-integers", f"{PROBE}-overflow")
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "out_of_range"
    assert (
        answer.json()["detail"]
        == "A number or a text in this request is beyond what can be stored; nothing was done."
    )
