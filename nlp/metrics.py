"""The reader's metrics: what each reading decided and how sure it was, and the LLM stage's calls. Labels are
bounded (a stage, an intent of the contract, an outcome), never the text or who wrote it. Built on the first use
(no registration at import)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter, Histogram

from nlp.result import ParseResult

CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
LLM_OUTCOMES = ("answered", "timeout", "failed")
LLM_BUCKETS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


@dataclass(frozen=True, slots=True)
class ReaderMetrics:
    readings: Counter
    asked_back: Counter
    confidence: Histogram
    llm_calls: Counter
    llm_seconds: Histogram


@cache
def reader_metrics() -> ReaderMetrics:
    return ReaderMetrics(
        readings=Counter(
            "tsbot_readings", "Texts read, by the stage that decided and the intent", ["stage", "intent"]
        ),
        asked_back=Counter(
            "tsbot_readings_asked_back",
            "Readings too unsure to act on: the user is asked what was meant",
            ["stage"],
        ),
        confidence=Histogram(
            "tsbot_reading_confidence",
            "The confidence of each reading",
            ["stage"],
            buckets=CONFIDENCE_BUCKETS,
        ),
        llm_calls=Counter("tsbot_llm_calls", "Calls to the LLM stage, by outcome", ["outcome"]),
        llm_seconds=Histogram(
            "tsbot_llm_call_seconds", "How long the LLM stage took to answer", buckets=LLM_BUCKETS
        ),
    )


def count_reading(result: ParseResult) -> ParseResult:
    metrics = reader_metrics()
    metrics.readings.labels(result.stage, result.intent).inc()
    metrics.confidence.labels(result.stage).observe(result.confidence)
    if result.should_ask_back:
        metrics.asked_back.labels(result.stage).inc()
    return result


@contextmanager
def llm_call() -> Iterator[None]:
    """Times a call to the LLM stage and counts it: answered, timed out or failed (re-raised)."""
    metrics = reader_metrics()
    started = time.perf_counter()
    outcome = "failed"
    try:
        yield
        outcome = "answered"
    except TimeoutError:
        outcome = "timeout"
        raise
    finally:
        metrics.llm_calls.labels(outcome).inc()
        metrics.llm_seconds.observe(time.perf_counter() - started)
