from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.lexer import INDEX, NUM, PAIR, TAG, tokenize


def _numbers(text: str) -> list[Decimal]:
    return [t.value for t in tokenize(text) if t.kind == NUM and t.value is not None]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("64,200", Decimal(64200)),
        ("64.2k", Decimal(64200)),
        ("$5.40", Decimal("5.4")),
        ("0,532", Decimal("0.532")),
        ("1,2630", Decimal("1.2630")),
        ("1,250,000.5", Decimal("1250000.5")),
        ("2.5m", Decimal(2500000)),
        (".5", Decimal("0.5")),
        ("three", Decimal(3)),
        ("two hundred", Decimal(200)),
        ("half", Decimal("0.5")),
        ("1/4", Decimal("0.25")),
        ("０.５", Decimal("0.5")),  # full-width digits fold to ASCII
    ],
)
def test_numbers_are_read_as_decimals(text: str, value: Decimal) -> None:
    assert _numbers(text) == [value]


def test_percent_leverage_and_time_marks() -> None:
    tokens = [t for t in tokenize("12.1% 20x x8 (15.0X) 4h 15m 10 percent") if t.kind == NUM]
    assert [t.percent for t in tokens] == [True, False, False, False, False, False, True]
    assert [t.leverage for t in tokens] == [False, True, True, True, False, False, False]
    assert [t.unit for t in tokens][4:6] == ["h", "m"]


def test_pairs_tags_and_words_that_only_look_like_pairs() -> None:
    tokens = tokenize("#BTC/USDT $DOT BTC-USDT stop-loss buy/sell s/l")
    kinds = [(t.kind, t.text) for t in tokens if t.kind != "punct"]
    assert kinds[:3] == [(PAIR, "#BTC/USDT"), (TAG, "$DOT"), (PAIR, "BTC-USDT")]
    assert [t.low for t in tokens if t.kind == "word"] == ["stop", "loss", "buy", "sell", "sl"]


def test_list_numbering_and_bracketed_asides_are_marked() -> None:
    tokens = tokenize("1) 2.380\n2. 7.81\nTP1: 0.735 (2%) (50 pips)\n1️⃣ 1.42")
    assert [t.value for t in tokens if t.kind == INDEX] == [1, 2, 1]
    ignored = [t.text for t in tokens if t.ignored and t.kind == NUM]
    assert ignored == ["2%", "50"]
    assert Decimal("1.42") in _numbers("1️⃣ 1.42")


def test_look_alike_letters_and_invisible_characters_are_folded() -> None:
    assert [t.text for t in tokenize("𝐁𝐓𝐂\u200b\u202eUSDT")] == ["BTCUSDT"]


def test_overlong_digit_runs_are_no_number() -> None:
    assert _numbers("9" * 400) == []
