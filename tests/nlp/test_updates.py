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


@pytest.mark.parametrize(
    ("text", "intent", "update"),
    [
        ("DOTUSDT\nALVO 1: 4.55 WWW\nALVO 2: 4.61 WWW", "unknown", "target_hit"),
        ("DOTUSDT\nTP1: 4.55 ✅", "unknown", "target_hit"),
        ("+30pips ✅", "unknown", "target_hit"),
        ("Tocó tp2", "unknown", "target_hit"),
        ("DOTUSDT\nSTOP LOSS: 4.20 LLL", "unknown", "stop_hit"),
        ("SL", "unknown", "stop_hit"),
        ("DOTUSDT\nALVO 1: 4.55 WWW\n\nOPERAÇÃO ENCERRADA", "close_position", "close"),
        (
            "DOTUSDT\nALVO 1: 4.55 WWW\nFaça uma parcial e suba seu stop para 4.40",
            "set_stop_loss",
            "move_stop",
        ),
        ("Cerramos +20pips", "close_position", "close"),
        ("Movemos SL a 2317", "set_stop_loss", "move_stop"),
        ("Movemos SL al punto de entrada", "set_stop_loss", "move_stop_to_entry"),
        ("SL a entrada", "set_stop_loss", "move_stop_to_entry"),
        ("Переносим стоп в б/у", "set_stop_loss", "move_stop_to_entry"),
        ("Вышел в б/у", "close_position", "close"),
        ("Trade closed ✅", "close_position", "close"),
        ("CLOSED", "close_position", "close"),
        ("#DOT/USDT Closed due to opposite direction signal", "close_position", "close"),
        ("#DOT/USDT Cancelled ❌\nTarget achieved before entering the entry zone", "cancel_order", "cancel"),
        ("#DOT/USDT All entry targets achieved\nAverage Entry Price: 4.49", "unknown", "entry_filled"),
        ("Signal Activated\nDOTUSDT @ 4.49", "unknown", "entry_filled"),
        ("Trailing Stop Activated\nDOTUSDT @ 4.60\nSL: 4.50", "set_stop_loss", "move_stop"),
    ],
)
def test_follow_ups_as_channels_write_them(rules: Pipeline, text: str, intent: str, update: str) -> None:
    result = rules.parse(text)
    assert (result.intent, result.update) == (intent, update)


def test_a_full_signal_that_reports_progress_is_asked_back(rules: Pipeline) -> None:
    result = rules.parse("BUY DOTUSDT Entry: 4.40\nSL: 4.20\nTP1: 4.55 ✅ HIT\nTP2: 4.70")
    assert result.intent == "signal"
    assert result.confidence < 0.9


@pytest.mark.parametrize(
    ("text", "intent", "update"),
    [
        ("#DOT/USDT Closed at trailing stoploss after reaching take profit", "unknown", "stop_hit"),
        ("#DOT Entry 1 ✅", "unknown", "entry_filled"),
        ("Update: #DOT closed in profit +5%", "close_position", "close"),
        ("#DOT/USDT Manually Cancelled", "cancel_order", "cancel"),
    ],
)
def test_more_follow_ups_of_crypto_channels(rules: Pipeline, text: str, intent: str, update: str) -> None:
    result = rules.parse(text)
    assert (result.intent, result.update) == (intent, update)


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("+40 pips ✅", "target_hit"),
        ("Total rango = +250 pips ✅", None),
        ("-130 pips +100 pips = -30 pips ❌", None),
        ("Set Breakeven at lower part", "move_stop_to_entry"),
        ("Managing risk by moving most stops from top to BE", "move_stop_to_entry"),
    ],
)
def test_pips_tallies_and_breakeven_phrasings(rules: Pipeline, text: str, update: str | None) -> None:
    assert rules.parse(text).update == update


def test_a_signal_post_saying_all_targets_hit_is_a_report(rules: Pipeline) -> None:
    result = rules.parse("#BTC/USDT ✅ All targets hit\nEntry: 60000\nTP1 61000 ✅\nTP2 62000 ✅\nSL 59000")
    assert (result.intent, result.update) == ("unknown", "target_hit")


def test_a_recap_of_several_trades_opens_none(rules: Pipeline) -> None:
    result = rules.parse(
        "SIGNAL RECAP 📊\n#SOL LONG 145 -> 160 (+10.3%)\n#AVAX SHORT 38 -> 35 (+7.9%)\n#LINK LONG 14 -> 13.2 (SL)"
    )
    assert result.intent == "unknown"
