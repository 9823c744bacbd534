"""The web app over the test harness (a real database, the simulated market, the paper exchange)."""

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.sync_api import Browser

from handlers.audit_reader import PipelineReader
from nlp.pipeline import Pipeline
from storage.candles import SqlCandleStore
from tests.audit.exports import START
from tests.audit.history import ScriptedHistory
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from tests.webapp.browser import chromium
from tests.webapp.live import live_server
from trading.domain.audit import AuditRules
from trading.usecases.audits import Auditor
from webapp.app import create_app
from webapp.context import WebConfig, WebContext
from webapp.frontend import DEFAULT_DIST
from webapp.init_data import sign_init_data

T = TypeVar("T")
BOT_TOKEN = "123456:sandbox-token"
CONFIG = WebConfig(
    bot_token=BOT_TOKEN, signing_key="test-signing-key-of-thirty-two-bytes", public_url="http://testserver"
)


def init_data(telegram_id: int, first_name: str = "Ada", age: float = 0, token: str = BOT_TOKEN) -> str:
    return sign_init_data(token, {"id": telegram_id, "first_name": first_name}, int(time.time() - age))


@dataclass
class Api:
    client: AsyncTestClient[Litestar]
    harness: Harness
    web: WebContext
    served: Harness  # the app's own core, on the app's event loop

    async def sign_in(self, telegram_id: int, first_name: str = "Ada") -> dict[str, str]:
        """Authorization headers of a Mini App user (created on first sign-in)."""
        answer = await self.client.post(
            "/api/v1/auth/telegram", json={"init_data": init_data(telegram_id, first_name)}
        )
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def in_app(self, function: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run a coroutine function on the app's event loop (where its database connections live)."""
        return self.client.blocking_portal.call(function, *args)

    async def json(self, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        answer = await self.client.request(method, url, headers=headers, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None


def make_web(harness: Harness, **config: Any) -> WebContext:
    return WebContext(harness.core, harness.market, replace(CONFIG, **config), harness.prices)


@pytest.fixture
async def api(harness: Harness, database_url: str, clock: ManualClock) -> AsyncIterator[Api]:
    """Litestar's test client runs the app on an event loop of its own (a portal thread), so the app gets a
    core of its own over the same database; `harness` stays the test's view of that database."""
    served = make_harness(database_url, clock)
    web = make_web(served)
    app = create_app(_true, web=web)
    async with AsyncTestClient(app) as client:
        try:
            yield Api(client, harness, web, served)
        finally:
            client.blocking_portal.call(served.close)


async def _true() -> bool:
    return True


@pytest.fixture
async def audit_api(harness: Harness, database_url: str, clock: ManualClock) -> AsyncIterator[Api]:
    """The API with an auditor of the test exports on scripted candles, the clock 60 days past their posts."""
    clock.advance((START + timedelta(days=60) - clock.now()).total_seconds())
    served = make_harness(database_url, clock)
    reader = PipelineReader(Pipeline(["ETH/USDT", "SOL/USDT", "AVAX/USDT"], use_classifier=False))
    auditor = Auditor(
        served.core, reader, ScriptedHistory(), SqlCandleStore(served.engine), AuditRules(fee_rate=Decimal(0))
    )
    web = replace(make_web(served), auditor=auditor)
    async with AsyncTestClient(create_app(_true, web=web)) as client:
        try:
            yield Api(client, harness, web, served)
        finally:
            client.blocking_portal.call(served.close)


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """`tsbot run` in its own process, with the built Mini App, for the browser tests."""
    assert (DEFAULT_DIST / "index.html").is_file(), "build the Mini App first: make (npm run build)"
    with live_server(sqlite_template, tmp_path, command="run") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for a module of browser tests: each of their pages has a context of its own (its own
    cookies and storage), as a fresh browser would. Not wider: between its calls Playwright's sync API leaves
    its event loop marked running, where the async tests of other modules could not start theirs."""
    with chromium() as launched:
        yield launched
