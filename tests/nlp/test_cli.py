"""`tsbot parse` as the contract fixes it: JSON lines in order, errors inline, exit 0; a readable explanation."""

from __future__ import annotations

import io
import json

import pytest

from nlp.cli import explain, parse_command, run_jsonl
from nlp.pipeline import Pipeline


def test_jsonl_echoes_ids_in_order_and_reports_bad_lines(rules: Pipeline) -> None:
    source = io.StringIO(
        '{"id": 7, "text": "buy 0.4 eth"}\nnot json\n[1, 2]\n{"id": "x"}\n\n'
        '{"id": {"k": 1}, "text": "LONG $FLOKI\\nEntry: 0.0001820\\nTP: 0.0001900\\nSL: 0.0001745"}\n'
    )
    sink = io.StringIO()
    run_jsonl(rules, source, sink)
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [line["id"] for line in lines] == [7, None, None, "x", {"k": 1}]
    assert lines[0]["intent"] == "place_order" and lines[0]["amount"] == 0.4
    assert "error" in lines[1] and "error" in lines[2] and "error" in lines[3]
    assert lines[4]["entries"] == [0.000182] and lines[4]["stop_loss"] == 0.0001745
    assert set(lines[0]) >= {"intent", "symbol", "quote", "side", "order_type", "amount", "amount_unit", "price",
                             "entries", "targets", "stop_loss", "leverage", "condition", "threshold", "confidence"}  # fmt: skip


def test_numbers_are_written_exactly(rules: Pipeline) -> None:
    sink = io.StringIO()
    run_jsonl(
        rules, io.StringIO('{"id": 1, "text": "Going short on BONK here 0.0000262, stops 0.0000275"}\n'), sink
    )
    assert '"entries": [0.0000262]' in sink.getvalue()


def test_explain_shows_fields_doubt_and_alternatives(rules: Pipeline) -> None:
    text = explain(rules.parse("#BTC LONG entry 65000 tp 66000 sl 66500"))
    assert "signal" in text and "stop 66500 is not below the entry" in text and "ask back" in text


def test_parse_command_prints_a_reading(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_command(jsonl=False, text="ping me when doge hits 0.2") == 0
    out = capsys.readouterr().out
    assert "set_alert" in out and "cross" in out and "0.2" in out
