"""Entity extraction for stop commands: the stop's price or its distance from the price, a stop asked to trail,
and the stop mode named ("moving target", "break even after target 2", "trailing take profit")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from nlp.commands import is_plain_number
from nlp.lexer import NUM, WORD, Token
from nlp.result import StopModeName
from nlp.symbols import SymbolMatch, best

_STOP_WORDS = frozenset({"stop", "sl", "stoploss", "stops"})


def extract_stop(tokens: Sequence[Token], matches: list[SymbolMatch]) -> tuple[str | None, Decimal | None]:
    """The stop price: the number after the last stop word followed by one ("Previous Stop 0.55, Updated
    Stop 0.58"; "ID 1563 ... raise your stop to 0.0068"), else the first number."""
    chosen = best(matches, allow_cash=False) or best(matches)
    first: Decimal | None = None
    stop: Decimal | None = None
    after_stop = False
    for tok in tokens:
        if tok.kind == WORD and tok.low in _STOP_WORDS:
            after_stop = True
        elif is_plain_number(tok) and not tok.percent and not tok.ignored and not tok.fraction:
            first = tok.value if first is None else first
            if after_stop:
                stop, after_stop = tok.value, False
    return (chosen.symbol if chosen else None), stop if stop is not None else first


def stop_distance(tokens: Sequence[Token]) -> Decimal | None:
    """A stop given as a distance from the price ("set stop on doge at 5%", "trail my eth stop 3%")."""
    return next((t.value for t in tokens if t.kind == NUM and t.percent and not t.ignored), None)


def trails(tokens: Sequence[Token]) -> bool:
    """A stop asked to follow the price ("trail my eth stop 3%", "a trailing stop of 2% on sol")."""
    return any(t.kind == WORD and t.low in ("trail", "trailing") for t in tokens)


def trails_in(tokens: Sequence[Token]) -> bool:
    """A buy asked to trail in ("trailing buy 0.1 eth 2%"), not one with a trailing stop."""
    return trails(tokens) and not any(t.kind == WORD and t.low in _STOP_WORDS for t in tokens)


# "moving target on sol", "move my sol stop to each target", "stop behind every tp".
_MOVING_TARGET = re.compile(
    r"\bmoving (?:target|tp)s?\b|\b(?:to|behind|after) (?:each|every) (?:target|tp)\b"
)
_TAKE_PROFIT = re.compile(r"\b(?:take ?profits?|tps?)\b")
# "break even after target 2", "stop to entry on btc after tp1", "breakeven my btc stop after the first target".
_BREAK_EVEN_AFTER = re.compile(
    r"\b(?:break ?-? ?even|entry)\b.*?\bafter (?:the )?(?:(?:target|tp) ?#? ?([12])\b|(first|1st|second|2nd) "
    r"(?:target|tp)\b)"
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2}
# A stop mode turned off ("stop trailing my eth", "turn off the trailing stop on eth", "cancel the moving target
# on sol"): an off word, and a mode named (a trailing buy's is not: that is a trailing entry).
_OFF = re.compile(
    r"^(?:please )?stop (?:the |my )?trailing\b|\b(?:turn|switch|shut) off\b|\b(?:turn|switch) (?:\S+ ){1,5}off\b|"
    r"\b(?:disable|remove|cancel|end|kill|delete|no more)\b"
)
_MODE_WORD = re.compile(
    r"\btrail(?:ing)?\b(?! (?:buy|entry))|\bmoving (?:target|tp)s?\b|\bbreak ?-? ?even\b|\bbreakeven\b"
)


def _words(tokens: Sequence[Token]) -> str:
    return " ".join(t.low for t in tokens if t.kind == WORD or t.kind == NUM)


def turns_off(tokens: Sequence[Token]) -> bool:
    """A stop mode asked to end, the stop staying where it is ("stop trailing my eth")."""
    text = _words(tokens)
    return bool(_OFF.search(text) and _MODE_WORD.search(text))


# A trailing entry named ("trailing buy", "trailing entry"): ended by an off word rather than read as a stop.
_ENTRY_WORD = re.compile(r"\btrail(?:ing)? (?:buy|entry|entries)\b")


def ends_trailing_entry(tokens: Sequence[Token]) -> bool:
    """A trailing entry asked to end ("stop trailing buy on eth", "cancel my trailing buy on eth")."""
    text = _words(tokens)
    return bool(_OFF.search(text) and _ENTRY_WORD.search(text))


def stop_mode_named(tokens: Sequence[Token]) -> tuple[StopModeName | None, int | None]:
    """A stop mode other than a trailing stop, and the target it waits for: "moving target on my eth stop",
    "move my eth stop to break even after target 2" (break-even alone is a one-off move to the entry),
    "trailing take profit 3% on my eth stop", "trail my eth take profit 3%"."""
    text = _words(tokens)
    if _MOVING_TARGET.search(text):
        return "moving_target", None
    if trails(tokens) and _TAKE_PROFIT.search(text):
        return "trailing_take_profit", None
    after = _BREAK_EVEN_AFTER.search(text)
    if after is not None:
        return "break_even", int(after.group(1)) if after.group(1) else _ORDINALS[after.group(2)]
    return None, None
