"""Entity extraction for chat commands: orders, alerts and the symbol of the other intents (the stop commands'
in nlp.stop_commands)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from nlp.languages import could_be_one_number
from nlp.lexer import INDEX, NUM, PAIR, PUNCT, WORD, Token
from nlp.result import AmountUnit, Condition, OrderType, Position, Side
from nlp.signal import SignalReading
from nlp.symbols import WEAK, SymbolMatch, best

BUY_VERBS = frozenset({"buy", "buys", "purchase", "acquire", "grab", "long", "ape", "accumulate", "buyy", "biy",
                       "invest", "spend", "dca",
                       "bui", "byu", "bought", "longing", "scoop", "get", "add"})  # fmt: skip
SELL_VERBS = frozenset({"sell", "sells", "dump", "short", "offload", "unload", "sel", "sll", "selll", "shorting",
                        "shrt", "sold", "trim", "liquidate"})  # fmt: skip
_CASH_WORDS = {"dollars": None, "dollar": None, "bucks": None, "usd": "USD", "usdt": "USDT", "usdc": "USDC",
               "busd": "BUSD", "fdusd": "FDUSD", "dai": "DAI", "eur": "EUR", "euros": "EUR", "euro": "EUR"}  # fmt: skip
# Words that may stand between a count and its asset: "2 more eth", "0.5 of my btc", "half a btc".
_AMOUNT_FILLERS = frozenset(
    {"of", "a", "my", "more", "extra", "additional", "whole", "units", "coins", "the"}
)
_SPEND_VERBS = frozenset({"invest", "spend", "put"})
_ALL_WORDS = frozenset({"all", "everything", "entire", "whole", "full"})
_PRICE_CUES = frozenset({"at", "@", "price", "limit", "for", "to", "hits", "reaches", "touches", "below", "under",
                         "above", "over", "around", "near", "hit", "reach"})  # fmt: skip
_UP_WORDS = frozenset({"above", "over", "rises", "rise", "climbs", "climb", "pumps", "pump", "breaks", "break",
                       "exceeds", "exceed", "higher", "surpasses", "tops", "moons", ">", ">=", "≥", "passes",
                       "spikes", "jumps", "rallies", "goes up", "past", "beyond"})  # fmt: skip
_DOWN_WORDS = frozenset({"below", "under", "drops", "drop", "falls", "fall", "dips", "dip", "lower", "crashes",
                         "crash", "dumps", "sinks", "declines", "tanks", "down", "<", "<=", "≤", "beneath",
                         "slides", "plunges", "retraces"})  # fmt: skip
_STOP_VERBS = ("buy", "sell", "order", "market", "limit")
_LONG_WORDS = frozenset({"long", "longs", "longing"})
_SHORT_WORDS = frozenset({"short", "shorts", "shorting", "shrt"})


@dataclass(frozen=True, slots=True)
class OrderFields:
    symbol: str | None
    quote: str | None
    side: Side | None
    order_type: OrderType
    amount: Decimal | None
    amount_unit: AmountUnit | None
    price: Decimal | None
    stop_loss: Decimal | None
    targets: tuple[Decimal, ...]
    stop_loss_percent: Decimal | None
    target_percents: tuple[Decimal, ...]
    leverage: Decimal | None
    amount_before_symbol: bool  # "buy 0.4 eth": the number is a size, which a signal never puts first


def is_plain_number(tok: Token) -> bool:
    return (
        tok.kind == NUM
        and tok.value is not None
        and not tok.leverage
        and tok.unit not in ("h", "d", "w", "min", "time", "pips")
    )


def verb_side(tokens: Sequence[Token]) -> tuple[Side | None, int]:
    """The side of the first trade verb and its index; "by" counts as "buy" only where a verb stands."""
    for i, tok in enumerate(tokens):
        if tok.kind != WORD:
            continue
        nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
        if tok.low in ("get", "add") and (i > 0 or nxt in ("rid", "out", "me out", "lost")):
            continue
        if tok.low in BUY_VERBS or (tok.low == "put" and i + 1 < len(tokens) and tokens[i + 1].kind == NUM):
            return "buy", i
        if tok.low in SELL_VERBS:
            return "sell", i
        if tok.low == "by" and i == 0:
            return "buy", i
        if i == 0 and _takes_profit(tokens):
            return "sell", i
    return None, -1


def _takes_profit(tokens: Sequence[Token]) -> bool:
    """ "take profit on half my sol at 160": an order to sell, said the way traders say it (a label "Take
    profit:" of a signal has a colon or a number after it, not "on", "of", "with" or "from")."""
    lows = [t.low for t in tokens[:3]]
    return (
        len(lows) == 3
        and lows[0] == "take"
        and lows[1] in ("profit", "profits")
        and lows[2] in ("on", "of", "with", "from", "in")
    )


def _symbol_for_order(matches: list[SymbolMatch], verb_at: int) -> SymbolMatch | None:
    """The traded asset: skip a cash word that is the unit of an amount (200 usdt worth of link), and a verb
    that is a ticker too ("ape 200 usdc into wif") where another asset is named."""
    others = [m for m in matches if m.index != verb_at]
    if len(others) < len(matches) and best(others) is not None:
        matches = others
    traded = best(matches, allow_cash=False)
    if traded is not None:
        return traded
    return best(matches)


def extract_order(tokens: Sequence[Token], matches: list[SymbolMatch], signal: SignalReading) -> OrderFields:
    side, verb_at = verb_side(tokens)
    chosen = _symbol_for_order(matches, verb_at)
    sym_at = chosen.index if chosen else len(tokens)
    quote = chosen.quote if chosen else None
    amount: Decimal | None = None
    unit: AmountUnit | None = None
    amount_at = -1
    price: Decimal | None = None
    leverage = signal.leverage
    lows = [t.low for t in tokens]
    words = [low for low in lows if low != "-"]
    order_type: OrderType = "market"
    for i, low in enumerate(words):
        if low == "stop" and i + 1 < len(words) and words[i + 1] in _STOP_VERBS:
            order_type = "stop"
        elif low == "limit" and order_type == "market":
            order_type = "limit"
    risk = _risk_amount(tokens, lows)
    if risk is not None:
        amount, amount_at = risk
        unit = "risk"
    for i, tok in enumerate(tokens):
        if amount is not None:
            break
        if not is_plain_number(tok) or tok.ignored:
            continue
        assert tok.value is not None
        nxt = lows[i + 1] if i + 1 < len(lows) else ""
        after_of = lows[i + 2] if i + 2 < len(lows) and nxt == "of" else nxt
        if tok.percent and (nxt in ("of", "my") or 0 <= verb_at < i <= verb_at + 2):
            amount, unit, amount_at = tok.value, "percent", i  # "sell 10% of my eth", not "tp +5%"
            break
        by = i > 0 and lows[i - 1] == "by"  # "reduce my btc long by half"
        if tok.fraction and (after_of in ("my", "the", "our") or nxt in ("of", "my") or by):
            amount, unit, amount_at = tok.value * 100, "percent", i
            break
        if (nxt in _CASH_WORDS or nxt == "$") and (chosen is None or chosen.index != i + 1 or chosen.is_cash):
            amount, unit, amount_at = tok.value, "quote", i
            quote = _CASH_WORDS.get(nxt) or quote
            break
        if tok.currency or (i == verb_at + 1 and lows[verb_at] in _SPEND_VERBS):
            amount, unit, amount_at = tok.value, "quote", i  # "$50 of sol", "invest 500 in sol"
            break
        between = lows[i + 1 : sym_at]
        if (
            chosen is not None
            and sym_at > i
            and len(between) <= 2
            and all(w in _AMOUNT_FILLERS for w in between)
        ):
            amount, unit, amount_at = tok.value, "base", i
            break
    if amount is None and any(low in _ALL_WORDS for low in lows) and side == "sell":
        amount, unit = Decimal(100), "percent"
    cue_dir = ""
    for i, tok in enumerate(tokens):
        if i == amount_at or not is_plain_number(tok) or tok.percent or tok.ignored or tok.fraction:
            continue
        if _labelled(tok.value, signal):
            continue
        cue = _cue_before(lows, i)
        if amount is None and i == sym_at + 1 and not cue:
            amount, unit, amount_at = tok.value, "base", i
            continue
        if (cue and cue != "for") or (cue == "for" and amount is not None):
            price, cue_dir = tok.value, _direction(lows, i)
            break
        if cue == "for" and amount is None:
            amount, unit, amount_at = tok.value, "quote", i
    targets = signal.labelled_targets
    if price is None and targets and _takes_profit(tokens):
        price, targets = targets[0], ()  # "take profit on half my sol at 160": 160 is the sale's own price
    if price is not None and order_type == "market":
        order_type = "limit"
        if (side == "buy" and cue_dir == "up") or (side == "sell" and cue_dir == "down"):
            order_type = "stop"  # buying a breakout or selling a breakdown: a stop, not a resting limit
    if quote is None:
        quote = _named_quote(lows, chosen)
    return OrderFields(
        symbol=chosen.symbol if chosen else None,
        quote=quote,
        side=side,
        order_type=order_type,
        amount=amount,
        amount_unit=unit,
        price=price,
        stop_loss=signal.stop_loss,
        targets=targets,
        stop_loss_percent=signal.stop_loss_percent,
        target_percents=signal.target_percents,
        leverage=leverage,
        amount_before_symbol=amount_at >= 0 and verb_at <= amount_at < sym_at,
    )


_RISK_WORDS = frozenset({"risk", "risking"})


def _risk_amount(tokens: Sequence[Token], lows: Sequence[str]) -> tuple[Decimal, int] | None:
    """ "risk 1%", "risking 2% of my equity", "with 1% risk": the share of the equity to lose at the stop, and
    where it stands. A "Risk: 2%" line of a channel's post has its colon between, and is not one."""
    for i, tok in enumerate(tokens):
        if not (is_plain_number(tok) and tok.percent) or tok.ignored or tok.value is None:
            continue
        before = lows[i - 1] if i > 0 else ""
        after = lows[i + 1] if i + 1 < len(lows) else ""
        if before in _RISK_WORDS or after == "risk":
            return tok.value, i
    return None


def position_named(tokens: Sequence[Token], matches: list[SymbolMatch]) -> tuple[Position | None, bool]:
    """The long or short a message names, and whether it names one held: the word right after the asset ("close
    my eth short", "reduce my btc long") rather than its verb ("short 0.1 eth", "long btc 10x")."""
    _, verb_at = verb_side(tokens)
    ends = {match.index + match.span for match in matches}
    for i, tok in enumerate(tokens):
        position: Position | None = (
            "long" if tok.low in _LONG_WORDS else "short" if tok.low in _SHORT_WORDS else None
        )
        if position is not None and (i in ends or i == verb_at):
            return position, i in ends
    return None, False


def _labelled(value: Decimal | None, signal: SignalReading) -> bool:
    """Numbers under a stop or take-profit label are the order's bracket, not its price."""
    return value is not None and (value == signal.stop_loss or value in signal.labelled_targets)


def _cue_before(lows: Sequence[str], i: int) -> str:
    for back in (1, 2):
        if i - back >= 0:
            word = lows[i - back]
            if word in _PRICE_CUES:
                return word
            if word in _DOWN_WORDS or word in _UP_WORDS:
                return "to"
            if word not in ("$", "the", "of", "it", "price", "is", "a", "'s", "s"):
                return ""
    return ""


def _direction(lows: Sequence[str], i: int) -> str:
    for word in lows[max(0, i - 4) : i]:
        if word in _UP_WORDS:
            return "up"
        if word in _DOWN_WORDS:
            return "down"
    return ""


def _named_quote(lows: Sequence[str], chosen: SymbolMatch | None) -> str | None:
    """'with usdt', 'in usdc', 'using busd' name the quote asset."""
    for i, low in enumerate(lows[:-1]):
        if low in ("with", "using", "in", "from", "for") and lows[i + 1] in _CASH_WORDS:
            code = _CASH_WORDS[lows[i + 1]]
            if code and (chosen is None or code != chosen.symbol):
                return code
    return None


def extract_alert(
    tokens: Sequence[Token], matches: list[SymbolMatch]
) -> tuple[str | None, Condition | None, Decimal | None, Decimal | None]:
    """The alert's symbol, condition, and price, or the move in percent ("if eth goes up 5%") where given so."""
    chosen = best(matches, allow_cash=False) or best(matches)
    lows = [t.low for t in tokens]
    condition: Condition = "cross"
    for i, low in enumerate(lows):
        two = f"{low} {lows[i + 1]}" if i + 1 < len(lows) else ""
        if low in _UP_WORDS or two in ("goes up", "more than", "greater than"):
            condition = "above"
            break
        if low in _DOWN_WORDS or two in ("goes down", "less than"):
            condition = "below"
            break
    numbers = [(i, t) for i, t in enumerate(tokens) if is_plain_number(t) and not t.ignored]
    after = [t for i, t in numbers if chosen is None or i > chosen.index]  # "alert me at 3000 for eth" too
    first = after[0] if after else (numbers[0][1] if numbers else None)
    threshold = first.value if first is not None and not first.percent else None
    percent = first.value if first is not None and first.percent else None
    return (chosen.symbol if chosen else None), condition, threshold, percent


def extract_symbol(matches: list[SymbolMatch]) -> tuple[str | None, str | None]:
    chosen = best(matches, allow_cash=False) or best(matches)
    if chosen is None:
        return None, None
    return chosen.symbol, chosen.quote


def has_pair(tokens: Sequence[Token]) -> bool:
    return any(t.kind == PAIR for t in tokens)


def question_mark(tokens: Sequence[Token]) -> bool:
    return any(t.kind == PUNCT and t.text == "?" for t in tokens)


_JOINERS = frozenset({"and", ",", "&", "+", "plus", "also", "then", ";"})


def second_order(tokens: Sequence[Token], matches: list[SymbolMatch], chosen: str | None) -> str | None:
    """Another asset after a joiner in an order ("buy 0.05 eth and 0.001 btc"): the text of the second
    order, which the reading would otherwise drop."""
    for match in matches:
        if match.is_cash or match.symbol == chosen or match.strength < WEAK:
            continue
        joiner = next(
            (i for i in range(match.index - 1, max(-1, match.index - 4), -1) if tokens[i].low in _JOINERS),
            None,
        )
        if joiner is not None and any(m.symbol == chosen and m.index < joiner for m in matches):
            return " ".join(t.text for t in tokens[joiner + 1 : match.index + match.span])
    return None


def spaced_number(tokens: Sequence[Token]) -> str | None:
    """ "buy 1 500 doge": a space inside a number (1,500) or two numbers (1, then 500)? Never guessed."""
    for first, second in pairwise(tokens):
        if len(first.text) <= 3 and could_be_one_number(first, second):
            return f"{first.text} {second.text}"
    return None


def order_number(tokens: Sequence[Token]) -> int | None:
    """ "cancel order 2", "cancel order #17", "cancel #17": the number of the order named, where one is."""
    for i, tok in enumerate(tokens):
        if tok.kind == INDEX and tok.text.startswith("#") and tok.value is not None:
            return int(tok.value)
        if tok.low in ("order", "orders") and i + 1 < len(tokens):
            nxt = tokens[i + 1]
            if (
                nxt.kind in (NUM, INDEX)
                and nxt.value is not None
                and nxt.value == nxt.value.to_integral_value()
            ):
                return int(nxt.value)
    return None
