"""Why a signal's reading holds back automatic following (handlers.posts.reading_doubt)."""

from decimal import Decimal

from handlers.posts import reading_doubt, spec_of
from nlp.result import Flag, ParseResult

SURE = ParseResult(intent="signal", confidence=0.95, symbol="SOL", side="buy", entries=(Decimal("15.2"),))


def test_a_sure_reading_holds_nothing_back() -> None:
    assert reading_doubt(SURE) is None


def test_an_unsure_or_a_flagged_reading_is_held_back_saying_why() -> None:
    assert reading_doubt(SURE.with_changes(confidence=0.85)) == "I read it with 85% confidence"
    flagged = SURE.with_changes(
        flags=(Flag("stop_wrong_side", "stop 16 is not below the entry 15.2 of a buy"),)
    )
    assert reading_doubt(flagged) == "stop 16 is not below the entry 15.2 of a buy"


def test_a_breakout_is_planned_with_stop_entries_and_not_held_back() -> None:
    breakout = SURE.with_changes(order_type="stop")
    assert reading_doubt(breakout) is None
    spec = spec_of(breakout)
    assert spec is not None and spec.breakout
