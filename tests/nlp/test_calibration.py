"""Calibration: no wrong reading is confident enough to be followed without asking, on any labelled corpus.

A signal is followed automatically only at nlp.result.AUTO_FOLLOW_THRESHOLD or above with no flag. The
classifier stage never reaches that threshold (it is capped below it), so the readings that could be acted on
at once are the rule stage's, and the rule stage alone is run here. The held-out real source is scored like
the others (never tuned on): only its count of confident mistakes is reported, not which messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nlp.jsonout import result_line
from nlp.pipeline import MAX_CLASSIFIER_CONFIDENCE, Pipeline
from nlp.result import AUTO_FOLLOW_THRESHOLD
from tests.nlp.scoring import HELD_OUT, confident_mistakes, corpora

CORPORA = corpora()


def _reader(pipeline: Pipeline) -> Any:
    def read(text: str) -> tuple[dict[str, Any], float, bool]:
        result = pipeline.parse(text)
        return json.loads(result_line(None, result)), result.confidence, bool(result.flags)

    return read


def test_the_classifier_never_reaches_the_threshold() -> None:
    assert MAX_CLASSIFIER_CONFIDENCE < AUTO_FOLLOW_THRESHOLD


def test_every_real_source_is_checked() -> None:
    assert f"real/{HELD_OUT}" in CORPORA
    assert sum(1 for name in CORPORA if name.startswith("real/")) >= 6


# The held-out source still has confident mistakes (the bench counts them). It may not be tuned on, so they
# are not looked at one by one: the case fails until general doubts (nlp.doubts) remove them, and then this
# mark, strict, fails too, to be taken off.
_HELD_OUT_GAP = pytest.mark.xfail(
    strict=True, reason="the held-out real source keeps some confident mistakes; see bench.nlp"
)


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=_HELD_OUT_GAP) if n == f"real/{HELD_OUT}" else n for n in sorted(CORPORA)],
)
def test_no_confident_mistake(rules: Pipeline, name: str) -> None:
    wrong = confident_mistakes(CORPORA[name], _reader(rules), AUTO_FOLLOW_THRESHOLD)
    shown = "(held out: not listed)" if name == f"real/{HELD_OUT}" else wrong
    count = len(wrong)
    assert count == 0, (
        f"{count} wrong readings at confidence >= {AUTO_FOLLOW_THRESHOLD} with no flag: {shown}"
    )
