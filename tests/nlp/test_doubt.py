"""What the rules did not fully read is never confident enough to be followed without asking."""

from __future__ import annotations

import pytest

from nlp.pipeline import Pipeline
from nlp.result import AUTO_FOLLOW_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        # A command's cue words in a long post: talk about trading, not a request.
        "There is big news at 14:30 that will move the price a lot, be careful and if you are in profit "
        "secure it before then, and keep your lot sizes sensible so that a stop does not hurt",
        # A command in another language, most of whose words the rules do not know.
        "Movemos el SL de XAUUSD y la dejamos abierta esta noche",
        # A signal with numbers under no label, which may be prices it did not place.
        "#DOT/USDT 31-12 06:29\nLONG\nEntry 4.70\nTargets: 4.80 4.90\nStop 4.40",
    ],
)
def test_a_partly_read_message_is_below_the_auto_follow_threshold(rules: Pipeline, text: str) -> None:
    assert rules.parse(text).confidence < AUTO_FOLLOW_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "close my eth",
        "set my eth stop to 3000",
        "#BTC/USDT LONG\nEntry 64000\nTargets 65000 66000\nStop 63000",
    ],
)
def test_a_fully_read_message_stays_sure(rules: Pipeline, text: str) -> None:
    assert rules.parse(text).confidence >= AUTO_FOLLOW_THRESHOLD


def test_a_narrated_stop_move_is_a_follow_up(rules: Pipeline) -> None:
    result = rules.parse("I will adjust my stop loss to 4717")
    assert (result.intent, result.update) == ("set_stop_loss", "move_stop")


def test_consider_is_advice_not_a_request(rules: Pipeline) -> None:
    assert rules.parse("GOLD 35 pips running\nConsider booking some profits").intent == "unknown"


@pytest.mark.parametrize(
    "text",
    [
        # A price under a label it does not know.
        "#SOL/USDT LONG\nEntry 150\nTargets 160 170\nStop 140\nReload: 145",
        # Prices of different scales: a number taken for a price that is none.
        "#SOL/USDT LONG\nEntry 150\nTargets 160 1700\nStop 140",
        # Two stops.
        "#SOL/USDT LONG\nEntry 150\nTargets 160 170\nStop 140 130",
        # Two assets named.
        "#SOL/USDT LONG\nEntry 150\nTargets 160 170\nStop 140\nwatch ETH too",
        # A hashtag read as another ticker.
        "Short #xbt at 6640-6700\nStoploss above 6800\nTARGETS 6580-6500",
        # A stop label with no price it could read.
        "#SOL/USDT LONG\nEntry 150\nTargets 160 170\nStop: below the daily close",
        # A list number passed over that looks like one of the prices.
        "#XYZ/USDT LONG\nEntry 1.0\nTarget 1: 1.05\nTarget 2: 1.10\nStop 0.95",
        # A ticker it does not know.
        "ZZQX LONG\nEntry 1.5\nTargets 1.6 1.7\nStop 1.4",
    ],
)
def test_a_doubtful_signal_is_asked_back(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert result.intent == "signal"
    assert result.confidence < AUTO_FOLLOW_THRESHOLD


def test_a_long_post_in_another_language_with_one_trading_word_is_talk(rules: Pipeline) -> None:
    result = rules.parse(
        "Por ahora hemos recuperado toda la pérdida de ayer y vamos con ganancias, mañana seguimos con "
        "más calma y con cuidado"
    )
    assert result.intent == "unknown"
    assert result.confidence < AUTO_FOLLOW_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "Good morning traders! Market looks bullish today, BTC holding 60k support.",
        "I am holding my ETH bags until 5k",
        "Don't sell your BTC now, it's the bottom",
        "Never buy the top of a green candle",
        "Price alert: BTC crossed 70k",
        "We will close the week in profit, well done everyone",
        "Hoy cerramos el mes con +1200 pips",
        "Después de estar en -60.000 € hoy cierro con 4.000€ de beneficio",
        "#BTCUSDT\nTicker: BTCUSDT, 5 min\nTREND Reversal 63% RSI: 67\nBuying's risky - potential SHORT\nLast price: 67847.16",
    ],
)
def test_talk_about_the_market_is_no_request(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert result.intent == "unknown", result
    assert result.update is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what do I hold", "portfolio"),
        ("my bags", "portfolio"),
        ("am I in profit", "pnl"),
        ("did I make money this week", "pnl"),
        ("alert me when btc crosses 70k", "set_alert"),
        ("close my eth", "close_position"),
        ("stop buy 0.2 eth at 3600", "place_order"),
    ],
)
def test_the_same_words_asked_stay_requests(rules: Pipeline, text: str, intent: str) -> None:
    assert rules.parse(text).intent == intent


def test_a_number_far_from_a_signal_s_prices_is_no_target_and_is_doubted(rules: Pipeline) -> None:
    result = rules.parse(
        "Open SHORT BTC between 44150 - 45600\nTargets:\n1) 43600\n2) 43100\n3) 42400\n4000.0\nSTOP LOSS: 46250"
    )
    assert [float(t) for t in result.targets] == [43600, 43100, 42400]
    assert result.confidence < 0.9
