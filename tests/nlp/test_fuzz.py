"""Hypothesis fuzzing: random and mutated messages (over 10,000 in all) always give a sound result.

The rule stage takes the bulk (fast); the full pipeline, classifier included, takes a smaller share.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.jsonout import result_line
from nlp.pipeline import Pipeline
from nlp.result import INTENTS, ParseResult
from tests.nlp.scoring import DATA, SHARED_CORPUS, load

_SEEDS = [c["text"] for c in load(DATA / "messages.jsonl")]
if SHARED_CORPUS.exists():
    _SEEDS += [c["text"] for c in load(SHARED_CORPUS)]
_RULES = Pipeline(use_classifier=False)
_NASTY = [
    "\u202e", "\u200f", "\u200b", "\ufeff", "\x00", "\x1b[31m", "\r\n", "\t", "🚀" * 50, "🎯", "1️⃣", "𝐁𝐓𝐂",
    "٣٤٥", "שלום", "مرحبا", "9" * 60, "0." + "0" * 40 + "1", "1e308", "-5", "NaN", "Infinity", "$", "#", "/",
    "(", ")", "((((", "%", "x", "k", "TP1", "SL", "Entry:", "\\", '"', "{", "}", "​", "̈", "ﷺ", "\U0010ffff",
]  # fmt: skip
_FIELD_LINES = [
    "Entry:",
    "TP1:",
    "SL:",
    "Leverage:",
    "Targets:",
    "Stop:",
    "LONG",
    "SHORT",
    "#BTC/USDT",
    "buy",
    "at",
]


def _sound(result: ParseResult) -> None:
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0 and not math.isnan(result.confidence)
    numbers = [result.amount, result.price, result.stop_loss, result.leverage, result.threshold]
    for value in [*numbers, *result.entries, *result.targets]:
        assert value is None or (isinstance(value, Decimal) and value.is_finite())
    assert result.symbol is None or (result.symbol == result.symbol.upper() and result.symbol.strip())
    line = json.loads(result_line(1, result))
    assert line["intent"] == result.intent


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text: str = draw(st.sampled_from(_SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "drop_line", "swap_numbers"]))
        at = draw(st.integers(0, len(text)))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(_NASTY) | st.text(max_size=8)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 10)) :]
        elif action == "replace":
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        elif action == "repeat":
            text = text * draw(st.integers(2, 12))
        elif action == "drop_line":
            lines = text.split("\n")
            lines.pop(draw(st.integers(0, len(lines) - 1)))
            text = "\n".join(lines)
        else:
            number = draw(
                st.sampled_from(["0", "1e400", "9" * 200, "0.000000000000000001", "-3", "1,2,3", "5x"])
            )
            text = text[:at] + " " + number + " " + text[at:]
    return text


_BULK = settings(max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@_BULK
@given(_mutated())
def test_mutated_messages_always_give_a_sound_result(text: str) -> None:
    _sound(_RULES.parse(text))


@settings(max_examples=4000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(_NASTY + _FIELD_LINES), max_size=30).map(" ".join))
def test_random_text_always_gives_a_sound_result(text: str) -> None:
    _sound(_RULES.parse(text))


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    st.lists(st.sampled_from(_FIELD_LINES), max_size=8),
    st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.integers(), max_size=6),
)
def test_signal_shaped_messages_with_fields_missing(labels: list[str], numbers: list[object]) -> None:
    lines = [f"{label} {number}" for label, number in zip(labels, numbers, strict=False)] + labels[
        len(numbers) :
    ]
    _sound(_RULES.parse("\n".join(lines)))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_mutated() | st.text(max_size=120))
def test_full_pipeline_with_the_classifier_on_fuzzed_messages(full: Pipeline, text: str) -> None:
    _sound(full.parse(text))


def test_huge_messages_give_a_result_and_say_they_were_cut(rules: Pipeline) -> None:
    for text in [
        "1" * 100_000,
        "🚀" * 100_000,
        "(" * 100_000,
        "buy " * 25_000,
        "a/" * 50_000,
        "\u202e" * 100_000,
    ]:
        result = rules.parse(text)
        _sound(result)
        assert "text_truncated" in [f.code for f in result.flags]
