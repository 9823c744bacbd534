"""The optional LLM stage against the local OpenAI-compatible stand-in: used only when unsure, validated,
falling back to the first stages on a wrong, late or failed answer."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from nlp.pipeline import Pipeline
from tests.metrics import sample
from tests.standins.openai_server import OpenAIStandIn

UNSURE = "zorp the blorp with my btc by tuesday at 61000"  # the rules cannot read it: below the threshold


class Answers:
    def __init__(self) -> None:
        self.fields: dict[str, Any] | None = {"intent": "set_stop_loss", "symbol": "BTC", "stop_loss": 61000}

    def __call__(self, user_text: str) -> dict[str, Any] | None:
        return self.fields


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def server(answers: Answers) -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn(answers) as standin:
        yield standin


def _read_by_llm() -> float:
    return sample("tsbot_readings_total", stage="llm", intent="set_stop_loss")


def _pipeline(server: OpenAIStandIn, timeout: float = 5.0) -> Pipeline:
    return Pipeline(
        use_classifier=False, openai_base_url=server.base_url, openai_api_key="test", llm_timeout=timeout
    )


async def test_an_unsure_message_is_read_by_the_llm(server: OpenAIStandIn) -> None:
    answered, read = sample("tsbot_llm_calls_total", outcome="answered"), _read_by_llm()
    result = await _pipeline(server).aparse(UNSURE)
    assert sample("tsbot_llm_calls_total", outcome="answered") == answered + 1
    assert _read_by_llm() == read + 1
    assert (result.stage, result.intent, result.symbol) == ("llm", "set_stop_loss", "BTC")
    assert result.stop_loss == Decimal(61000)
    assert result.confidence <= 0.85
    assert server.requests[0]["tools"][0]["function"]["name"] == "LlmReading"
    assert UNSURE in str(server.requests[0]["messages"])


async def test_a_message_the_rules_read_never_reaches_the_llm(server: OpenAIStandIn) -> None:
    result = await _pipeline(server).aparse("buy 0.4 eth")
    assert result.stage == "rules" and result.intent == "place_order"
    assert server.requests == []


async def test_without_key_or_base_url_there_is_no_llm_stage(server: OpenAIStandIn) -> None:
    result = await Pipeline(use_classifier=False).aparse(UNSURE)
    assert result.stage == "rules" and server.requests == []


@pytest.mark.parametrize(
    "fields",
    [
        {"intent": "set_stop_loss", "symbol": "BTC", "stop_loss": 59000},  # a number the text does not hold
        {"intent": "price", "symbol": "SOL"},  # a symbol the text does not name
        {"intent": "teleport"},  # no such intent
        {"intent": "place_order", "symbol": "BTC", "amount": "lots"},  # not a number
        None,  # not JSON at all
    ],
)
async def test_an_answer_that_fails_validation_falls_back(
    server: OpenAIStandIn, answers: Answers, fields: dict[str, Any] | None
) -> None:
    answers.fields = fields
    result = await _pipeline(server).aparse(UNSURE)
    assert result.stage == "rules" and len(server.requests) == 1


async def test_a_late_answer_falls_back_after_the_timeout(server: OpenAIStandIn) -> None:
    server.delay = 2.0
    timeouts = sample("tsbot_llm_calls_total", outcome="timeout")
    result = await _pipeline(server, timeout=0.2).aparse(UNSURE)
    assert result.stage == "rules"
    assert sample("tsbot_llm_calls_total", outcome="timeout") == timeouts + 1


async def test_a_server_error_falls_back(server: OpenAIStandIn) -> None:
    server.status = 500
    failed = sample("tsbot_llm_calls_total", outcome="failed")
    result = await _pipeline(server).aparse(UNSURE)
    assert result.stage == "rules"
    assert sample("tsbot_llm_calls_total", outcome="failed") == failed + 1


async def test_the_llm_answer_is_checked_for_contradictions(server: OpenAIStandIn, answers: Answers) -> None:
    answers.fields = {
        "intent": "signal", "symbol": "BTC", "side": "buy", "entries": [61000], "stop_loss": 62000, "confidence": 1,
    }  # fmt: skip
    result = await _pipeline(server).aparse("zorp btc 61000 blorp 62000 glorp")
    assert result.stage == "llm" and result.entries == (Decimal(61000),)
    assert [f.code for f in result.flags] == ["stop_wrong_side"]


async def test_the_stand_in_also_answers_json_schema_structured_output(server: OpenAIStandIn) -> None:
    from langchain_openai import ChatOpenAI

    from nlp.llm import LlmReading

    chat = ChatOpenAI(model="standin-model", api_key="test", base_url=server.base_url, max_retries=0)
    reading = await chat.with_structured_output(LlmReading, method="json_schema").ainvoke(
        "move my btc stop to 61000"
    )
    assert (
        isinstance(reading, LlmReading) and reading.intent == "set_stop_loss" and reading.stop_loss == 61000
    )
    assert "response_format" in server.requests[0] and "tools" not in server.requests[0]
