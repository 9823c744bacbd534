"""Contradictions are flagged and the numbers kept as written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline


def _codes(pipeline: Pipeline, text: str) -> list[str]:
    return [flag.code for flag in pipeline.parse(text).flags]


def test_stop_on_the_wrong_side_is_flagged_not_fixed(rules: Pipeline) -> None:
    result = rules.parse("#BTC/USDT LONG\nEntry: 65000\nTP: 66000 / 67000\nSL: 66500")
    assert "stop_wrong_side" in [f.code for f in result.flags]
    assert result.stop_loss == Decimal(66500) and result.should_ask_back


def test_targets_out_of_order_for_the_side(rules: Pipeline) -> None:
    assert "targets_out_of_order" in _codes(rules, "ETH short 3600 tp 3500 / 3550 / 3400 sl 3700")


def test_target_on_the_wrong_side_of_the_entry(rules: Pipeline) -> None:
    assert "target_wrong_side" in _codes(rules, "SOL long 150 tp 140 sl 145")


def test_extreme_leverage_is_flagged_and_kept(rules: Pipeline) -> None:
    result = rules.parse("#DOGE LONG entry 0.15 tp 0.16 sl 0.14 leverage 500x")
    assert result.leverage == Decimal(500) and "leverage_extreme" in [f.code for f in result.flags]


def test_a_sound_signal_has_no_flags(rules: Pipeline) -> None:
    result = rules.parse("SOLUSDT LONG\nEntry zone 151-153\nTP1 156\nTP2 160\nSL 146\nLev 10x")
    assert result.flags == () and not result.should_ask_back


def test_an_order_with_a_stop_above_its_limit_buy_price(rules: Pipeline) -> None:
    assert "stop_wrong_side" in _codes(rules, "buy 1 eth at 3000 stop loss 3100")


@pytest.mark.parametrize(
    "text", ["buy -5 eth", "buy 1 eth at -100", "sell -0.5 btc", "alert me if btc drops below -100"]
)
def test_a_minus_sign_on_an_amount_or_a_price_is_flagged_not_dropped(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert "negative_number" in [f.code for f in result.flags] and result.should_ask_back


@pytest.mark.parametrize(
    "text",
    ["buy 1 btc at 60000 - 61000", "#AVAX short\nSell: 38.4 - 39.0\nTP 37.2-36.1\nSL 40.3", "buy 2 sol"],
)
def test_a_dash_in_a_range_is_no_minus_sign(rules: Pipeline, text: str) -> None:
    assert "negative_number" not in _codes(rules, text)
