"""Stop modes said the ways a trader types them: each kind read with its coin and its number, and the phrasings
that must not be read as one, or must be asked back (money is never guessed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlp.pipeline import Pipeline
from nlp.result import SEND_AGAIN_FLAGS

# text, coin, trailing, stop mode, percentage, target waited for, turned off
READINGS = [
    # a trailing stop
    ("trail my eth stop 3%", "ETH", True, None, Decimal(3), None),
    ("trailing stop 3% on eth", "ETH", True, None, Decimal(3), None),
    ("set a 3% trailing stop on my eth", "ETH", True, None, Decimal(3), None),
    ("trail eth 3%", "ETH", True, None, Decimal(3), None),
    ("eth trailing stop 2.5%", "ETH", True, None, Decimal("2.5"), None),
    ("put a 2% trailing stop on btc", "BTC", True, None, Decimal(2), None),
    ("trail my sol stop by 2%", "SOL", True, None, Decimal(2), None),
    # break-even after a target (alone, a one-off move to the entry: no mode)
    ("stop to entry on btc after tp1", "BTC", False, "break_even", None, 1),
    ("breakeven my btc stop after target 2", "BTC", False, "break_even", None, 2),
    ("breakeven after tp2 btc", "BTC", False, "break_even", None, 2),
    ("move stop to entry after the first target on eth", "ETH", False, "break_even", None, 1),
    ("move my btc stop to break even", "BTC", False, None, None, None),
    # a moving target
    ("moving target on sol", "SOL", False, "moving_target", None, None),
    ("move my sol stop to each target", "SOL", False, "moving_target", None, None),
    ("trail my sol stop behind every tp", "SOL", False, "moving_target", None, None),
    # a trailing take-profit
    ("trail my eth take profit 3%", "ETH", False, "trailing_take_profit", Decimal(3), None),
    ("trail eth tp 3%", "ETH", False, "trailing_take_profit", Decimal(3), None),
    ("trailing tp 3% on eth", "ETH", False, "trailing_take_profit", Decimal(3), None),
    ("set a trailing take profit of 3% on eth", "ETH", False, "trailing_take_profit", Decimal(3), None),
    ("trailing take profit eth 3%", "ETH", False, "trailing_take_profit", Decimal(3), None),
    # a fixed stop: at a distance from the price, or at a price
    ("set stop on doge at 5%", "DOGE", False, None, Decimal(5), None),
    ("stop loss doge 5%", "DOGE", False, None, Decimal(5), None),
]


@pytest.mark.parametrize(("text", "coin", "trailing", "mode", "percent", "after"), READINGS)
def test_each_stop_mode_is_read_with_its_coin_and_its_number(
    full: Pipeline,
    text: str,
    coin: str,
    trailing: bool,
    mode: str | None,
    percent: Decimal | None,
    after: int | None,
) -> None:
    result = full.parse(text)
    assert (result.intent, result.symbol, result.should_ask_back) == ("set_stop_loss", coin, False)
    assert (result.trailing, result.stop_mode, result.stop_loss_percent) == (trailing, mode, percent)
    assert (result.after_target, result.stop_mode_off, result.stop_loss) == (after, False, None)


def test_a_fixed_stop_at_a_price_keeps_its_price(full: Pipeline) -> None:
    result = full.parse("set my doge stop to 0.11")
    assert (result.intent, result.symbol, result.stop_loss) == ("set_stop_loss", "DOGE", Decimal("0.11"))
    assert (result.trailing, result.stop_mode, result.stop_mode_off) == (False, None, False)


@pytest.mark.parametrize(
    ("text", "coin", "trailing", "mode"),
    [
        ("stop trailing my eth", "ETH", True, None),
        ("turn off the trailing stop on eth", "ETH", True, None),
        ("turn the trailing stop off on eth", "ETH", True, None),
        ("cancel the trailing stop on eth", "ETH", True, None),  # a mode ended, not the stop order cancelled
        ("disable trailing on eth", "ETH", True, None),
        ("remove the moving target on sol", "SOL", False, "moving_target"),
        ("switch off break even on btc", "BTC", False, None),
        # as the orders list says it, for each kind
        ("turn off the break-even stop on ETH", "ETH", False, None),
        ("turn off the moving target on ETH", "ETH", False, "moving_target"),
        ("turn off the trailing take-profit on ETH", "ETH", False, "trailing_take_profit"),
    ],
)
def test_a_stop_mode_turned_off_is_read_as_such_with_its_coin(
    full: Pipeline, text: str, coin: str, trailing: bool, mode: str | None
) -> None:
    result = full.parse(text)
    assert (result.intent, result.symbol, result.stop_mode_off) == ("set_stop_loss", coin, True)
    assert (result.trailing, result.stop_mode, result.should_ask_back) == (trailing, mode, False)


@pytest.mark.parametrize(
    "text", ["trail", "take profit eth 3%", "trailing buy 0.1 eth 2%", "cancel my eth stop"]
)
def test_what_is_no_stop_mode_is_not_read_as_one(full: Pipeline, text: str) -> None:
    result = full.parse(text)
    assert result.intent != "set_stop_loss" or not (
        result.trailing or result.stop_mode or result.stop_mode_off
    )
    assert result.stop_mode is None and not result.stop_mode_off


@pytest.mark.parametrize(
    "text",
    ["trail eth", "trail my eth stop", "trail eth 3", "trail my eth take profit", "trailing stop on eth"],
)
def test_a_trailing_mode_without_a_percentage_has_none_to_be_asked_for(full: Pipeline, text: str) -> None:
    """The chat asks how far (handlers.stop_modes): a number without % is no percentage, nor a stop price."""
    result = full.parse(text)
    assert (result.intent, result.symbol, result.stop_loss_percent) == ("set_stop_loss", "ETH", None)
    assert result.trailing or result.stop_mode == "trailing_take_profit"


@pytest.mark.parametrize(
    "text",
    ["trail eth and btc 3%", "trailing stop 3% on eth and sol", "set stop on eth to 2900 and btc to 60000"],
)
def test_a_stop_for_two_coins_is_sent_back(full: Pipeline, text: str) -> None:
    result = full.parse(text)
    [flag] = result.flags
    assert flag.code == "several_coins" and flag.code in SEND_AGAIN_FLAGS and result.should_ask_back


@pytest.mark.parametrize("text", ["trail my eth stop 300%", "trail eth 0%"])
def test_a_percentage_out_of_range_is_kept_as_written_for_the_core_to_refuse(
    full: Pipeline, text: str
) -> None:
    """Never clamped to a range here: the core refuses it with a sentence (tests/bot/test_stop_modes_e2e.py)."""
    result = full.parse(text)
    assert result.intent == "set_stop_loss" and result.trailing and result.stop_loss_percent in (300, 0)


@pytest.mark.parametrize(
    "text",
    [
        "stop trailing buy on eth",
        "cancel my trailing buy on eth",
        "turn off the trailing entry on ETH",
        "end trailing buy eth",
        "remove my trailing entries on eth",
    ],
)
def test_a_trailing_entry_asked_to_end_is_read_as_that_never_as_a_stop_to_trail(
    full: Pipeline, text: str
) -> None:
    result = full.parse(text)
    assert (result.symbol, result.trailing_entry_off, result.should_ask_back) == ("ETH", True, False)
    assert not (result.trailing or result.stop_mode_off)


@pytest.mark.parametrize("text", ["trailing buy 0.1 eth 2%", "stop trailing my eth", "cancel my eth stop"])
def test_what_ends_no_trailing_entry_is_not_read_as_ending_one(full: Pipeline, text: str) -> None:
    assert not full.parse(text).trailing_entry_off
