"""Layouts real channels use (tests/nlp/data/real), each on a short made-up post of its kind."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline


def _prices(values: tuple[Decimal, ...]) -> list[float]:
    return [float(v) for v in values]


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("ETHUSDT SELL\nTP 1 2324\nTP2 2322\nTP 3 2220\nSL 2338", [2324, 2322, 2220]),
        ("SELL EUR/USD\nTP 1, 1,08200\nTP2 1,08100\nSL 1,08800", [1.082, 1.081]),
        ("BUY BTC\nEntry 100\ntp 1 110\ntp 2 120\nsl 90", [110, 120]),
    ],
)
def test_a_target_s_number_before_its_price_is_no_target(
    rules: Pipeline, text: str, targets: list[float]
) -> None:
    result = rules.parse(text)
    assert result.intent == "signal"
    assert _prices(result.targets) == targets


def test_small_whole_targets_counting_up_stay_targets(rules: Pipeline) -> None:
    result = rules.parse("#XYZ long\nEntry 0.5\nTP 1, 2, 3\nSL 0.4")
    assert _prices(result.targets) == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "symbol", "quote"),
    [
        ("Buy EUR USD 1.0754\nSL 1.0700\nTP 1.0800", "EUR", "USD"),
        ("Gbp cad @ 1.7500\nsl 1.7400\ntp 1.7600", "GBP", "CAD"),
        ("ADA  / USDT\nLONG : 0.38\nTARGET 1 : 0.43\nSTOP : 0.28", "ADA", "USDT"),
        ("#ETH #ETHUSD (SHORT)\nEntry 2265-2340\nTargets 2151 - 2090\nStop Loss 2450", "ETH", "USD"),
    ],
)
def test_a_pair_written_apart_or_repeated_gives_its_quote(
    rules: Pipeline, text: str, symbol: str, quote: str
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.symbol, result.quote) == ("signal", symbol, quote)


@pytest.mark.parametrize(
    "text",
    [
        "EURUSD BUY\nEntry Zone: 1.0800-1.0810\nStop loss: 1.0700\nTake Profit 1: 1.0850\n\n"
        "Please use 0.01 lot size for each 200 balance",
        "BUY EURUSD\n@ 1.0800\nSl 1.0700\nTp 1.0850\n\nLotsize 1.5(2.5)",
    ],
)
def test_a_lot_size_is_no_price(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert _prices(result.targets) == [1.085]
