"""`tsbot parse`: JSON lines in and out (contract/parse.md), or one message explained for a person.

An LLM helps only where OPENAI_API_KEY or OPENAI_BASE_URL is set (OPENAI_MODEL names the model), the same
settings the bot reads; without them the command runs offline on the rules and the local classifier.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from nlp.jsonout import error_line, number_text, result_line
from nlp.pipeline import DEFAULT_LLM_MODEL, Pipeline
from nlp.result import ASK_BACK_THRESHOLD, ParseResult


def _pipeline() -> Pipeline:
    return Pipeline(
        openai_api_key=os.environ.get("OPENAI_API_KEY") or None,
        openai_base_url=os.environ.get("OPENAI_BASE_URL") or None,
        llm_model=os.environ.get("OPENAI_MODEL") or DEFAULT_LLM_MODEL,
    )


def _requests(lines: Iterable[str]) -> Iterator[tuple[object, str | None, str | None]]:
    """(id, text, error) for each non-blank input line."""
    for line in lines:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError as exc:
            yield None, None, f"invalid JSON: {exc}"
            continue
        if not isinstance(message, dict):
            yield None, None, "expected a JSON object"
            continue
        text = message.get("text")
        if not isinstance(text, str):
            yield message.get("id"), None, 'missing "text" string'
            continue
        yield message.get("id"), text, None


def run_jsonl(pipeline: Pipeline, source: TextIO, sink: TextIO, use_llm: bool = False) -> None:
    loop = asyncio.new_event_loop() if use_llm else None
    try:
        for message_id, text, error in _requests(source):
            if text is None:
                sink.write(error_line(message_id, error or "unreadable") + "\n")
                continue
            result = loop.run_until_complete(pipeline.aparse(text)) if loop else pipeline.parse(text)
            sink.write(result_line(message_id, result) + "\n")
    finally:
        if loop is not None:
            loop.close()


def explain(result: ParseResult) -> str:
    """A reading for a person: the fields that apply, the confidence and any doubt."""
    lines = [f"intent      {result.intent}   (confidence {result.confidence:.2f}, by {result.stage})"]
    for name, value in result.contract_fields().items():
        if name in ("intent", "confidence") or value is None or value == []:
            continue
        if isinstance(value, list):
            shown = ", ".join(number_text(v) for v in value)
        else:
            shown = number_text(value) if not isinstance(value, str) else value  # type: ignore[arg-type]
        lines.append(f"{name:<11} {shown}")
    for flag in result.flags:
        lines.append(f"warning     {flag.message}")
    if result.should_ask_back:
        why = "a contradiction" if result.flags else f"confidence under {ASK_BACK_THRESHOLD}"
        lines.append(f"the bot would ask back before acting ({why})")
        if result.alternatives:
            others = ", ".join(f"{a.intent} ({a.score:.2f})" for a in result.alternatives)
            lines.append(f"other readings: {others}")
    return "\n".join(lines)


def parse_command(jsonl: bool, text: str | None) -> int:
    pipeline = _pipeline()
    use_llm = bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))
    if jsonl:
        run_jsonl(pipeline, sys.stdin, sys.stdout, use_llm)
        return 0
    if text is None:
        print('usage: tsbot parse "a message"  or  tsbot parse --jsonl < messages.jsonl', file=sys.stderr)
        return 2
    result = asyncio.run(pipeline.aparse(text)) if use_llm else pipeline.parse(text)
    print(explain(result))
    return 0
