"""Why a signal's reading holds back automatic following (handlers.posts.reading_doubt)."""

from decimal import Decimal

from handlers.posts import reading_doubt
from nlp.result import Flag, ParseResult

SURE = ParseResult(intent="signal", confidence=0.95, symbol="SOL", side="buy", entries=(Decimal("15.2"),))


def test_a_sure_reading_holds_nothing_back() -> None:
    assert reading_doubt(SURE) is None


def test_an_unsure_a_flagged_or_a_breakout_reading_is_held_back_saying_why() -> None:
    assert reading_doubt(SURE.with_changes(confidence=0.85)) == "I read it with 85% confidence"
    flagged = SURE.with_changes(
        flags=(Flag("stop_wrong_side", "stop 16 is not below the entry 15.2 of a buy"),)
    )
    assert reading_doubt(flagged) == "stop 16 is not below the entry 15.2 of a buy"
    breakout = reading_doubt(SURE.with_changes(order_type="stop"))
    assert breakout is not None and "breakout" in breakout
