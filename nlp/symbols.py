"""Symbol resolver: which tokens name an asset, and which base and quote they name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp import assets
from nlp.lexer import PAIR, TAG, WORD, Token

# How sure a match is that it names an asset: pairs and #/$ tags, then known tickers and names, then
# ambiguous words and misspellings, then capitalised words known nowhere (a signal's last resort).
MARKED, KNOWN, WEAK, GUESS = 3, 2, 1, 0
_PERP = re.compile(r"(?:[._-]?PERP|\.P)$", re.IGNORECASE)
CASH = assets.STABLE_QUOTES | assets.FIAT


@dataclass(frozen=True, slots=True)
class SymbolMatch:
    symbol: str
    quote: str | None
    index: int  # of the token in the message
    strength: int
    span: int = 1  # tokens covered (two for "shiba inu")

    @property
    def is_cash(self) -> bool:
        """A stablecoin or fiat code alone: more often the unit of an amount than the asset traded."""
        return self.quote is None and self.symbol in CASH


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SymbolResolver:
    """Reads tickers, names and pairs; extended by the exchange's markets when the bot has them."""

    def __init__(self, known_markets: Iterable[str] = ()) -> None:
        bases: set[str] = set()
        quotes: set[str] = set()
        for market in known_markets:
            base, _, quote = market.upper().partition("/")
            if base:
                bases.add(base.strip())
            if quote:
                quotes.add(quote.split(":")[0].strip())
        self._tickers = assets.CRYPTO_TICKERS | bases
        self._quotes = tuple(sorted(set(assets.PAIR_QUOTES) | quotes, key=lambda q: (-len(q), q)))
        self._all = self._tickers | CASH | assets.METALS
        self._fuzzy: dict[str, str] = {}
        for name, ticker in assets.ASSET_NAMES.items():
            if len(name) >= 6 and name.isalpha():
                for variant in _deletes(name) | {name}:
                    self._fuzzy.setdefault(variant, ticker)

    def is_known(self, ticker: str) -> bool:
        return ticker.upper() in self._all or ticker.upper() in assets.INDICES

    def split_joined(self, word: str) -> tuple[str, str] | None:
        """BTCUSDT -> (BTC, USDT); XAUUSD -> (XAU, USD); None when the word is no joined pair."""
        up = _PERP.sub("", word.upper())
        if up in self._all or up in assets.INDICES:
            return None
        for quote in self._quotes:
            if up.endswith(quote) and len(up) > len(quote):
                base = up[: -len(quote)]
                if base in self._all or (len(base) >= 2 and word.isupper() and base.isalnum()):
                    return base, quote
        return None

    def _ticker_of(self, raw: str) -> str:
        """Normalise a written base: names to tickers, perpetual suffixes dropped."""
        name = assets.ASSET_NAMES.get(raw.lower())
        return name if name else _PERP.sub("", raw).upper()

    def match(self, tokens: Sequence[Token], i: int) -> SymbolMatch | None:
        tok = tokens[i]
        if tok.kind == PAIR:
            return SymbolMatch(self._ticker_of(tok.base), _PERP.sub("", tok.quote).upper(), i, MARKED)
        if tok.kind == TAG:
            body = _PERP.sub("", tok.text[1:])
            if body.upper() in assets.NEVER_TICKERS:
                return None  # "#SIGNAL (BTCUSD)", "#FREE", "#binance": a hashtag, not a ticker
            joined = self.split_joined(body)
            if joined and not self.is_known(body):
                return SymbolMatch(joined[0], joined[1], i, MARKED)
            return SymbolMatch(self._ticker_of(body), None, i, MARKED)
        if tok.kind != WORD:
            return None
        return self._match_word(tokens, i)

    def _match_word(self, tokens: Sequence[Token], i: int) -> SymbolMatch | None:
        tok = tokens[i]
        word, low = tok.text, tok.low
        if i + 1 < len(tokens) and tokens[i + 1].kind == WORD:
            two = f"{low} {tokens[i + 1].low}"
            if two in assets.ASSET_NAMES:
                return SymbolMatch(assets.ASSET_NAMES[two], None, i, KNOWN, span=2)
        if low in assets.ASSET_NAMES:
            return SymbolMatch(assets.ASSET_NAMES[low], None, i, KNOWN)
        up = _PERP.sub("", word.upper())
        caps = word.isupper() and len(up) >= 2
        if up in assets.NEVER_TICKERS:
            return None
        if up in assets.INDICES and (caps or any(c.isdigit() for c in up)):
            return SymbolMatch(up, None, i, KNOWN)
        if up in self._all:
            if up in assets.AMBIGUOUS_WORDS:
                ok_lower = up in assets.TRADING_CONTEXT_OK
                return SymbolMatch(up, None, i, WEAK) if caps or ok_lower else None
            if len(up) == 1 and not caps:
                return None
            return SymbolMatch(up, None, i, KNOWN)
        joined = self.split_joined(word)
        if joined:
            return SymbolMatch(joined[0], joined[1], i, KNOWN)
        if 5 <= len(low) <= 20 and low.isalpha():
            for variant in _deletes(low) | {low}:
                if variant in self._fuzzy:
                    return SymbolMatch(self._fuzzy[variant], None, i, WEAK)
        if caps and 2 <= len(up) <= 10 and up.isalnum() and not up.isdigit():
            return SymbolMatch(up, None, i, GUESS)
        return None

    def find_all(self, tokens: Sequence[Token]) -> list[SymbolMatch]:
        found: list[SymbolMatch] = []
        skip_to = 0
        for i in range(len(tokens)):
            if i < skip_to:
                continue
            found_here = self.match(tokens, i)
            if found_here is not None:
                found.append(found_here)
                skip_to = i + found_here.span
        return found


def best(matches: Iterable[SymbolMatch], *, allow_cash: bool = True, floor: int = WEAK) -> SymbolMatch | None:
    """The first of the strongest matches (order of appearance breaks ties); the same asset written again as a
    pair ("#BTC #BTCUSD") gives its quote."""
    chosen: SymbolMatch | None = None
    for m in matches:
        if m.strength < floor or (not allow_cash and m.is_cash):
            continue
        if chosen is None or m.strength > chosen.strength or _quotes(m, chosen):
            chosen = m
    return chosen


def _quotes(match: SymbolMatch, chosen: SymbolMatch) -> bool:
    """The chosen asset again, now with its quote."""
    return match.symbol == chosen.symbol and chosen.quote is None and match.quote is not None
