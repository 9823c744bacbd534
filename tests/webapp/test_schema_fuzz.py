"""Schemathesis against the OpenAPI schema of a running `tsbot web`, one on each enabled database: no request it
generates, valid or hostile, gets a server error, and every refusal says why in a sentence. Bounded per operation
and derandomized (the same cases every run), so that a failure is the code's and not the draw's; the decimals'
pattern in the document has it send numbers of every size where a decimal goes. Each case is drawn once and sent
to every database's app: drawing them costs as much as sending them. The fuzzed user
holds a futures position, and the position's actions are fuzzed again on it (their path naming it), so that
their bodies reach the drafting of a real close, reduction or stop."""

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from tests.databases import POSTGRES_URL, backends, truncate_postgres
from tests.webapp.live import BOT_TOKEN, live_server
from webapp.init_data import sign_init_data

EXAMPLES_PER_OPERATION = 100
STREAM = "/api/v1/stream"  # fuzzed too, its length bounded: at most 2 rounds, 0.2 s apart
POSITIONS = "/api/v1/futures/positions"
HELD = "ETH"  # the fuzzed user's futures position
# The kill switch and the protections of automatic following: previews, confirmations, pause and resume.
PROTECTIONS = {
    "/api/v1/kill-switch/close-all/preview",
    "/api/v1/kill-switch/close-all/confirm",
    "/api/v1/kill-switch/cancel-all/preview",
    "/api/v1/kill-switch/cancel-all/confirm",
    "/api/v1/protections",
    "/api/v1/protections/pause",
    "/api/v1/protections/resume",
    "/api/v1/protections/settings",
}


def _bounded(case: Any) -> None:
    """The event stream runs `count` rounds `every` seconds apart: a valid count or pause is cut down to a
    short one; an invalid one (the point of a negative case) is left for the server to refuse."""
    if case.path != STREAM:
        return
    if case.query is None:
        case.query = {}
    query = case.query
    try:
        if int(str(query.get("count", 100_000))) > 2:
            query["count"] = 2
    except ValueError:
        pass
    try:
        if float(str(query.get("every", 2.0))) > 0.2:
            query["every"] = 0.2
    except ValueError:
        pass


@dataclass(frozen=True)
class Live:
    """`tsbot web` on one database, and the fuzzed user's authorization there."""

    backend: str
    base: str
    headers: dict[str, str]


@pytest.fixture
def lives(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[list[Live]]:
    """The app on each enabled database: PostgreSQL's integers and numerics have bounds SQLite's have not."""
    with contextlib.ExitStack() as stack:
        started: list[Live] = []
        for backend in backends():
            settings = {}
            if backend == "postgres":
                request.getfixturevalue("postgres_schema")
                asyncio.run(truncate_postgres(POSTGRES_URL))
                settings = {"DATABASE_URL": POSTGRES_URL}
            folder = tmp_path / backend
            folder.mkdir()
            base = stack.enter_context(
                live_server(
                    sqlite_template, folder, RATE_LIMIT_PER_IP="0", RATE_LIMIT_PER_USER="0", **settings
                )
            )
            init_data = sign_init_data(BOT_TOKEN, {"id": 4242, "first_name": "Fuzz"}, int(time.time()))
            tokens = httpx.post(f"{base}/api/v1/auth/telegram", json={"init_data": init_data}).json()
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            _hold_a_short(base, headers)
            started.append(Live(backend, base, headers))
        yield started


def _hold_a_short(base: str, headers: dict[str, str]) -> None:
    """A 1x short of ETH on the user's paper futures account: a position for its actions to act on."""
    body = {"symbol": HELD, "side": "sell", "amount": "0.5", "position": "short"}
    draft = httpx.post(f"{base}/api/v1/orders/preview", headers=headers, json=body)
    assert draft.status_code == 201, draft.text
    order = httpx.post(
        f"{base}/api/v1/orders/confirm", headers=headers, json={"draft_id": draft.json()["draft_id"]}
    )
    assert order.json()["status"] == "filled", order.text


def _fuzz(operation: Any, lives: list[Live], statuses: dict[str, list[int]], errors: list[str]) -> None:
    """Positive and negative cases of one operation, each sent to every app; where `HELD` is given, its
    position path names it."""
    cases = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case: Any) -> None:
        _bounded(case)
        for live in lives:
            response = case.call(base_url=live.base, headers=live.headers, timeout=30)
            statuses[live.backend].append(response.status_code)
            if response.status_code >= 500 or (response.status_code >= 400 and not _says_why(response)):
                errors.append(
                    f"{live.backend}: {case.method} {case.formatted_path} {case.body!r}: {response.text[:200]}"
                )

    no_server_error()


def _says_why(response: Any) -> bool:
    """A refusal's body names its cause: a `detail` sentence."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return False
    return isinstance(detail, str) and len(detail) > 10


class _OnHeld:
    """An operation on a position whose cases name the held one in their path."""

    def __init__(self, operation: Any) -> None:
        self._operation = operation

    def as_strategy(self, mode: schemathesis.GenerationMode) -> st.SearchStrategy[Any]:
        cases: st.SearchStrategy[Any] = self._operation.as_strategy(mode)
        return cases.map(self._held)

    @staticmethod
    def _held(case: Any) -> Any:
        case.path_parameters = {**(case.path_parameters or {}), "base": HELD}
        return case


def test_no_server_error_for_any_generated_request(lives: list[Live]) -> None:
    schema = schemathesis.openapi.from_url(f"{lives[0].base}/api/v1/openapi.json")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation's schema is valid"
    assert len(operations) > 15
    errors: list[str] = []
    statuses: dict[str, list[int]] = {live.backend: [] for live in lives}
    for operation in operations:
        _fuzz(operation, lives, statuses, errors)
    assert errors == []
    paths = {operation.path for operation in operations}
    assert STREAM in paths
    assert {POSITIONS, *(f"{POSITIONS}/{{base}}/{action}" for action in ("close", "reduce", "stop"))} <= paths
    assert paths >= PROTECTIONS
    # It did reach the handlers: successes and refusals both, not only one kind of answer.
    for answered in statuses.values():
        assert len(answered) > 500 and {200, 201} & set(answered) and {400, 401, 404} & set(answered)

    on_held: dict[str, list[int]] = {live.backend: [] for live in lives}
    for operation in operations:
        if operation.path.startswith(f"{POSITIONS}/{{base}}/"):
            _fuzz(_OnHeld(operation), lives, on_held, errors)
    assert errors == []
    for answered in on_held.values():
        assert answered.count(201) > 10 and 400 in answered  # previews of real actions, and refusals
