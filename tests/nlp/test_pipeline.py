"""The pipeline's stages: rules alone where sure, the classifier (in a worker thread) where not."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.intents import SURE, small_talk
from nlp.pipeline import Pipeline
from nlp.result import ASK_BACK_THRESHOLD, Side


def test_importing_the_pipeline_loads_no_model_and_no_llm_client() -> None:
    code = (
        "import sys; from nlp.pipeline import Pipeline; from nlp.cli import parse_command; "
        "p = Pipeline(); p.parse('buy 0.4 eth'); "
        "print(sorted(m for m in ('torch', 'transformers', 'langchain_openai', 'openai') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_sure_rule_reading_does_not_load_the_classifier() -> None:
    pipeline = Pipeline()
    assert pipeline.parse("cancel every order").intent == "cancel_order"
    assert not pipeline.classifier_loaded


def test_an_unsure_message_is_decided_with_the_classifier(full: Pipeline) -> None:
    result = full.parse("what am I sitting on right now")
    assert full.classifier_loaded and result.stage == "classifier" and result.intent == "portfolio"
    assert result.alternatives and all(a.intent != "portfolio" for a in result.alternatives)


async def test_aparse_runs_the_classifier_off_the_event_loop(full: Pipeline) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    results = await asyncio.gather(
        *(full.aparse(t) for t in ["show me what I've got", "how's bitcoin doing"])
    )
    task.cancel()
    assert [r.intent for r in results] == ["portfolio", "price"]
    assert ticks > 0


async def test_with_the_model_in_the_background_no_reply_waits_for_it() -> None:
    pipeline = Pipeline(model_in_background=True)
    first = await pipeline.aparse("what am I sitting on right now")
    assert first.stage == "rules" and not pipeline.classifier_loaded  # answered before the load began
    await pipeline.load_classifier()  # the load the first message started, waited for here
    later = await pipeline.aparse("what am I sitting on right now")
    assert later.stage == "classifier" and later.intent == "portfolio"


async def test_a_model_that_fails_to_load_leaves_the_rules_answering(tmp_path: Path) -> None:
    pipeline = Pipeline(model_dir=tmp_path, model_in_background=True)  # an empty folder: no model there
    first = await pipeline.aparse("what am I sitting on right now")
    with pytest.raises((OSError, ValueError)):  # as transformers refuses a folder with no model
        await pipeline.load_classifier()
    second = await pipeline.aparse("what am I sitting on right now")
    assert first.stage == second.stage == "rules" and not pipeline.classifier_loaded
    assert pipeline.parse("buy 0.4 eth").intent == "place_order"


def test_gibberish_is_unknown_and_asks_back_only_when_unsure(full: Pipeline) -> None:
    assert full.parse("qwertyuiop").intent == "unknown"
    unsure = full.parse("the thing with the stuff")
    assert unsure.intent == "unknown" or unsure.confidence < ASK_BACK_THRESHOLD


def test_a_share_of_my_balance_is_the_size_of_an_order_not_a_portfolio_question(rules: Pipeline) -> None:
    readings: list[tuple[str, Side, int]] = [
        ("buy eth with 10% of my balance", "buy", 10),
        ("put half of my portfolio into eth", "buy", 50),
        ("sell 25% of my holdings of sol", "sell", 25),
    ]
    for text, side, share in readings:
        verdict, _, result = rules.read_rules(text)
        assert verdict.confidence >= SURE, (text, verdict)  # decided by the rules: no question back
        assert result.intent == "place_order" and result.side == side, text
        assert result.amount == share and result.amount_unit == "percent", text
    assert rules.parse("what is 10% of my balance").intent == "portfolio"  # no verb: still a question


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", "greeting"),
        ("Good morning!", "greeting"),
        ("ok", "greeting"),
        ("Thanks!", "thanks"),
        ("thank you so much", "thanks"),
        ("thx", "thanks"),
        ("buy eth", None),
        ("asdf qwerty", None),
    ],
)
def test_small_talk_is_told_apart_from_text_that_is_not_understood(
    rules: Pipeline, text: str, kind: str | None
) -> None:
    assert small_talk(text) == kind
    if kind is not None:
        assert rules.parse(text).intent == "unknown"  # answered in kind, never traded
