"""Error reports to Sentry, against a local receiver of its envelopes: `tsbot run` with SENTRY_DSN reports a
failed API request with the user's id and a failed update with its id and the user's, and never a token, the
Mini App's init data or what the user wrote."""

import gzip
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import sqlite_copy
from tests.patience import PATIENCE_S
from tests.webapp.browser import ask_bot, sandbox_init_data
from tests.webapp.live import live_server

SECRET_WORDS = "all of them, codeword plum-7731"


class Envelopes:
    """What the receiver got: each envelope's items, parsed."""

    def __init__(self) -> None:
        self.raw: list[str] = []

    def events(self) -> list[dict[str, Any]]:
        found = []
        for envelope in self.raw:
            lines = envelope.splitlines()
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first event that is `wanted`, once it has arrived."""
        deadline = time.monotonic() + PATIENCE_S
        while not (found := [e for e in self.events() if wanted(e)]):
            if time.monotonic() > deadline:
                raise AssertionError(f"no such event among {len(self.events())} received")
            time.sleep(0.1)
        return found[0]


@pytest.fixture
def receiver() -> Iterator[tuple[str, Envelopes]]:
    got = Envelopes()

    class Receive(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            assert self.path == "/api/1/envelope/", self.path
            got.raw.append(body.decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://public-key@127.0.0.1:{server.server_address[1]}/1", got
    finally:
        server.shutdown()


def test_a_failed_request_and_a_failed_update_are_reported_without_private_data(
    tmp_path: Path, sqlite_template: Path, receiver: tuple[str, Envelopes]
) -> None:
    dsn, envelopes = receiver
    database = sqlite_copy(sqlite_template, tmp_path, "reported")
    with live_server(
        sqlite_template, tmp_path, command="run", DATABASE_URL=database, SENTRY_DSN=dsn
    ) as server:
        init_data = sandbox_init_data(server, 915)
        signed_in = httpx.post(
            f"{server}/api/v1/auth/telegram", json={"init_data": init_data}, timeout=PATIENCE_S
        )
        token = signed_in.json()["access_token"]
        me = httpx.get(
            f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=PATIENCE_S
        )
        user_id = str(me.json()["id"])
        with sqlite3.connect(database.removeprefix("sqlite:///")) as db:  # two tables, broken
            db.execute("ALTER TABLE alerts RENAME TO alerts_gone")
            db.execute("ALTER TABLE signal_sources RENAME TO signal_sources_gone")
        failed = httpx.get(
            f"{server}/api/v1/alerts", headers={"Authorization": f"Bearer {token}"}, timeout=PATIENCE_S
        )
        assert failed.status_code == 500
        web_event = envelopes.wait_for(lambda e: e.get("transaction", "").endswith("list_alerts"))
        answer = ask_bot(server, 915, f"/sources {SECRET_WORDS}")
        assert answer["text"].startswith("Something went wrong on our side")
        bot_event = envelopes.wait_for(lambda e: "update_id" in e.get("tags", {}))
    assert web_event["user"] == {"id": user_id}
    assert web_event["exception"]["values"][-1]["type"] == "OperationalError"
    assert web_event["request"]["url"].endswith("/api/v1/alerts") and "data" not in web_event["request"]
    assert bot_event["user"] == {"id": user_id}
    everything = "\n".join(envelopes.raw)
    for private in (token, init_data, "plum-7731", "Ada"):
        assert private not in everything, private
