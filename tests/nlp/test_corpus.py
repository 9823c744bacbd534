"""Accuracy on labelled messages, scored as the contract scores them (rules alone, then with the classifier)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nlp.jsonout import result_line
from nlp.pipeline import Pipeline
from tests.nlp.scoring import DATA, HELD_OUT, SHARED_CORPUS, load, real_sources, score


def _parser(pipeline: Pipeline) -> Any:
    return lambda text: json.loads(result_line(None, pipeline.parse(text)))


@pytest.mark.skipif(not SHARED_CORPUS.exists(), reason="shared/corpus is not beside the repository")
def test_examples_corpus_meets_the_targets_with_rules_alone(rules: Pipeline) -> None:
    result = score(load(SHARED_CORPUS), _parser(rules))
    assert result.intent >= 0.99 and result.exact >= 0.97, result.misses


def test_own_messages_in_other_styles(rules: Pipeline) -> None:
    cases = load(DATA / "messages.jsonl")
    assert len(cases) >= 140
    result = score(cases, _parser(rules))
    assert result.intent >= 0.97 and result.exact >= 0.95, result.misses


def test_classifier_adds_accuracy_on_paraphrases(rules: Pipeline, full: Pipeline) -> None:
    cases = load(DATA / "paraphrases.jsonl")
    without = score(cases, _parser(rules))
    with_classifier = score(cases, _parser(full))
    assert with_classifier.intent > without.intent + 0.05, (without, with_classifier)
    assert with_classifier.exact >= 0.8, with_classifier.misses


def test_holdout_messages_written_apart_from_the_rules(full: Pipeline) -> None:
    result = score(load(DATA / "holdout.jsonl"), _parser(full))
    assert result.intent >= 0.95 and result.exact >= 0.93, result.misses


def test_real_posts_of_the_tuning_sources(rules: Pipeline) -> None:
    """The real-world posts (tests/nlp/data/real) other than the held-out source, rules alone."""
    cases = [c for name, source in real_sources().items() if name != HELD_OUT for c in source]
    assert len(cases) >= 300
    result = score(cases, _parser(rules))
    assert result.intent >= 0.92 and result.exact >= 0.89, result.misses
