"""Typo correction for the words the rules key on ("cancle", "purchse", "stoplos", "targtes").

A word of five letters or more that is no keyword is compared with the keywords by their one-deletion
neighbourhoods (SymSpell's trick): one set look-up per deletion, so linear in the word's length.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlp.lexer import WORD, Token

KEYWORDS = frozenset(
    [
        "purchase",
        "cancel",
        "close",
        "alert",
        "alerts",
        "notify",
        "remind",
        "portfolio",
        "balance",
        "price",
        "prices",
        "orders",
        "order",
        "profit",
        "position",
        "positions",
        "holdings",
        "leverage",
        "target",
        "targets",
        "entry",
        "entries",
        "stoploss",
        "market",
        "limit",
        "everything",
        "update",
        "change",
        "performance",
        "commands",
    ]
)
# Real words one edit away from a keyword: never "corrected" (closed is a report, not a close).
_KEEP = frozenset(
    [
        "closed",
        "closer",
        "closes",
        "closet",
        "cancels",
        "canceled",
        "cancelled",
        "alerted",
        "altered",
        "alter",
        "ordered",
        "orderly",
        "priced",
        "pricey",
        "prince",
        "pride",
        "prize",
        "profits",
        "targeted",
        "entered",
        "entry's",
        "stops",
        "stoppe",
        "longs",
        "longer",
        "longest",
        "lodge",
        "short's",
        "shorts",
        "shorted",
        "sells",
        "seller",
        "selling",
        "buys",
        "buyer",
        "buying",
        "limits",
        "limited",
        "marketing",
        "markets",
        "updated",
        "updates",
        "changed",
        "changes",
        "balanced",
        "balances",
        "positive",
        "posted",
        "holding",
        "holdings",
        "target's",
        "leveraged",
        "sheet",
        "shore",
        "shirt",
        "sale",
        "stone",
        "store",
        "stove",
        "shop",
        "spot",
        "slope",
        "scope",
        "lose",
        "loser",
        "lost",
        "losses",
        "lease",
        "least",
        "levels",
        "lever",
        "level",
        "lonely",
        "shout",
        "shoot",
        "shot",
    ]
)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    def __init__(self, keywords: frozenset[str] = KEYWORDS) -> None:
        self._index: dict[str, str] = {}
        for word in sorted(keywords, key=len):
            for variant in _deletes(word) | {word}:
                self._index.setdefault(variant, word)
        self._keywords = keywords

    def correct(self, word: str) -> str:
        if not 5 <= len(word) <= 20 or word in self._keywords or word in _KEEP or not word.isalpha():
            return word
        if word in self._index:
            return self._index[word]
        for variant in _deletes(word):
            if variant in self._index:
                candidate = self._index[variant]
                if abs(len(candidate) - len(word)) <= 1:
                    return candidate
        return word

    def correct_tokens(self, tokens: Sequence[Token]) -> list[Token]:
        out = []
        for tok in tokens:
            if tok.kind == WORD and not tok.text.isupper():
                fixed = self.correct(tok.low)
                if fixed != tok.low:
                    tok = tok._replace(low=fixed)
            out.append(tok)
        return out
