"""Lexer for trading text: normalises a message and cuts it into typed tokens.

Numbers carry their value as Decimal (thousands separators, k/m/b suffixes, $ prefixes, decimal commas,
number words and fractions read), with marks for percentages, leverage (10x, x10), time units and bracketed
asides such as "(2%)" or "(50 pips)" that a signal reader must skip. Every pattern is linear: no nested
quantifiers, so no catastrophic backtracking on long or hostile text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from nlp import assets

NUM, WORD, TAG, PAIR, PUNCT, NL, INDEX = "num", "word", "tag", "pair", "punct", "nl", "index"
MAX_DIGITS = 24  # longer digit runs are no price or amount: kept as words so that nothing overflows


class Token(NamedTuple):
    kind: str
    text: str
    low: str
    line: int
    value: Decimal | None = None
    unit: str = ""  # k, m, b (already applied to value), h, d, w, min (time: a timeframe, not a price)
    percent: bool = False
    leverage: bool = False
    currency: bool = False  # written with $, € or £
    fraction: bool = False  # half, a quarter, 1/3: a share rather than a count
    ignored: bool = False  # inside brackets holding percentages or pips
    base: str = ""  # PAIR: the two sides as written
    quote: str = ""


_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]"
)
_KEYCAP = re.compile("([0-9])\ufe0f?\u20e3")
# Markup pasted from a web page or a channel's HTML ("<b>buy</b> 0.1 eth"): a tag's brackets are no "<" or ">"
# of an alert, so whole tags go (a lone "<" in "btc < 60000" is no tag and stays).
# The Cyrillic х of "х10" or "10х" is the leverage's x; inside a word it is a letter (Вход).
_CYRILLIC_X = re.compile(r"(?<=[0-9])[хХ](?![^\W\d_])|(?<![^\W\d_])[хХ](?=[0-9])")
# A no-break or thin space between digit groups (64 200) is a thousands separator, never two numbers.
_GROUP_SPACE = re.compile(r"(?<=[0-9])[\u00a0\u202f\u2009](?=[0-9]{3}(?![0-9]))")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>]{0,200})?/?>")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "⁄": "/",
                         "×": "x", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\t": " ", "\u00a0": " ",
                         "🟰": "="})  # fmt: skip
# Labels glued to what follows in exported posts: "SL4416", "TP109.28" (a price: three digits or a decimal, where
# TP1 or TP10 number a target), "LONGLeverage", "10.0XEntry".
_GLUED_PRICE = re.compile(r"\b(SL|Sl|sl|TP|Tp|tp|Entry|ENTRY|entry)(?=[0-9]{3}|[0-9]{1,2}\.[0-9])")
# "(RR 0.8 — TP1) = 4069.1", "R:R 1:3": a reward-to-risk ratio is never a price, and a label in brackets is the
# label of the number after them.
_RISK_RATIO = re.compile(r"\b[Rr] ?[:/]? ?[Rr] ?:? ?[0-9]+(?:[.,][0-9]+)?(?: ?: ?[0-9]+(?:[.,][0-9]+)?)?")
_BRACKETED_LABEL = re.compile(r"\(\s*[-,]?\s*((?:TP|Tp|tp|SL|Sl|sl)\s?[0-9]{0,2})\s*\)")
_GLUED_LABEL = re.compile(r"(?:(?<=[A-Z])|(?<=[0-9][xX]))(?=(?:Leverage|Entry|Entries|Targets?|Stop|Take)\b)")

_TOKEN_PATTERN = r"""
     (?P<nl>\n)
    |(?P<slabel>\b[sStT][/.][lLpP]\b\.?)
    |(?P<pair>[#$]?[A-Za-z0-9]{1,15}(?:[ ]{0,3}/[ ]{0,3}|-|_)[A-Za-z]{2,8}\b(?:[._-]?(?:PERP|P)\b)?)
    |(?P<when>\b[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\b|\b(?:0?[1-9]|[12][0-9]|3[01])(?P<dsep>[./])(?:0?[1-9]|1[0-2])(?P=dsep)(?:20)?[0-9]{2}\b(?![.,][0-9])|\bT?[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2})?\b)
    |(?P<sci>\b[0-9]{1,6}(?:\.[0-9]+)?[eE][+]?[0-9]{1,2}\b)
    |(?P<frac>\b[1-9]/[1-9][0-9]?(?![0-9.,]))
    |(?P<ord>\b[0-9]{1,2}(?:st|nd|rd|th)\b)
    |(?P<lev>\b[xX][ ]?[0-9]{1,4}(?:\.[0-9]+)?\b)
    |(?P<tagd>[#$](?![0-9]+(?:[kKmMbBxX]|bn|mil|mln)\b)[0-9]+[A-Za-z][A-Za-z0-9]*)
    |(?P<alnum>(?![0-9]+(?:[kKmMbBxXhHdDwW]|bn|mil|mln|min)\b)[0-9]+[A-Za-z][A-Za-z0-9]*)
    |(?P<num>(?:[$€£][ ]?)?(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:[.,][0-9]+)?|\.[0-9]+))
      (?P<suffix>[ ]?(?:[kK]|bn|mil|mln|min|[mMbBhHdDwW])\b)?(?P<after>[ ]?(?:%|[xX]\b))?
    |(?P<tag>[#$][A-Za-z0-9]+(?:\.P\b)?)
    |(?P<word>[^\W\d_](?:[^\W_]|')*(?:[._-](?:PERP|P)\b)?)
    |(?P<punct>[^\sA-Za-z0-9])
    """
_TOKEN = re.compile(_TOKEN_PATTERN, re.VERBOSE)
# The same without pairs: re-reads a pair-shaped run that is no pair ("stop-loss", "buy/sell") as words.
_TOKEN_NO_PAIR = re.compile(re.sub(r"\|\(\?P<pair>.*\n", "", _TOKEN_PATTERN), re.VERBOSE)

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "couple": 2, "dozen": 12,
}  # fmt: skip
FRACTION_WORDS: dict[str, Decimal] = {
    "half": Decimal("0.5"),
    "quarter": Decimal("0.25"),
    "third": Decimal(1) / 3,
}
_SCALES = {"k": Decimal(1000), "m": Decimal(10**6), "mil": Decimal(10**6), "mln": Decimal(10**6),
           "b": Decimal(10**9), "bn": Decimal(10**9)}  # fmt: skip
_TIME_UNITS = frozenset({"h", "d", "w", "min"})
_TIME_WORDS = frozenset(
    ["hour", "hours", "hr", "hrs", "minute", "minutes", "mins", "day", "days", "week", "weeks", "month", "months",
     "sec", "secs", "seconds", "candles", "candle", "bars"]
)  # fmt: skip
_PAIR_QUOTE_ANY = assets.STABLE_QUOTES | assets.FIAT | assets.METALS | assets.CRYPTO_TICKERS


def normalise(text: str) -> str:
    """Fold look-alike characters (bold maths letters, full-width digits, dashes) into plain ASCII forms."""
    text = _KEYCAP.sub(r"\1) ", text)
    if "<" in text or "&" in text:
        text = html.unescape(_HTML_TAG.sub(" ", text))
    text = _GROUP_SPACE.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = _CYRILLIC_X.sub("x", text)
    text = _GLUED_LABEL.sub(" ", _GLUED_PRICE.sub(r"\1 ", text))
    text = _BRACKETED_LABEL.sub(r" \1 ", _RISK_RATIO.sub(" ", text))
    return _INVISIBLE.sub("", text)


def _decimal(digits: str) -> Decimal | None:
    digits = digits.replace(" ", "").lstrip("$€£")
    if len(digits) > MAX_DIGITS:
        return None
    if "," in digits and "." in digits.partition(",")[0]:  # 1.234,56: dots group thousands, a comma decimals
        digits = digits.replace(".", "").replace(",", ".")
    elif "," in digits:
        thousands = re.fullmatch(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?", digits)
        digits = digits.replace(",", "") if thousands else digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _valid_pair(base: str, quote: str, sep: str) -> bool:
    if not any(c.isalpha() for c in base):
        return False
    quote_up = quote.upper()
    if sep in "-_":
        return quote_up in assets.PAIR_QUOTES
    return quote_up in _PAIR_QUOTE_ANY or quote_up.removesuffix("P") in assets.PAIR_QUOTES


def _number_token(m: re.Match[str], line: int) -> Token:
    raw = m.group("num")
    value = _decimal(raw)
    if value is None:
        return Token(WORD, m.group(0), m.group(0).lower(), line)
    suffix = (m.group("suffix") or "").strip().lower()
    after = (m.group("after") or "").strip().lower()
    if suffix in _SCALES:
        value *= _SCALES[suffix]
    text = m.group(0).strip()
    return Token(
        NUM, text, text.lower(), line, value, unit=suffix, percent=after == "%", leverage=after == "x",
        currency=raw.lstrip()[:1] in "$€£",
    )  # fmt: skip


def _scan(text: str, tokens: list[Token], line: int, allow_pair: bool = True) -> int:
    """Append the tokens of text to tokens; return the line count reached."""
    for m in (_TOKEN if allow_pair else _TOKEN_NO_PAIR).finditer(text):
        kind = m.lastgroup
        if kind == "suffix" or kind == "after":
            kind = "num"
        whole = m.group(0)
        if kind == "nl":
            tokens.append(Token(NL, "\n", "\n", line))
            line += 1
        elif kind == "pair":
            parts = re.split(r"[ ]{0,3}/[ ]{0,3}|-|_", whole.lstrip("#$"), maxsplit=1)
            base, quote = parts[0], parts[1] if len(parts) > 1 else ""
            sep = "/" if "/" in whole else "-"
            quote = re.sub(r"[._-]?(?:PERP|P)$", "", quote) if quote.upper() not in _PAIR_QUOTE_ANY else quote
            if _valid_pair(base, quote, sep):
                tokens.append(Token(PAIR, whole, whole.lower(), line, base=base, quote=quote))
            else:
                line = _scan(whole, tokens, line, allow_pair=False)
        elif kind == "num":
            tokens.append(_number_token(m, line))
        elif kind == "when":  # a date or a time of day ("2026-2-27", "27.02.2026", "14:30"): never a price
            tokens.append(Token(PUNCT, whole, whole, line))
        elif kind == "sci":  # "1e5": 100000, as written
            tokens.append(Token(NUM, whole, whole.lower(), line, Decimal(whole)))
        elif kind == "frac":
            top, bottom = whole.split("/")
            tokens.append(Token(NUM, whole, whole, line, Decimal(top) / Decimal(bottom), fraction=True))
        elif kind == "lev":
            value = _decimal(whole[1:].strip())
            tokens.append(Token(NUM, whole, whole.lower(), line, value, leverage=True))
        elif kind == "ord":
            tokens.append(Token(INDEX, whole, whole.lower(), line, Decimal(whole[:-2])))
        elif kind == "slabel":
            tokens.append(Token(WORD, whole, re.sub(r"[/.]", "", whole.lower()), line))
        elif kind == "alnum" and _split_amount(whole, tokens, line):
            pass
        elif kind in ("tag", "tagd"):
            body = whole[1:]
            if body.isdigit():
                tokens.append(Token(INDEX, whole, whole, line, _decimal(body)))
            else:
                tokens.append(Token(TAG, whole, whole.lower(), line))
        elif kind in ("word", "alnum"):
            tokens.append(word_token(whole, line))
        else:
            tokens.append(Token(PUNCT, whole, whole, line))
    return line


_AMOUNT_UNITS = assets.CRYPTO_TICKERS | assets.STABLE_QUOTES | assets.FIAT | {"DOLLARS", "BUCKS"}


def _split_amount(word: str, tokens: list[Token], line: int) -> bool:
    """ "10eth", "500usdt": a count glued to its asset is two tokens (but 1INCH and 2Z stay tickers)."""
    m = re.fullmatch(r"([0-9]{1,12})([A-Za-z]+)", word)
    if m is None or m.group(2).upper() not in _AMOUNT_UNITS or m.group(2).upper() in assets.AMBIGUOUS_WORDS:
        return False
    tokens.append(Token(NUM, m.group(1), m.group(1), line, Decimal(m.group(1))))
    tokens.append(word_token(m.group(2), line))
    return True


def word_token(word: str, line: int, low: str | None = None) -> Token:
    """A word, or the number it spells; `low`: the English word it stands for, where another language's."""
    low = low or word.lower().replace("\u0307", "")  # Turkish İ lowers to i and a combining dot: the dot goes
    if low in NUMBER_WORDS:
        return Token(NUM, word, low, line, Decimal(NUMBER_WORDS[low]))
    if low in FRACTION_WORDS or low.removesuffix("s") in FRACTION_WORDS:
        return Token(NUM, word, low, line, FRACTION_WORDS[low.removesuffix("s")], fraction=True)
    return Token(WORD, word, low, line)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    _scan(normalise(text), tokens, 0)
    return _mark(_join_currencies(tokens))


_CURRENCY_CODES = assets.FIAT | assets.METALS


def _join_currencies(tokens: list[Token]) -> list[Token]:
    """ "EUR USD", "Gbp cad": two currency or metal codes side by side are a forex pair written apart."""
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and tok.kind == WORD
            and prev.kind == WORD
            and prev.line == tok.line
            and prev.text.upper() in _CURRENCY_CODES
            and tok.text.upper() in _CURRENCY_CODES
            and prev.low != tok.low
        ):
            text = f"{prev.text} {tok.text}"
            out[-1] = Token(PAIR, text, text.lower(), tok.line, base=prev.text, quote=tok.text)
        else:
            out.append(tok)
    return out


def _mark(tokens: list[Token]) -> list[Token]:
    """Second pass: percent words, spelled compounds, bracketed asides and list numbering."""
    out: list[Token] = []
    line_start = True
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = nxt.low if nxt is not None and nxt.kind == WORD else ""
        if tok.kind == NUM and after in ("percent", "pct", "percents"):
            tok = tok._replace(percent=True)
        elif tok.kind == NUM and after in ("pips", "pip", "points", "pts", "ticks"):
            tok = tok._replace(unit="pips")  # "SL: 30 pips": a distance, not a price
        elif (
            tok.kind == NUM
            and after in ("lot", "lots", "lotsize", "lote", "lotes")
            and not _labels_a_size(tokens, i)
        ):
            tok = tok._replace(unit="lot")  # "0.01 lot size for each 200 balance": a size, never a price
        elif tok.kind == NUM and after in _TIME_WORDS:
            tok = tok._replace(unit="time")  # "48 Minutes", "24 hours": a duration, never a price
        if tok.kind == NUM and _is_numbering(tokens, i, line_start):
            tok = tok._replace(kind=INDEX)
        spelled_before = bool(out) and out[-1].kind == NUM and out[-1].low in NUMBER_WORDS
        if spelled_before and (tok.low in ("hundred", "thousand") or (tok.fraction and tok.low != "half")):
            prev = out.pop()  # "two hundred"; "three quarters", "two thirds": a count of fractions
            assert prev.value is not None and tok.value is not None
            tok = tok._replace(value=prev.value * tok.value, text=f"{prev.text} {tok.text}")
        out.append(tok)
        if tok.kind == NL:
            line_start = True
        elif tok.kind != PUNCT:
            line_start = False
    _mark_brackets(out)
    return out


def _is_numbering(tokens: list[Token], i: int, line_start: bool) -> bool:
    """1) 2.380, "1. 7.95" at a line's start, 2) inline: small integers that number a list, not prices."""
    tok = tokens[i]
    if tok.value is None or tok.unit or tok.percent or tok.leverage or tok.currency or tok.fraction:
        return False
    if not tok.text.isdigit() or not 0 < tok.value <= 20 or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    if nxt.text == ")":
        # An opening bracket just before makes it "(3)", an aside, not a list number.
        return not (i > 0 and tokens[i - 1].text == "(")
    if line_start and nxt.text in (".", ":") and i + 2 < len(tokens):
        return tokens[i + 2].kind == NUM and tokens[i + 2].line == tok.line
    return False


def _labels_a_size(tokens: list[Token], i: int) -> bool:
    """ "TP 2345 lot size 0.01": the lot word labels the number after it (a post flattened onto one line)."""
    after = [t for t in tokens[i + 2 : i + 5] if t.text != ":"]
    if after and after[0].low == "size":
        after = [t for t in after[1:] if t.text != ":"]
    return bool(after) and after[0].kind == NUM


_ASIDE_WORDS = frozenset(
    {"pips", "pip", "pts", "points", "rr", "r", "risk", "reward", "profit", "gain", "roi"}
)


def _mark_brackets(tokens: list[Token]) -> None:
    """Blank out "(2%)", "(-3%)", "(50 pips)": asides that must not count as prices."""
    i = 0
    while i < len(tokens):
        if tokens[i].text in ("(", "["):
            closer = ")" if tokens[i].text == "(" else "]"
            j = i + 1
            while j < len(tokens) and j - i <= 12 and tokens[j].text != closer and tokens[j].kind != NL:
                j += 1
            if j < len(tokens) and tokens[j].text == closer:
                inner = tokens[i + 1 : j]
                if any(t.percent or (t.kind == WORD and t.low in _ASIDE_WORDS) for t in inner):
                    for k in range(i + 1, j):
                        tokens[k] = tokens[k]._replace(ignored=True)
                i = j
        i += 1
