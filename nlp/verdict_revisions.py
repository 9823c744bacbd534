"""Second look of the rule stage: the rules' verdict (nlp.intents) revised by what its cue words do not see.

A follow-up to an earlier post ("TP1 hit", "move the stop to entry") decides the intent; a command read from a
few cue words in a long message, or in a language whose other words the rules do not know, is held in doubt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.intents import SURE, UNSURE_SIGNAL, RuleVerdict, joined_text
from nlp.lexer import NL, NUM, PAIR, TAG, WORD, Token
from nlp.result import Alternative, Intent
from nlp.signal import SignalReading

# What a follow-up asks for: a report opens nothing; an instruction is the command it gives.
_UPDATE_INTENTS: dict[str, Intent] = {
    "target_hit": "unknown",
    "stop_hit": "unknown",
    "entry_filled": "unknown",
    "close": "close_position",
    "move_stop": "set_stop_loss",
    "move_stop_to_entry": "set_stop_loss",
    "cancel": "cancel_order",
}


# Follow-ups that end a trade: a signal post that says one of them (edited after the fact) is over.
_TRADE_OVER = frozenset({"close", "cancel", "stop_hit"})
_ALL_TARGETS_HIT = re.compile(
    r"\ball (?:the )?(?:targets?|tps?|take ?profits?) (?:\w+ )?(?:hit|reached|achieved|done|smashed)"
)


def with_update(
    verdict: RuleVerdict, update: str | None, signal: SignalReading, tokens: Sequence[Token]
) -> RuleVerdict:
    """A follow-up decides the intent, except in a new signal with its entries under a label that does not say
    the trade is over (it may mention its own stop or targets; a stop moved needs targets listed too)."""
    if update is None:
        return verdict
    if verdict.intent == "signal":
        stop_moved = update in ("move_stop", "move_stop_to_entry")
        over = update in _TRADE_OVER or bool(_ALL_TARGETS_HIT.search(joined_text(tokens)))
        if signal.entries_labelled and not over and (signal.targets or not stop_moved):
            return RuleVerdict("signal", min(verdict.confidence, UNSURE_SIGNAL), verdict.alternatives)
        verdict = RuleVerdict("unknown", 0.5)
    if update == "close" and any(a.intent == "close_position" for a in verdict.alternatives):
        return verdict  # "close half now": a sale of that share, said as a follow-up
    intent = _UPDATE_INTENTS[update]
    rivals = tuple(a for a in verdict.alternatives if a.intent != intent)
    if verdict.intent != intent:
        rivals = (Alternative(verdict.intent, min(verdict.confidence, 0.5)), *rivals)
    return RuleVerdict(intent, max(verdict.confidence, 0.85) if intent == verdict.intent else 0.85, rivals)


# A command read from its cue words in a long message, or in a language whose other words the rules do not
# know, may be talk about trading rather than a request: it is confirmed, never done at once.
LONG_MESSAGE_WORDS = 14
_COMMAND_IN_DOUBT = 0.75
_POST_LINES = 4
_QUESTIONS: frozenset[Intent] = frozenset({"price", "portfolio", "pnl", "orders", "help"})


def in_doubt(verdict: RuleVerdict, tokens: Sequence[Token], language: str, update: str | None) -> RuleVerdict:
    """The verdict with its confidence lowered where the rules read only part of the message."""
    if verdict.intent in ("signal", "unknown") or update is not None:
        return verdict
    words = sum(1 for t in tokens if t.kind in (WORD, NUM, TAG, PAIR))
    lines = 1 + sum(1 for t in tokens if t.kind == NL)
    long_post = words > LONG_MESSAGE_WORDS or lines >= _POST_LINES
    if verdict.intent in _QUESTIONS and long_post and not any(t.text == "?" for t in tokens):
        # A channel's post ("Last price: 67847", "Portfolio: +25%") that asks nothing is no question to the bot.
        return RuleVerdict("unknown", SURE, (Alternative(verdict.intent, 0.5), *verdict.alternatives))
    if language != "en" and words > LONG_MESSAGE_WORDS:
        # Only the trading words of another language are read: a cue among many other words is talk.
        return RuleVerdict("unknown", SURE, (Alternative(verdict.intent, 0.5), *verdict.alternatives))
    if words > LONG_MESSAGE_WORDS:
        return RuleVerdict(verdict.intent, min(verdict.confidence, _COMMAND_IN_DOUBT), verdict.alternatives)
    if language != "en":
        return RuleVerdict(verdict.intent, min(verdict.confidence, UNSURE_SIGNAL), verdict.alternatives)
    return verdict
