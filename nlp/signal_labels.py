"""Labels of a signal's sections: the phrases that open each section (entry, buy zone, TP1, Target 2 -, take
profit, stop, SL, invalidation, leverage...), the longest match winning, and the list numbering right after a
label ("Target 1 - 0.59", "Entry 1: 6.10", "TP 2) 5.6"), which is no price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from nlp.lexer import NUM, PUNCT, WORD, Token

ENTRY, TARGET, STOP, LEVERAGE, BUY, SELL, IGNORE = (
    "entry",
    "target",
    "stop",
    "leverage",
    "buy",
    "sell",
    "ignore",
)

# Label phrases, as lower-case words (hyphens and slashes between words dropped); the longest match wins.
_LABELS: dict[tuple[str, ...], str] = {}
for _section, _phrases in {
    ENTRY: "entry|entries|entry zone|entry price|entry prices|entry targets|entry target|entry range|entry point|"
    "entry points|entry area|entry level|entry levels|enter|enter at|enter between|entering|entry orders|ep|"
    "get in|buy in|"
    "cmp|open|open price|opening|accumulate|accumulation|accumulation zone|dca|limit|entry limit|"
    "market price|current price|e",
    TARGET: "tp|tps|target|targets|take profit|take profits|takeprofit|take profit targets|profit targets|"
    "target zone|targets zone|tp zone|tgt|tgts|t|objective|objectives|sell targets|buy targets|short targets|"
    "long targets|exit targets|exit|exits|goal|goals|take|tp targets|🎯|short term|mid term|midterm|long term|"
    "short term targets|mid term targets|long term targets",
    STOP: "sl|stop|stops|stop loss|stoploss|stop losses|stop targets|stop target|stop price|stop level|"
    "invalidation|invalid|invalid below|invalid above|cut loss|cutloss|stop out|🛑|⛔|❌|🚫|s l",
    LEVERAGE: "lev|leverage|lever|leverages|margin|leverage cross|leverage isolated",
    BUY: "buy|buy zone|buy range|buying range|buying zone|buy area|buy between|buy at|buy price|long|longs|"
    "buying|buy now|buy stop|buy stop limit|long now|long between|long zone|buy limit|long entry|buy entry|going long|go long",
    SELL: "sell|sell zone|sell range|selling range|selling zone|sell area|sell between|sell at|sell price|short|"
    "shorts|selling|sell now|sell stop|sell stop limit|short now|short between|short zone|sell limit|short entry|sell entry|going short|"
    "go short",
    IGNORE: "profit|period|risk|timeframe|tf|exchange|note|notes|volume|rr|duration|time|status|result|roi|"
    "gain|gains|pnl|lot|lots|lot size|lotsize|id|signal number|signal no|number|best|candle|average entry|"
    "avg entry|average entry price|average price|average|last price",
}.items():
    for _phrase in _phrases.split("|"):
        _LABELS[tuple(_phrase.split())] = _section
_MAX_LABEL_WORDS = max(len(k) for k in _LABELS)
_CROSS_MARKS = ("❌", "🚫")
_EMOJI_LABELS = ("🎯", "🛑", "⛔", *_CROSS_MARKS)


def match_label(tokens: Sequence[Token], i: int) -> tuple[str, int, Decimal | None] | None:
    """The section a label at i opens, how many tokens it spans and any glued index (TP1 -> 1)."""
    words: list[str] = []
    ends: list[int] = []
    j = i
    glued: Decimal | None = None
    while j < len(tokens) and len(words) < _MAX_LABEL_WORDS:
        tok = tokens[j]
        if tok.kind == WORD or (tok.kind == PUNCT and tok.text in _EMOJI_LABELS and not words):
            low = tok.low
            stem = low.rstrip("0123456789")
            if stem != low and stem and not words and (stem,) in _LABELS and len(low) - len(stem) <= 2:
                glued = Decimal(low[len(stem) :])
                low = stem
            words.append(low)
            ends.append(j + 1)
            if glued is not None:
                break
            j += 1
            joiner = j < len(tokens) and tokens[j].kind == PUNCT and tokens[j].text in ("-", "/", "_")
            if joiner and j + 1 < len(tokens) and tokens[j + 1].kind == WORD:
                j += 1
            continue
        break
    for n in range(len(words), 0, -1):
        section = _LABELS.get(tuple(words[:n]))
        single = n == 1 and len(words[0]) == 1 and glued is None and words[0] not in _EMOJI_LABELS
        if words[0] in _CROSS_MARKS and not (ends[0] < len(tokens) and tokens[ends[0]].kind == NUM):
            return None  # "SL 4490 ❌": a mark after a level hit, a stop's label only before its price
        if single and not (ends[0] < len(tokens) and tokens[ends[0]].text == ":"):
            continue  # "e" and "t" are labels only glued to their number (T1, E2) or before a colon (E: 1.5)
        if section is not None:
            return section, ends[n - 1] - i, glued if n == 1 else None
    return None


def numbered_labels(tokens: Sequence[Token]) -> set[tuple[str, int]]:
    """(word, n) for every "word n" (Target 2, Entry 3): a list numbered down the lines."""
    found: set[tuple[str, int]] = set()
    for i in range(len(tokens) - 1):
        if tokens[i].kind == WORD:
            nxt = tokens[i + 1]
            if nxt.kind == NUM and nxt.text.isdigit() and nxt.value is not None and nxt.value <= 20:
                found.add((tokens[i].low, int(nxt.value)))
    return found


def skip_index(
    tokens: Sequence[Token], j: int, numbered: set[tuple[str, int]], section: str | None = None
) -> int:
    """After a label: "Target 1 - 0.59", "Entry 1: 6.10", "TP 2) 5.6", "TP 1 2324", "TP 1, 1,282" number the
    list; skip that number."""
    dash = j < len(tokens) and tokens[j].kind == PUNCT and tokens[j].text in ("-", "#", ".")
    if dash and j + 1 < len(tokens) and tokens[j + 1].kind == NUM:
        j += 1
    if j + 1 >= len(tokens) or tokens[j].kind != NUM or not tokens[j].text.isdigit():
        return j
    value = tokens[j].value
    if value is None or not 0 < value <= 20:
        return j
    if section == TARGET and _numbers_a_target(tokens, j, value):
        return j + 1 + (tokens[j + 1].text == ",")
    if j + 2 >= len(tokens):
        return j
    sep, after = tokens[j + 1], tokens[j + 2]
    if sep.kind != PUNCT or after.kind != NUM or after.value is None or after.line != tokens[j].line:
        return j
    if sep.text in (":", "=", ".", ")", "➡", "→", "⇒", "👉", ">", "⏩", "▶"):
        return j + 2
    # "Target 1 - 0.59" numbers a list (Target 2 follows, or the price is far from 1); "Entry 1 - 1.05"
    # is a range of two close prices.
    label_word = tokens[j - 1].low
    listed = (label_word, int(value) + 1) in numbered or (label_word, int(value) - 1) in numbered
    if sep.text == "-" and (listed or not value / 2 <= after.value <= value * 2):
        return j + 2
    return j


def _numbers_a_target(tokens: Sequence[Token], j: int, value: Decimal) -> bool:
    """ "TP 1 2324", "TP 1, 1,28200": a small whole number right after a take-profit label, with the price
    next on its line, is the target's number (small whole targets listed, "TP 1, 2, 3", count up by one)."""
    k = j + 1 + (tokens[j + 1].text == ",")
    if k >= len(tokens):
        return False
    price = tokens[k]
    if price.kind != NUM or price.value is None or price.line != tokens[j].line or price.percent:
        return False
    return price.value != value + 1 and not (price.text.isdigit() and price.value <= 20)


def label_after(tokens: Sequence[Token], i: int) -> str | None:
    """The section a label right after token i opens ("5% stop loss"), if one does."""
    label = match_label(tokens, i + 1) if i + 1 < len(tokens) else None
    return label[0] if label is not None else None
