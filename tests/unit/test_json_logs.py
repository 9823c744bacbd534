"""The log's JSON lines: one object a line, with the web request's id or the Telegram update's where one is being
served, and the error's trace."""

import json
import logging

from bot.observability import JsonLines
from trading import log_context


def _line(record: logging.LogRecord) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(JsonLines().format(record))
    return parsed


def test_a_line_carries_the_request_or_update_it_was_written_for() -> None:
    record = logging.LogRecord("tsbot.web", logging.INFO, __file__, 1, "GET %s %d", ("/api/v1/me", 200), None)
    assert "request_id" not in _line(record) and "update_id" not in _line(record)
    token = log_context.request_id.set("req-42")
    try:
        line = _line(record)
    finally:
        log_context.request_id.reset(token)
    assert line["message"] == "GET /api/v1/me 200" and line["request_id"] == "req-42"
    assert line["level"] == "INFO" and line["logger"] == "tsbot.web" and str(line["time"]).endswith("+00:00")
    token_update = log_context.update_id.set(7001)
    try:
        assert _line(record)["update_id"] == 7001
    finally:
        log_context.update_id.reset(token_update)


def test_an_error_line_carries_its_trace() -> None:
    try:
        raise ValueError("boom")
    except ValueError as error:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), (ValueError, error, None))
    assert "ValueError: boom" in str(_line(record)["error"])
