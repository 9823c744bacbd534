"""Signal reader: symbol, side, entries, targets, stop and leverage of a channel's trade call.

Works on labelled sections in any layout: a label (entry, buy zone, TP1, Target 2 -, take profit, stop,
SL, invalidation, leverage...; nlp.signal_labels) opens a section, and the numbers that follow belong to it
until the next label, on the same line or the lines below. Numbering (1), TP1, Target 2 -), percentages, pips in brackets and
timeframes are skipped. "Buy"/"Sell" sections mean entries on the signal's own side and targets on the other
("Sell: 38.4 - 39.0" in a short; "sell at 16.20" in a long).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nlp.lexer import INDEX, NL, NUM, PUNCT, WORD, Token
from nlp.signal_labels import (
    BUY,
    ENTRY,
    IGNORE,
    LEVERAGE,
    SELL,
    STOP,
    TARGET,
    label_after,
    match_label,
    numbered_labels,
    skip_index,
)
from nlp.symbols import KNOWN, SymbolMatch, SymbolResolver, best

UNPLACED = "unplaced"  # under a "Word:" label of no known section: numbers kept aside, as doubts

_SIDE_WORDS = {"long": "buy", "longs": "buy", "short": "sell", "shorts": "sell", "bullish": "buy",
               "bearish": "sell", "longing": "buy", "shorting": "sell"}  # fmt: skip
_BREAKOUT_WORDS = frozenset({"above", "below", "over", "under"})
_BREAKS = frozenset({"breaks", "break", "breaking", "crosses", "reclaims"})


@dataclass(frozen=True, slots=True)
class SignalReading:
    symbol: SymbolMatch | None
    side: str | None
    side_explicit: bool  # long/short or a side label, not only a buy/sell word
    entries: tuple[Decimal, ...]
    targets: tuple[Decimal, ...]
    labelled_targets: tuple[Decimal, ...]  # only those under a take-profit label (for an order's bracket)
    stop_loss: Decimal | None
    stop_percent: bool  # a stop or target given only as a distance (5%, 30 pips): no price is read from it
    stop_loss_percent: Decimal | None  # the stop's distance from the price, where given as one ("SL 5%")
    target_percents: tuple[Decimal, ...]  # the take-profits' distances, where given as such ("TP 10%")
    leverage: Decimal | None
    labels: frozenset[str]  # the sections that were labelled in the text
    loose_numbers: int  # numbers that belonged to no section
    entries_labelled: bool = False
    stops_given: int = 0  # distinct stop prices written (the first is the stop)
    unplaced: tuple[Decimal, ...] = ()  # numbers under a "Word:" label it does not know
    breakout: bool = False  # "enter above 15.2": a stop entry, filled once the price gets there
    skipped: tuple[Decimal, ...] = ()  # numbers read as list numbers or distances, not prices
    strays: tuple[Decimal, ...] = ()  # numbers under the targets of another scale than the entries and stop


_TERM_WORDS = frozenset({"term", "range"})


def _names_a_term(tokens: Sequence[Token], i: int) -> bool:
    """ "short term", "long-term", "rango corto" (a short range): a length of time or range, no side."""
    after = tokens[i + 1].low if i + 1 < len(tokens) else ""
    before = tokens[i - 1].low if i > 0 else ""
    return after in _TERM_WORDS or before in _TERM_WORDS


def _signed_after_price(tokens: Sequence[Token], i: int) -> bool:
    """A number written with a plus right after a price on its line ("83.50 +180") is a distance."""
    if i < 2 or tokens[i - 1].text != "+":
        return False
    before = tokens[i - 2]
    return before.kind == NUM and before.line == tokens[i].line and not before.percent


def _is_generic_label(tokens: Sequence[Token], i: int, line_start: bool) -> bool:
    """A line opening with an unknown "Word:" (Period:, Exchange:) ends the previous section."""
    return line_start and i + 1 < len(tokens) and tokens[i + 1].text == ":"


def read_signal(
    tokens: Sequence[Token], resolver: SymbolResolver, symbols: list[SymbolMatch] | None = None
) -> SignalReading:
    """The trade call in `tokens`, section by section (see the module's docstring); `symbols`: the resolver's
    matches, where the caller has them."""
    if symbols is None:
        symbols = resolver.find_all(tokens)
    state = _SignalState(tokens, {m.index for m in symbols if m.strength >= KNOWN}, numbered_labels(tokens))
    i = 0
    while i < len(tokens):
        i = state.step(i)
    return state.reading(symbols)


@dataclass
class _SignalState:
    """What read_signal has read so far, token by token. Each reader takes the token at i if it is of its kind
    and returns where reading goes on, or None to leave it to the next reader; a new kind of token or label
    is one more reader in `step`."""

    tokens: Sequence[Token]
    symbol_at: set[int]  # where a known symbol is, which no label or side word can be
    numbered: set[tuple[str, int]]
    section: str | None = None  # the section the numbers read now belong to
    line_start: bool = True
    sections: dict[str, list[Decimal]] = field(
        default_factory=lambda: {ENTRY: [], TARGET: [], STOP: [], LEVERAGE: [], BUY: [], SELL: []}
    )
    distances: dict[str, list[Decimal]] = field(default_factory=lambda: {STOP: [], TARGET: []})
    loose: list[Decimal] = field(default_factory=list)  # numbers before any section
    unplaced: list[Decimal] = field(default_factory=list)  # numbers under a label it does not know
    breakout: bool = False
    skipped: list[Decimal] = field(default_factory=list)  # list numbers and distances passed over
    labels: set[str] = field(default_factory=set)
    label_at: set[int] = field(default_factory=set)  # tokens that are part of a label, never a symbol
    explicit_side: str | None = None
    first_buy_sell: str | None = None
    leverage: Decimal | None = None
    stop_percent: bool = False

    def step(self, i: int) -> int:
        for reader in (self._line_break, self._skipped, self._label, self._word, self._number):
            after = reader(i)
            if after is not None:
                return after
        return self._past(i)

    def _past(self, i: int) -> int:
        """Past token i: a line goes on being at its start only over punctuation (numbering, bullets)."""
        if self.tokens[i].kind != PUNCT:
            self.line_start = False
        return i + 1

    def _line_break(self, i: int) -> int | None:
        if self.tokens[i].kind != NL:
            return None
        self.line_start = True
        return i + 1

    def _skipped(self, i: int) -> int | None:
        """Numbering and what brackets hold (percentages, pips) say nothing of the trade."""
        tok = self.tokens[i]
        return i + 1 if tok.ignored or tok.kind == INDEX else None

    def _label(self, i: int) -> int | None:
        """A label opens its section; the list numbering right after it is skipped."""
        if self.tokens[i].kind not in (WORD, PUNCT) or i in self.symbol_at:
            return None
        label = match_label(self.tokens, i)
        if label is None:
            return None
        if self.section == TARGET and label[0] == ENTRY and self.tokens[i].low == "open":
            return i + 1  # "TP 4: Open (4594 / 4592)": a target left open, not an entry
        if label[0] in (BUY, SELL) and label[1] == 1 and _names_a_term(self.tokens, i):
            return self._past(i)
        self.section, span, _ = label
        if self.section in (BUY, SELL):
            self._side_label(self.section, self.tokens[i : i + span])
            if any(t.low == "entry" for t in self.tokens[i : i + span]):
                self.section = ENTRY  # "LONG Entry: 9.85", flattened from "LONG" over "Entry: 9.85"
        self.labels.add(self.section)
        self.label_at.update(range(i, i + span))
        after = self.tokens[i + span].low if i + span < len(self.tokens) else ""
        self.breakout = self.breakout or (self.section in (ENTRY, BUY, SELL) and after in _BREAKOUT_WORDS)
        self.line_start = False
        if self.section == LEVERAGE:
            return i + span
        after_index = skip_index(self.tokens, i + span, self.numbered, self.section)
        self.skipped.extend(t.value for t in self.tokens[i + span : after_index] if t.value is not None)
        return after_index

    def _side_label(self, section: str, words: Sequence[Token]) -> None:
        """A Buy or Sell section: its side is the signal's where it says long or short, else a guess."""
        if any(t.low in _SIDE_WORDS for t in words):
            self.explicit_side = self.explicit_side or section
        else:
            self.first_buy_sell = self.first_buy_sell or section

    def _word(self, i: int) -> int | None:
        """A side word (long, short) outside a label; an unknown "Word:" opening a line ends the section."""
        tok = self.tokens[i]
        if tok.kind != WORD or i in self.symbol_at:
            return None
        if tok.low in _SIDE_WORDS and not _names_a_term(self.tokens, i):
            self.explicit_side = self.explicit_side or _SIDE_WORDS[tok.low]
        elif tok.low in _BREAKS and i + 1 < len(self.tokens) and self.tokens[i + 1].kind == NUM:
            self.breakout = True  # "if BTC breaks 70k we long": an entry once the price gets there
        elif _is_generic_label(self.tokens, i, self.line_start):
            self.section = UNPLACED
        return self._past(i)

    def _number(self, i: int) -> int | None:
        tok = self.tokens[i]
        if tok.kind != NUM or tok.value is None:
            return None
        if _signed_after_price(self.tokens, i):
            self.skipped.append(tok.value)  # "TP1 83.50 +180": pips or points gained, after their price
        elif tok.leverage:
            self._leverage(tok.value)
        elif tok.percent or tok.unit == "pips":
            self._distance(i, tok)
        elif tok.unit in ("h", "d", "w", "min", "m", "time", "lot") or tok.fraction:
            pass  # a timeframe (1h, 15m) or a position size (0.01 lot), not a price
        elif self.section == LEVERAGE:
            self._leverage(tok.value)
        elif self.line_start and tok.text.isdigit() and tok.value <= 20 and label_after(self.tokens, i):
            self.skipped.append(tok.value)  # "1 Entrada 2497": the number of the line a label follows
        else:
            self._price(tok.value)
        return self._past(i)

    def _leverage(self, value: Decimal) -> None:
        """The first leverage given is the signal's."""
        if self.leverage is None:
            self.leverage = value

    def _distance(self, i: int, tok: Token) -> None:
        """A distance, no price ("SL: 5%", "TP: 50 pips", "a 5% stop"); the section still says this is a trade
        call. A percentage is kept as one: an order prices it against its own price. One under a label of no
        interest ("risk 1% sl 60000") is that label's, not the stop's after it."""
        if self.section == IGNORE:
            return
        of = self.section if self.section in (STOP, TARGET) else label_after(self.tokens, i)
        if of not in (STOP, TARGET):
            return
        self.stop_percent = True
        if tok.percent and tok.value is not None:
            self.distances[of].append(tok.value)

    def _price(self, value: Decimal) -> None:
        if self.section is None:
            self.loose.append(value)
        elif self.section == UNPLACED:
            self.unplaced.append(value)
        elif self.section != IGNORE:
            self.sections[self.section].append(value)

    def reading(self, symbols: Sequence[SymbolMatch]) -> SignalReading:
        side = self.explicit_side or self.first_buy_sell
        entries, targets = self._entries_and_targets(side)
        loose = self.loose
        labelled = bool(entries)
        if not entries and loose and (targets or self.sections[STOP]):
            entries, loose = loose, []
        stops, distances = self.sections[STOP], self.distances
        strays = _strays(targets, [*entries, *stops[:1]])
        targets = [t for t in targets if t not in strays]
        return SignalReading(
            symbol=best((m for m in symbols if m.index not in self.label_at), allow_cash=False, floor=0),
            side=side,
            side_explicit=self.explicit_side is not None,
            entries=tuple(dict.fromkeys(entries)),
            targets=tuple(targets),
            labelled_targets=tuple(self.sections[TARGET]),
            stop_loss=stops[0] if stops else None,
            stop_percent=self.stop_percent,
            stop_loss_percent=distances[STOP][0] if distances[STOP] else None,
            target_percents=tuple(distances[TARGET]),
            leverage=self.leverage,
            labels=frozenset(self.labels),
            loose_numbers=len(loose),
            entries_labelled=labelled,
            stops_given=len(set(stops)),
            unplaced=tuple(self.unplaced),
            breakout=self.breakout,
            skipped=tuple(self.skipped),
            strays=tuple(strays),
        )

    def _entries_and_targets(self, side: str | None) -> tuple[list[Decimal], list[Decimal]]:
        """Sections labelled Buy or Sell are entries on the signal's own side and targets on the other."""
        entries, targets = self.sections[ENTRY], self.sections[TARGET]
        for tagged in (BUY, SELL):
            if side == tagged and entries:
                self.loose.extend(
                    self.sections[tagged]
                )  # "(Long X5) 💰 18742.84 ... Entry Zone": a price now
            elif side == tagged:
                entries = entries + self.sections[tagged]
            elif self.sections[tagged]:
                targets = targets + self.sections[tagged]
        return entries, targets


# A trade's prices lie within this factor of its entries and stop: a number under the targets beyond it is
# something else (a deposit, a count), left out of the targets and kept as a doubt.
STRAY_FACTOR = 5


def _strays(targets: Sequence[Decimal], reference: Sequence[Decimal]) -> list[Decimal]:
    """Targets far from the entries and stop and from every other target ("1, 2, 3" from 0.5 are not)."""

    def far(value: Decimal, others: Sequence[Decimal]) -> bool:
        return all(value > other * STRAY_FACTOR or value * STRAY_FACTOR < other for other in others)

    if not reference or len(targets) < 3:  # a stray stands out only from a list
        return []
    return [
        t for i, t in enumerate(targets) if far(t, reference) and far(t, [*targets[:i], *targets[i + 1 :]])
    ]
