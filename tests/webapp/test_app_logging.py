"""The web app keeps the process's logging as the command set it, and logs every server error it answers."""

import logging

import pytest
from litestar.testing import AsyncTestClient

from webapp.app import create_app


async def _broken() -> bool:
    raise RuntimeError("the health check itself broke")


async def test_the_process_log_level_stands_and_a_server_error_is_logged_a_client_error_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.WARNING)
    try:
        app = create_app(_broken)
        assert root.level == logging.WARNING  # Litestar's default would have set INFO on the root logger
        with caplog.at_level(logging.WARNING):
            async with AsyncTestClient(app) as client:
                assert (await client.get("/nowhere")).status_code == 404
                assert (await client.post("/health")).status_code == 405
                assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
                answer = await client.get("/health")
        assert answer.status_code == 500
        assert "the health check itself broke" not in answer.text  # the cause is logged, not shown
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "the health check itself broke" in caplog.text
    finally:
        root.setLevel(before)
