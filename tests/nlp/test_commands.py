"""Fields of chat commands, field by field (the corpora check whole readings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline
from nlp.result import SEND_AGAIN_FLAGS


@pytest.mark.parametrize(
    ("text", "order_type", "price"),
    [
        ("buy 1 eth at 3000", "limit", Decimal(3000)),
        ("buy 0.1 btc when it drops to 58k", "limit", Decimal(58000)),
        ("sell 2 sol if it falls below 120", "stop", Decimal(120)),
        ("buy 1 eth if it breaks above 4000", "stop", Decimal(4000)),
        ("stop-buy 1 eth at 4100", "stop", Decimal(4100)),
        ("market sell 3 link", "market", None),
    ],
)
def test_order_type_follows_the_price_and_its_direction(
    rules: Pipeline, text: str, order_type: str, price: Decimal | None
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.order_type, result.price) == ("place_order", order_type, price)


@pytest.mark.parametrize(
    ("text", "amount", "unit", "quote"),
    [
        ("buy 0.5 eth", Decimal("0.5"), "base", None),
        ("buy $100 of eth", Decimal(100), "quote", None),
        ("buy 100 dollars of eth", Decimal(100), "quote", None),
        ("buy 100 usdt worth of eth", Decimal(100), "quote", "USDT"),
        ("sell half my eth", Decimal(50), "percent", None),
        ("sell a quarter of my eth", Decimal(25), "percent", None),
        ("sell 30% of my eth", Decimal(30), "percent", None),
        ("buy half a btc", Decimal("0.5"), "base", None),
        ("buy eth", None, None, None),
    ],
)
def test_amount_and_its_unit(
    rules: Pipeline, text: str, amount: Decimal | None, unit: str | None, quote: str | None
) -> None:
    result = rules.parse(text)
    assert (result.amount, result.amount_unit, result.quote) == (amount, unit, quote)


@pytest.mark.parametrize(
    ("text", "side", "amount", "stop", "leverage"),
    [
        ("long btc 10x risk 1% sl 60000", "buy", Decimal(1), Decimal(60000), Decimal(10)),
        ("buy eth risk 2% of my equity stop 3000", "buy", Decimal(2), Decimal(3000), None),
        ("short eth 5x risk 1.5% sl 3300", "sell", Decimal("1.5"), Decimal(3300), Decimal(5)),
        ("buy sol with 1% risk stop 140", "buy", Decimal(1), Decimal(140), None),
        ("long btc 10x risking 1%", "buy", Decimal(1), None, Decimal(10)),
    ],
)
def test_an_order_sized_from_risk_reads_the_risk_as_its_amount_not_a_share_or_a_stop(
    rules: Pipeline, text: str, side: str, amount: Decimal, stop: Decimal | None, leverage: Decimal | None
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.side, result.amount, result.amount_unit) == (
        "place_order",
        side,
        amount,
        "risk",
    )
    assert (result.stop_loss, result.stop_loss_percent, result.leverage) == (stop, None, leverage)
    assert not result.flags


def test_a_risk_line_of_a_channels_call_stays_a_signal(rules: Pipeline) -> None:
    result = rules.parse("BTC/USDT LONG risk 1% entry 60000 sl 59000 tp 62000")
    assert (result.intent, result.entries, result.stop_loss) == ("signal", (Decimal(60000),), Decimal(59000))


@pytest.mark.parametrize(
    ("text", "condition", "threshold"),
    [
        ("alert me when eth drops below 2,800", "below", Decimal(2800)),
        ("let me know if btc goes above 80k", "above", Decimal(80000)),
        ("ping me when doge hits 0.2", "cross", Decimal("0.2")),
        ("alert if sol > 200", "above", Decimal(200)),
        ("alert when sol < 100", "below", Decimal(100)),
    ],
)
def test_alert_condition_and_threshold(
    rules: Pipeline, text: str, condition: str, threshold: Decimal
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.condition, result.threshold) == ("set_alert", condition, threshold)


def test_a_size_first_makes_an_order_even_with_a_stop_and_target(rules: Pipeline) -> None:
    result = rules.parse("buy 500 ada, stop loss 0.42, take profit 0.55")
    assert result.intent == "place_order" and result.amount == 500
    assert result.stop_loss == Decimal("0.42") and result.targets == (Decimal("0.55"),)


@pytest.mark.parametrize(
    ("text", "stop", "targets"),
    [
        ("buy $50 of eth with stop 5% below", Decimal(5), ()),
        ("buy $50 of eth with a 5% stop", Decimal(5), ()),
        ("buy 0.01 eth sl -5%", Decimal(5), ()),
        ("buy 0.01 eth stop loss 2.5 percent", Decimal("2.5"), ()),
        ("buy 0.01 eth with a 5% stop loss and take profit at 10%", Decimal(5), (Decimal(10),)),
        ("buy 0.01 eth sl 3% tp1 5% tp2 10%", Decimal(3), (Decimal(5), Decimal(10))),
    ],
)
def test_a_stop_or_targets_given_as_distances_are_kept_as_distances(
    rules: Pipeline, text: str, stop: Decimal, targets: tuple[Decimal, ...]
) -> None:
    result = rules.parse(text)
    assert result.intent == "place_order"
    assert (result.stop_loss_percent, result.target_percents) == (stop, targets)
    # The contract's stop_loss and targets are prices: a distance is none.
    assert (result.stop_loss, result.targets) == (None, ())


def test_an_amount_in_percent_is_no_stop_distance(rules: Pipeline) -> None:
    result = rules.parse("sell 10% of my eth")
    assert (result.amount, result.amount_unit, result.stop_loss_percent) == (Decimal(10), "percent", None)


def test_known_markets_extend_the_symbols() -> None:
    assert Pipeline(use_classifier=False).parse("buy 10 zzcoin").symbol is None
    assert Pipeline(["ZZCOIN/USDT"], use_classifier=False).parse("buy 10 zzcoin").symbol == "ZZCOIN"


@pytest.mark.parametrize(
    ("text", "code", "message_part"),
    [
        ("buy 0.05 eth and 0.001 btc", "several_orders", "(0.001 btc)"),
        ("buy eth and sol", "several_orders", "(sol)"),
        ("buy 1 500 doge", "number_in_doubt", "1,500, or 1 and 500"),
    ],
)
def test_what_cannot_be_one_order_is_sent_again_never_dropped(
    rules: Pipeline, text: str, code: str, message_part: str
) -> None:
    result = rules.parse(text)
    flag = next(f for f in result.flags if f.code == code)
    assert message_part in flag.message and code in SEND_AGAIN_FLAGS and result.should_ask_back


@pytest.mark.parametrize(
    "text", ["buy 100 usdt and 50 usdc of eth", "buy 1,500 doge", "buy 0.5 eth, stop 3000"]
)
def test_one_order_raises_no_such_doubt(rules: Pipeline, text: str) -> None:
    assert not {f.code for f in rules.parse(text).flags} & {"several_orders", "number_in_doubt"}


def test_a_verb_that_is_also_a_ticker_is_the_verb_where_another_asset_is_named(rules: Pipeline) -> None:
    result = rules.parse("ape 200 usdc into wif")
    assert (result.intent, result.side, result.symbol) == ("place_order", "buy", "WIF")
    assert (result.amount, result.amount_unit, result.quote) == (Decimal(200), "quote", "USDC")
    assert rules.parse("buy 10 ape").symbol == "APE"


def test_take_profit_on_a_share_is_a_limit_sale_of_it(rules: Pipeline) -> None:
    result = rules.parse("take profit on half my sol at 160")
    assert (result.intent, result.side, result.symbol, result.order_type) == (
        "place_order",
        "sell",
        "SOL",
        "limit",
    )
    assert (result.amount, result.amount_unit, result.price, result.targets) == (
        Decimal(50),
        "percent",
        Decimal(160),
        (),
    )


def test_a_price_in_scientific_notation_is_read_as_written(rules: Pipeline) -> None:
    result = rules.parse("buy 0.01 eth at 1e5")
    assert (result.order_type, result.price) == ("limit", Decimal(100000))


@pytest.mark.parametrize(
    "text",
    [
        "<b>buy</b> 0.1 eth at 3000",
        "buy <i>0.1 eth</i> at 3000",
        'buy 0.1 eth <a href="https://x.io/a?b=1">at</a> 3000',
    ],
)
def test_html_markup_is_no_part_of_the_reading(rules: Pipeline, text: str) -> None:
    result = rules.parse(text)
    assert (result.intent, result.side, result.order_type, result.price) == (
        "place_order",
        "buy",
        "limit",
        Decimal(3000),
    )
    assert rules.parse("alert me if btc < 60000").condition == "below"  # a lone bracket is no tag


@pytest.mark.parametrize(
    ("text", "asks_markets", "intent"),
    [
        ("what coins can I trade?", True, "help"),
        ("which pairs do you support", True, "help"),
        ("what coins do i have", False, "portfolio"),
    ],
)
def test_a_question_about_the_markets_is_told_from_one_about_holdings(
    rules: Pipeline, text: str, asks_markets: bool, intent: str
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.asks_markets) == (intent, asks_markets)


@pytest.mark.parametrize(
    ("text", "order_id"), [("cancel order 2", 2), ("cancel #17", 17), ("cancel my eth order", None)]
)
def test_the_order_a_cancel_names(rules: Pipeline, text: str, order_id: int | None) -> None:
    result = rules.parse(text)
    assert (result.intent, result.order_id) == ("cancel_order", order_id)


@pytest.mark.parametrize(
    ("text", "trailing", "stop_mode", "after_target"),
    [
        ("trail my eth stop 3%", True, None, None),
        ("moving target on my eth stop", False, "moving_target", None),
        ("use a moving target for my sol stop", False, "moving_target", None),
        ("move my eth stop to break even after target 2", False, "break_even", 2),
        ("move my eth stop to breakeven after the first target", False, "break_even", 1),
        ("move my btc stop to break even", False, None, None),  # a one-off move to the entry
        ("set stop on doge at 5%", False, None, None),
        # Its percentage is the fall back from the high, not a gain reported.
        ("trailing take profit 3% on my eth stop", False, "trailing_take_profit", None),
        ("set a trailing take profit of 3% on eth", False, "trailing_take_profit", None),
        ("trailing tp 3% on my eth", False, "trailing_take_profit", None),  # said short
        ("trailing take profit 3% on eth", False, "trailing_take_profit", None),
        ("trail tp 3% on my eth", False, "trailing_take_profit", None),
        ("trailing take-profit 3% on eth", False, "trailing_take_profit", None),
        ("a trailing stop of 2% on sol", True, None, None),
    ],
)
def test_a_stop_mode_is_read_apart_from_a_one_off_move(
    rules: Pipeline, text: str, trailing: bool, stop_mode: str | None, after_target: int | None
) -> None:
    result = rules.parse(text)
    assert result.intent == "set_stop_loss" and result.symbol is not None
    assert (result.trailing, result.stop_mode, result.after_target) == (trailing, stop_mode, after_target)


@pytest.mark.parametrize(
    "text", ["trailing tp 3% on my eth", "trailing take profit 3% on eth", "trail tp 3% on my eth"]
)
def test_a_trailing_take_profit_said_short_is_read_whole_with_the_model_too(
    full: Pipeline, text: str
) -> None:
    result = full.parse(text)
    assert (result.intent, result.symbol, result.stop_mode, result.stop_loss_percent, result.update) == (
        "set_stop_loss",
        "ETH",
        "trailing_take_profit",
        Decimal(3),
        None,
    )


@pytest.mark.parametrize(
    ("text", "trailing", "turn"),
    [
        ("trailing buy 0.1 eth 2%", True, Decimal(2)),
        ("buy 0.1 eth with a 2% trailing entry", True, Decimal(2)),
        ("trailing buy 0.1 eth", True, None),  # asked back: never a plain buy
        ("buy 0.1 eth with a 3% trailing stop", False, None),
        ("buy 0.1 eth", False, None),
    ],
)
def test_a_buy_to_trail_in_is_read_apart_from_a_plain_buy(
    rules: Pipeline, text: str, trailing: bool, turn: Decimal | None
) -> None:
    result = rules.parse(text)
    assert result.intent == "place_order" and result.symbol == "ETH"
    assert (result.trailing, result.trailing_entry) == (trailing, turn)


@pytest.mark.parametrize(
    ("text", "order_type", "turn"),
    [
        ("trailing buy 0.1 eth at 2900 2%", "limit", Decimal(2)),
        ("trailing buy 0.1 eth below 2900 2%", "limit", Decimal(2)),
        ("trailing buy 0.1 eth 2% below 2,900", "limit", Decimal(2)),
        ("buy 0.1 eth at 2900 with a 2% trailing entry", "limit", Decimal(2)),
        ("trailing buy 0.1 eth at 2900", "limit", None),  # asked back: never a plain limit buy
        ("trailing buy 0.1 eth above 2900 2%", "stop", Decimal(2)),  # a breakout: refused with a sentence
    ],
)
def test_a_buy_to_trail_in_reads_its_own_level_as_the_price(
    rules: Pipeline, text: str, order_type: str, turn: Decimal | None
) -> None:
    result = rules.parse(text)
    assert (result.intent, result.symbol, result.side, result.amount) == (
        "place_order",
        "ETH",
        "buy",
        Decimal("0.1"),
    )
    assert (result.trailing, result.trailing_entry) == (True, turn)
    assert (result.order_type, result.price) == (order_type, Decimal(2900))
