"""Follow-ups to an earlier signal: reports open nothing, instructions are the commands they give."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline


@pytest.mark.parametrize(
    ("text", "intent", "update", "symbol"),
    [
        ("#BTC/USDT Take-Profit target 1 ✅ Profit: 5.2% Period: 2 Hours", "unknown", "target_hit", "BTC"),
        ("All targets achieved on #LINK 🔥", "unknown", "target_hit", "LINK"),
        ("Цель 1 достигнута BTC", "unknown", "target_hit", "BTC"),
        ("ETH stop loss hit", "unknown", "stop_hit", "ETH"),
        ("#SOL entry filled", "unknown", "entry_filled", "SOL"),
        ("Close ETH now", "close_position", "close", "ETH"),
        ("Cancel the BTC signal, not triggered", "cancel_order", "cancel", "BTC"),
        ("SL to entry", "set_stop_loss", "move_stop_to_entry", None),
        ("Move stop to break even on SOL", "set_stop_loss", "move_stop_to_entry", "SOL"),
    ],
)
def test_a_follow_up_is_read_with_what_it_asks(
    rules: Pipeline, text: str, intent: str, update: str, symbol: str | None
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.update, result.symbol) == (intent, update, symbol)
    assert result.confidence >= 0.85 and result.stop_loss is None
    assert result.contract_fields()["update"] == update


def test_a_stop_moved_to_a_price_carries_it(rules: Pipeline) -> None:
    result = rules.parse("Move SL to 3,100")
    assert (result.intent, result.update, result.stop_loss) == ("set_stop_loss", "move_stop", Decimal(3100))


@pytest.mark.parametrize(
    "text",
    [
        "close my eth",
        "cancel my eth order",
        "set my eth stop to 3000",
        "buy 1 eth stop 3000",
        "#BTC/USDT LONG\nEntry 64000\nTargets 65000 66000\nStop 63000",
    ],
)
def test_a_trader_s_own_command_or_a_new_signal_is_no_follow_up(rules: Pipeline, text: str) -> None:
    assert rules.parse(text).update is None


def test_a_partial_close_said_as_a_follow_up_stays_a_sale_of_that_share(rules: Pipeline) -> None:
    result = rules.parse("close half my btc")
    assert (result.intent, result.amount, result.amount_unit) == ("place_order", Decimal(50), "percent")
