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


@pytest.mark.parametrize(
    ("text", "symbol", "side", "entries"),
    [
        ("EURUSD SELL", "EUR", "sell", []),
        ("GOLD BUY NOW", "XAU", "buy", []),
        ("gold sell 2399.5", "XAU", "sell", [2399.5]),
        ("Buy 2626 XAUUSD\nEntrada 2626\nSL 2616", "XAU", "buy", [2626]),
    ],
)
def test_a_forex_or_metal_call_without_a_size_is_a_signal_asked_back(
    rules: Pipeline, text: str, symbol: str, side: str, entries: list[float]
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.symbol, result.side) == ("signal", symbol, side)
    assert _prices(result.entries) == entries
    assert result.confidence < 0.9


@pytest.mark.parametrize("text", ["sell 1 sol", "buy 0.5 xauusd", "buy 2 eurusd"])
def test_a_call_with_a_size_is_an_order(rules: Pipeline, text: str) -> None:
    assert rules.parse(text).intent == "place_order"


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Buy XAUUSD rango corto\nEntrada 2514\nSl 2506", "buy"),
        ("#ETH short term view\nLONG\nEntry 2000\nTP 2100\nSL 1900", "buy"),
    ],
)
def test_short_or_long_naming_a_term_or_range_is_no_side(rules: Pipeline, text: str, side: str) -> None:
    assert rules.parse(text).side == side


@pytest.mark.parametrize(
    ("text", "entries", "targets"),
    [
        ("Sell Gold 2605.5 - 2601.5\nStop Loss 2609.5\nTP1 2600\nTP2 Open (2594 / 2592)", [2605.5, 2601.5],
         [2600, 2594, 2592]),
        ("Sell XAUUSD\n2497-2506\n\n1 Entrada 2497\nSl :2506\nTP 2490", [2497], [2490]),
        ("#DOTUSDT (Long X5)\n💰 4.74\nEntry Zone\n1) 4.70\n2) 4.60\nTargets: 4.80 4.90\nStop 4.40", [4.7, 4.6],
         [4.8, 4.9]),
        ("#DOTUSDT Long\nEntry Zone 4.70 4.60\nAverage Entry 4.65\nTargets: 4.80\nStop 4.40", [4.7, 4.6], [4.8]),
        ("DOT/USDT #LONG\nTargets: 4.80 - 4.90\nGet in : 4.70 - 4.60\nSL: 4.40", [4.7, 4.6], [4.8, 4.9]),
        ("CHFJPY\nSell!\nE: 185.900\nTp: 182.900 ( 300 pips )\nSl: 186.400", [185.9], [182.9]),
    ],
)  # fmt: skip
def test_entries_and_targets_of_real_layouts(
    rules: Pipeline, text: str, entries: list[float], targets: list[float]
) -> None:
    result = rules.parse(text)
    assert result.intent == "signal"
    assert sorted(_prices(result.entries)) == sorted(entries)
    assert _prices(result.targets) == targets


@pytest.mark.parametrize(
    ("text", "symbol", "quote"),
    [
        ("#SIGNAL (DOTUSDT)\nOpen SHORT between 4.70 - 4.80\nTargets: 4.50 4.40\nStop 5.0", "DOT", "USDT"),
        ("Sell XAUSD\nTp 1 2316\nsl 2331", "XAU", None),
        ("Short #xbt at 6640-6700\nStoploss above 6800\nTARGETS 6580-6500", "BTC", None),
    ],
)
def test_symbols_channels_write(rules: Pipeline, text: str, symbol: str, quote: str | None) -> None:
    result = rules.parse(text)
    assert (result.symbol, result.quote) == (symbol, quote)


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("#ONTUSDT Stoploss Updated\nPrevious Stop Price - 0.555\nUpdated Stop Price - 0.5775", 0.5775),
        ("DOTUSDT 31-12 06:10\nALVO 1: 4.55 WWW\nsuba seu stop para 4.40", 4.40),
        ("Trailing Stop Activated\nDOTUSDT @ 4.60\nSL: 4.50 ← 4.45", 4.50),
    ],
)
def test_a_moved_stop_is_the_price_after_the_stop_word(rules: Pipeline, text: str, stop: float) -> None:
    result = rules.parse(text)
    assert result.intent == "set_stop_loss"
    assert result.stop_loss is not None and float(result.stop_loss) == stop


@pytest.mark.parametrize(
    ("text", "entries", "targets", "stop", "leverage"),
    [
        ("S.l 1.0800\nT.p 1.0900\nBuy EURUSD 1.0850", [1.085], [1.09], 1.08, None),
        ("SL4416 TP4460 LONGLeverage: 10.0XEntry 4420 XAUUSD", [4420], [4460], 4416, 10),
        ("ETHUSDT SHORT Entry 2000 TP1900.5 SL 2100", [2000], [1900.5], 2100, None),
        ("BTCUSDT LONG Entry 64000 TP1 65000 +180 TP2 66000 +200 SL 60000", [64000], [65000, 66000], 60000, None),
        ("ETH LONG\nEntry: 2000\nShort term: 2100 2200\nMid term: 2400\nStop: 1700", [2000], [2100, 2200, 2400],
         1700, None),
        ("XAUUSD BUY\nEntry 🟰4057.7\nTP1 🟰4069.1\nSL 4043.5", [4057.7], [4069.1], 4043.5, None),
    ],
)  # fmt: skip
def test_glued_dotted_and_signed_layouts(
    rules: Pipeline,
    text: str,
    entries: list[float],
    targets: list[float],
    stop: float,
    leverage: float | None,
) -> None:
    result = rules.parse(text)
    assert result.intent == "signal"
    assert (_prices(result.entries), _prices(result.targets)) == (entries, targets)
    assert result.stop_loss is not None and float(result.stop_loss) == stop
    assert (float(result.leverage) if result.leverage is not None else None) == leverage


def test_a_breakout_entry_is_a_stop_entry(rules: Pipeline) -> None:
    result = rules.parse("AVAX/USDT enter above 15.2 targets 16 17 18 stop 14.5")
    assert (result.intent, result.order_type, _prices(result.entries)) == ("signal", "stop", [15.2])
    assert rules.parse("AVAX/USDT long entry 15.2 targets 16 17 stop 14.5").order_type is None


def test_stray_numbers_and_hashtags_are_no_prices(rules: Pipeline) -> None:
    result = rules.parse(
        "#FREE SIGNAL #binance\n#LINK/USDT LONG\nSignal Number: 16\nEntry: 14.20 - 13.80\n"
        "Targets: 15.00 16.00\nStop: 13.00\nEnter after 30 min"
    )
    assert (result.intent, result.symbol, result.quote) == ("signal", "LINK", "USDT")
    assert sorted(_prices(result.entries)) == [13.8, 14.2]
    assert _prices(result.targets) == [15, 16]


@pytest.mark.parametrize(
    "text",
    [
        "#BNBUSDT\nBINANCE, 2026-2-27, T7:0:0 UTC\nEntry: 627.06\nTargets: 624.95 - 623.92\nStop: 630.2",
        "BNBUSDT SELL 27.02.2026 13:00\nEntry: 627.06\nTargets: 624.95 - 623.92\nStop: 630.2",
    ],
)
def test_dates_and_times_are_no_prices(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert _prices(result.entries) == [627.06]
    assert _prices(result.targets) == [624.95, 623.92]


def test_a_risk_ratio_and_a_bracketed_label_are_read_as_written(rules: Pipeline) -> None:
    result = rules.parse(
        "XAUUSD BUY\nEntry 🟰4057.749\n( RR 0.8 —TP1 )🟰4069.117\n( RR 1 — TP2 )🟰4071.959\nSL 4043.540"
    )
    assert _prices(result.entries) == [4057.749]
    assert _prices(result.targets) == [4069.117, 4071.959]


def test_a_hyphenated_label_of_another_language(rules: Pipeline) -> None:
    result = rules.parse("LONG #SOL\nТочка входа: 142,5\nТейк-профит: 145,0 / 148,0\nСтоп-лосс: 138,0")
    assert _prices(result.targets) == [145, 148]
    assert result.stop_loss == Decimal(138)


def test_a_cross_before_a_price_labels_the_stop(rules: Pipeline) -> None:
    result = rules.parse("$RNDR buy between 7.20-7.50\n🎯 8.00 / 8.80 / 9.60\n❌ 6.70")
    assert _prices(result.targets) == [8, 8.8, 9.6]
    assert result.stop_loss == Decimal("6.70")


def test_a_cross_after_a_level_marks_it_hit(rules: Pipeline) -> None:
    result = rules.parse("#ETH SL 3100 ❌")
    assert result.update == "stop_hit"
    assert result.intent == "unknown"


def test_a_side_closed_is_a_follow_up_not_an_order(rules: Pipeline) -> None:
    result = rules.parse("ETH short closed at 3,150 for +2.3%")
    assert (result.intent, result.update) == ("close_position", "close")


def test_a_level_to_break_is_a_breakout_entry(rules: Pipeline) -> None:
    result = rules.parse("If BTC breaks 70k we long with targets 72k and 75k, stop 68k")
    assert (result.intent, result.order_type) == ("signal", "stop")
    assert _prices(result.entries) == [70000]


@pytest.mark.parametrize(
    ("text", "entries", "targets"),
    [
        (
            "#XRP LONG Entry 1: 0.5200 Entry 2: 0.5050 Entry 3: 0.4900 TP1 0.5400 TP2 0.5600 SL 0.4750",
            [0.52, 0.505, 0.49],
            [0.54, 0.56],
        ),
        (
            "#TIA LONG Entry: 9.85 (CMP) & 9.40 Targets: 10.20 - 10.60 SL: 9.05",
            [9.85, 9.4],
            [10.2, 10.6],
        ),
        (
            "BUY XAUUSD NOW @2335 - 2332 SL 2328 TP 2338 TP 2345 lot size 0.01",
            [2335, 2332],
            [2338, 2345],
        ),
    ],
)
def test_a_post_flattened_onto_one_line_reads_as_its_lines(
    rules: Pipeline, text: str, entries: list[float], targets: list[float]
) -> None:
    result = rules.parse(text)
    assert _prices(result.entries) == entries
    assert _prices(result.targets) == targets
