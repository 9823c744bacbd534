"""Orders that repeat or are spread over time are read as such, and never taken for one order."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from nlp.pipeline import Pipeline
from nlp.schedules import Repeat, read_repeat, read_spread


@pytest.mark.parametrize(
    ("text", "repeat"),
    [
        ("buy 50 usdt of btc every monday", Repeat("week", weekday=0)),
        ("dca 100 usdt into eth weekly for 10 weeks", Repeat("week", runs=10)),
        ("buy 0.01 btc every day at 9:00", Repeat("day", at=time(9, 0))),
        ("buy btc every 4 hours for 6 times", Repeat("hour", interval=4, runs=6)),
        ("buy eth on fridays at 8pm", Repeat("week", weekday=4, at=time(20, 0))),
        ("every day at 12am send my pnl", Repeat("day", at=time(0, 0))),
        ("send me a weekly summary every monday at 8", Repeat("week", weekday=0, at=time(8, 0))),
        ("buy 10 usdt of eth weekly on fridays", Repeat("week", weekday=4)),
    ],
)
def test_a_schedule_is_read_as_written(text: str, repeat: Repeat) -> None:
    assert read_repeat(text) == repeat


@pytest.mark.parametrize("text", ["buy 0.1 eth", "buy eth at 3000", "sell 1 eth at 3000 in an hour"])
def test_no_schedule_where_none_is_named(text: str) -> None:
    assert read_repeat(text) is None


def test_a_span_to_spread_an_order_over() -> None:
    assert read_spread("sell 1 eth over 2 hours") == timedelta(hours=2)
    assert read_spread("sell 1 eth at 3000") is None


@pytest.mark.parametrize(
    "text",
    [
        "buy 50 usdt of btc every monday",
        "dca 100 usdt into eth weekly for 10 weeks",
        "sell 1 eth over 2 hours",
    ],
)
def test_a_recurring_or_spread_order_is_read_as_a_plan(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert result.intent == "place_order"
    assert not result.should_ask_back, result.flags
    assert result.repeat is not None or result.spread_over is not None
