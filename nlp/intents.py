"""Rule stage of intent classification: decides where a known pattern matches, says how sure it is.

Each intent has cue patterns; the cues found, the entities present (symbol, number, side) and the signal
reader's structure give a confidence, which nlp.verdict_revisions then revises (a follow-up, a message read only
in part). At SURE or above the rules decide alone; below it the pipeline asks the embedding classifier
(nlp.classifier) and keeps the rules' reading as one of the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from nlp import assets
from nlp.commands import OrderFields, verb_side
from nlp.doubts import signal_doubts
from nlp.lexer import NUM, PAIR, TAG, WORD, Token
from nlp.result import Alternative, Intent
from nlp.signal import SignalReading
from nlp.signal_labels import STOP, TARGET
from nlp.stop_commands import ends_trailing_entry, stop_mode_named, turns_off
from nlp.symbols import GUESS, KNOWN, SymbolMatch
from nlp.updates import PERIOD

SURE = 0.8
# A signal read with a doubt (nlp.doubts), or that also speaks of an earlier one's progress (an edited post,
# "TP1 ✅"), is asked back, never followed at once.
UNSURE_SIGNAL = 0.85

# A stop mode asked for ("trailing take profit 3% on my eth", "trail tp 3% on eth", "trailing take-profit"): a
# stop cue of its own, and its percentage is no gain reported.
# Words may come between ("trail my eth take profit 3%", "trail eth tp 3%"), but no trade verb.
_TRAILING_TAKE_PROFIT = re.compile(
    r"\btrail(?:ing)?(?: (?!buy\b|sell\b|long\b|short\b)\S+){0,3}? (?:take ?(?:- )?profits?|tps?)\b"
)
# A stop mode named without a stop word ("trail eth 3%", "moving target on sol", "breakeven after tp2 btc"): a
# stop command where a coin is named ("trail" alone is not one).
_TRAIL = re.compile(r"\btrail\b(?! (?:buy|entry))")
_CUES: dict[Intent, re.Pattern[str]] = {
    "set_alert": re.compile(
        r"\b(?:alerts?|notify|notification|ping|let me know|lmk|tell me|remind|warn|message me|text me|dm me|"
        r"inform|heads up|wake me|buzz me|shout)\b"
    ),
    "cancel_order": re.compile(
        r"\b(?:cancel\w*|revoke|withdraw|delete|remove|kill|pull|scrap|drop (?:my|the|that|all|every)|forget(?: about)? (?:my|the|that)|"
        r"never ?mind|call off|undo|get rid of)\b"
    ),
    "close_position": re.compile(
        r"\b(?:close(?! to| by| at)|closing|exit|flatten|square off|get (?:me )?out of|get out|liquidate|"
        r"cash out|bail out|take me out)\b"
    ),
    "set_stop_loss": re.compile(rf"\b(?:stop ?loss|stoploss|stops?|sl)\b|{_TRAILING_TAKE_PROFIT.pattern}"),
    "orders": re.compile(
        r"\b(?:orders?|pending|working orders|resting|waiting to (?:fill|execute)|unfilled)\b"
    ),
    "pnl": re.compile(
        r"\b(?:pnl|p ?& ?l|p l|profits?|loss|losses|gains?|performance|returns?|roi|how did i do|"
        r"how am i doing|how (?:i'm|im) doing|earned|up or down|realized|unrealized|doing today|"
        r"(?:make|made|making|lost|lose|losing) money|(?:have|did) i (?:made|make|lost|lose)|i (?:made|lost)|"
        r"how much (?:\w+ )?(?:made|lost)|made on|lost on|"
        r"in the (?:green|red)|winning|losing)\b"
    ),
    "portfolio": re.compile(
        r"\b(?:portfolio|portfolios|balances?|holdings?|hold|holding|own|assets|wallet|funds|positions?|bags?|"
        r"net worth|equity|account|do i have|what i have|have i got|stack|coins do i|money|cash|buying power)\b"
    ),
    "price": re.compile(
        r"\b(?:price|prices|pricing|how much is|how much are|how much for|how much does|trading at|quote|"
        r"value of|rate|what's \w+ at|what is \w+ at|where is \w+|where's \w+|going for|cost|"
        r"how(?:'s| is| are) \w+ (?:doing|looking|moving|trading))\b"
    ),
    "help": re.compile(
        r"(?:^/ ?(?:help|start)\b|\b(?:help|commands?|what can you do|what can (?:this|the|u|you) ?(?:bot)? do|"
        r"how do i|how does (?:this|it) work|guide|tutorial|instructions|features|menu|usage|how to use|"
        r"what do you do|what are you|who are you|manual|options)\b)"
    ),
}
_STOP_VERBS = re.compile(
    r"\b(?:set|move|put|change|update|adjust|raise|lower|trail(?:ing)?|place|add|tighten|modify|bump|drag|shift|make)\b"
)
_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|heya|yo|gm|gn|good (?:morning|evening|night|afternoon|day)|thanks?|thank (?:you|u)|thx|"
    r"ty|tysm|cheers|ok|okay|k|cool|nice|great|lol|lmao|haha\w*|bye|goodbye|see (?:you|ya)|wow|sup|hola|"
    r"howdy|awesome|perfect|got it|sounds good|how are you|how r u|what's up|whats up|gg|np|no worries|"
    r"sorry|welcome|morning|evening|love it|amazing|sweet|yes|no|yep|nope|sure|test|testing)\b"
)
_THANKS = re.compile(r"^(?:thanks?|thank (?:you|u)|thx|ty|tysm|cheers)\b")
_REPORT = re.compile(
    r"✅|🏆|💰|\b(?:hit|hits|reached|achieved|done|smashed|booked|secured|stopped out|closed|congrats|"
    r"congratulations|win ?rate|results?|report|recap|summary|period|gained|in profit|all targets|"
    r"profit booked|sl hit|stop hit|stopped|triggered|filled|activated|accuracy|winners?|losers?|streak|moved|"
    r"signal ?# ?\d+)\b|update ?:"
)
_COMMENTARY = re.compile(
    r"\b(?:no entry|not entering|no trade|wait(?:ing)?|watch(?:ing)?|consolidat\w*|looks?|looking|might|"
    r"could|may|expect\w*|likely|probably|think|imo|analysis|chart|support|resistance|breakout|bounce|"
    r"trend\w*|sideways|ranging|for now|dominance|news|bullish|bearish|patience|careful|volatile|"
    r"volatility|risk management|manage your risk|never risk|stay safe|dyor|not financial advice|nfa|"
    r"pump(?:ing)?|dump(?:ing)?|moon(?:ing)?|rekt|fomo|fud|hodl|retest|reclaim\w*|broke|broken|pumped|dumped|"
    r"crashed|rallied|surged|soared|plunged|rejected|bled|bleeding|halving|etf|fed|cpi|fomc|nfp|listing|"
    r"announcement|airdrop|just)\b"
)
# Asking for advice is talk about trading, not a request to trade.
_ADVICE = re.compile(
    r"\b(?:should (?:i|we)|is it (?:a )?good time|worth buying|thoughts on|what do you think|your opinion|"
    r"which coins?|what coins? (?:should|to)|recommend|any tips|good buy|consider)\b"
)
_HOW_TO = re.compile(r"(?:how (?:do|can|would|should) (?:i|we|you)|how to|is it possible to)\b")
_CONDITIONAL = re.compile(r"\b(?:when|if|once|until|whenever)\b")
# (?<![\d.,]) starts a number only at its first digit: without it a long digit run backtracks quadratically.
_PERCENT_GAIN = re.compile(
    r"[+]\s?\d+(?:[.,]\d+)?\s?%|(?<![\d.,])\d+(?:[.,]\d+)?\s?% (?:profit|gain|roi|return)|"
    r"\b(?:profit|gain|roi|return)s? (?:of )?[+]?\d+(?:[.,]\d+)?\s?%"
)
# What a share of an order is taken of ("buy eth with 10% of my balance"): the holdings named as the base of an
# amount, not a question about them.
_SHARE_BASE = re.compile(r"\bof (?:my|the|our) (?:portfolio|balances?|funds|wallet|holdings|cash|account)\b")
# A channel speaking to its followers ("we are up 300%", "our VIP members"), not a user giving an order.
_CHANNEL_VOICE = re.compile(r"\b(?:we|we're|our|everyone|members|vip|premium|subscribers?|followers?|guys)\b")
# "What coins can I trade?", "which pairs do you support", "list of markets": the markets, a question for help.
MARKETS_QUESTION = re.compile(
    r"\b(?:what|which)\s+(?:coins?|markets?|pairs?|tokens?|assets?|cryptos?|symbols?)\s+(?:can (?:i|we|you)|"
    r"do (?:you|they)|does (?:it|the bot|this bot)|are (?:available|supported|tradable|listed)|is (?:available|"
    r"supported))\b|"
    r"\b(?:list|show)(?: me)?(?: (?:of|the|all))? (?:coins|markets|pairs|tokens|symbols)\b|"
    r"\b(?:supported|available|tradable|tradeable) (?:coins|markets|pairs|tokens|assets|symbols)\b"
)
# Words that ask about the portfolio only when the trader asks ("what do i hold", "my bags"); in a statement
# ("BTC holding 60k support", "I am holding my ETH bags until 5k") they are talk about the market.
_HOLDING_WORDS = re.compile(r"\b(?:hold|holding|own|bags?|positions?|stack)\b")
_ASKING = re.compile(
    r"\?|^(?:what|which|how|show|list|display|give|see|view|check|tell|get|do|does|did|am|are|is|was|were|have|"
    r"has|can|could|will|my|your)\b"
)
_SPEAKS_OF_ME = re.compile(r"\b(?:i|i'm|im|my|me)\b")
# "Don't sell your BTC now", "never buy the top": advice against a trade, not an order.
_NEGATED_TRADE = re.compile(
    r"\b(?:don'?t|do not|dont|never|not|no need to|avoid)\s+(?:\w+\s+)?(?:buy\w*|sell\w*|short\w*|long\w*|"
    r"clos\w+|exit\w*|ape|fomo|chase|panic)\b"
)
# "Price alert: BTC crossed 70k": a report that a level was passed, not a request to be told.
_PASSED_LEVEL = re.compile(
    r"\b(?:crossed|broke|broken|hit|reached|touched|passed|surpassed|dropped|fell|rose)\b"
)
# "We close the week in profit", "cerramos el mes": a period's tally.
_CLOSES_PERIOD = re.compile(rf"\bclos\w* (?:the |this |our |a )?{PERIOD}")
_ASKS_TO_BE_TOLD = re.compile(r"\b(?:me|us|when|if|once|whenever|set|create|add|make)\b")


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    intent: Intent
    confidence: float
    alternatives: tuple[Alternative, ...] = ()


def joined_text(tokens: Sequence[Token]) -> str:
    return " ".join(t.low for t in tokens if t.kind != "nl")


def _signal_confidence(tokens: Sequence[Token], signal: SignalReading, order: OrderFields) -> float:
    """How much the message looks like a channel's trade call (0 when it does not)."""
    sym = signal.symbol
    if sym is None or (sym.strength == GUESS and not (signal.labels & {TARGET, STOP})):
        return 0.0
    one_line = all(t.kind != "nl" for t in tokens)
    sized = order.amount_before_symbol and not _channel_call(signal, order)
    if sized or (one_line and order.amount_unit in ("percent", "quote")):
        return 0.0  # "buy 500 ada, stop loss 0.42": a size first is an order, not a call
    if one_line and order.amount_unit == "risk" and verb_side(tokens)[1] == 0:
        return 0.0  # "long btc 10x risk 1% sl 60000": the trader's own order, sized from risk
    has_bracket = bool(signal.targets) or signal.stop_loss is not None or signal.stop_percent
    if not has_bracket:
        return 0.0
    score = 0.55
    score += 0.15 if signal.side else 0.0
    score += 0.1 if signal.entries else 0.0
    score += 0.1 if signal.targets else 0.0
    score += 0.05 if signal.stop_loss is not None else 0.0
    score += 0.05 if sym.strength >= KNOWN else 0.0
    sided = signal.side or (signal.entries and (signal.targets or signal.stop_loss is not None))
    if not sided:
        return 0.0
    return min(score, 0.97)


_NOT_CRYPTO = assets.FIAT | assets.METALS | assets.INDICES
CHANNEL_CALL = 0.8  # a call with no stop or targets yet: read, and asked back


def _channel_call(signal: SignalReading, order: OrderFields) -> float:
    """ "XAUUSD SELL", "GOLD BUY NOW", "gold sell 4399.5": a forex, metal or index call with no size is a
    signal with no stop or targets yet. A number is its entry only where it has a quote's digits (a lot size
    such as 0.5 or 2 makes it an order)."""
    sym = signal.symbol
    if sym is None or signal.side is None or sym.symbol not in _NOT_CRYPTO:
        return 0.0
    sizes = [*signal.entries, *([order.amount] if order.amount is not None else [])]
    if order.amount_unit not in (None, "base") or not all(map(_quote_digits, sizes)):
        return 0.0
    return CHANNEL_CALL


def _quote_digits(value: Decimal) -> bool:
    """1.0754 or 4399.5 reads as a price; 0.01, 0.5 or 2 as a size."""
    exponent = value.normalize().as_tuple().exponent
    return value >= 100 or (isinstance(exponent, int) and exponent <= -3)


def classify(
    tokens: Sequence[Token], matches: list[SymbolMatch], signal: SignalReading, order: OrderFields
) -> RuleVerdict:
    text = joined_text(tokens)
    words = [t for t in tokens if t.kind in (WORD, NUM, TAG, PAIR)]
    if not words:
        return RuleVerdict("unknown", 0.9)
    side, verb_at = verb_side(tokens)
    if MARKETS_QUESTION.search(text):
        return RuleVerdict("help", 0.9)
    has_symbol = any(m.strength >= 1 for m in matches)
    sig = _signal_confidence(tokens, signal, order) or _channel_call(signal, order)
    if sig and signal_doubts(signal, matches, tokens):
        sig = min(sig, UNSURE_SIGNAL)
    report = bool(_REPORT.search(text)) or (
        bool(_PERCENT_GAIN.search(text)) and not _TRAILING_TAKE_PROFIT.search(text)
    )
    full_call = bool(signal.entries) and (signal.stop_loss is not None or signal.stop_percent)
    if sig and report and len(_named_assets(matches)) > 2:
        return RuleVerdict("unknown", UNSURE_SIGNAL)  # a recap of several trades, none of them a new call
    if sig and not (report and not full_call and not signal.entries_labelled):
        return RuleVerdict("signal", sig)
    conditional = any(_CUES[i].search(text) for i in ("set_alert", "close_position", "cancel_order"))
    conditional = conditional or bool(_CONDITIONAL.search(text))
    channel = bool(_CHANNEL_VOICE.search(text))
    subject = has_symbol or channel or any(w in text for w in ("signal", "trade", "call", "setup"))
    if report and not conditional and subject and not _imperative(tokens, side, verb_at):
        return RuleVerdict("unknown", 0.85)
    found: dict[Intent, float] = {}
    for intent, pattern in _CUES.items():
        if pattern.search(text):
            found[intent] = 0.9
    _weigh(found, text, tokens, side, has_symbol, order)
    if has_symbol and (turns_off(tokens) or ends_trailing_entry(tokens)):
        # "cancel the trailing stop on eth", "turn off the trailing entry on eth": a mode ended, no order cancelled
        found = {"set_stop_loss": 0.9}
    elif has_symbol and (_TRAIL.search(text) or stop_mode_named(tokens)[0]) and "place_order" not in found:
        found["set_stop_loss"] = 0.9
    talk = _talk_not_request(found, text)
    if talk is not None:
        return talk
    if _HOW_TO.match(text) and not any(t.kind == NUM for t in tokens):
        found = {"help": 0.9, **{k: min(v, 0.6) for k, v in found.items() if k != "help"}}
    if channel and side is None and set(found) <= {"pnl", "portfolio", "help"}:
        return RuleVerdict("unknown", 0.8)  # "we are up 300% this month": a channel's boast, not a question
    if _ADVICE.search(text) and not order.amount_before_symbol:
        return RuleVerdict("unknown", 0.8, tuple(Alternative(i, 0.5) for i in found))
    partial = order.amount_unit == "percent" and order.amount is not None and order.amount < 100
    if "close_position" in found and partial:  # "close half my btc": a market sell of that share, not a close
        return RuleVerdict("place_order", 0.8, (Alternative("close_position", 0.6),))
    if not found:
        return _fallback(tokens, text, words, side, has_symbol)
    ranked = sorted(found.items(), key=lambda kv: -kv[1])
    top, score = ranked[0]
    rivals = tuple(Alternative(i, s) for i, s in ranked[1:] if s > 0.5)
    if rivals and rivals[0].score >= score - 0.05:
        score = min(score, 0.7)
    return RuleVerdict(top, score, rivals)


def _talk_not_request(found: dict[Intent, float], text: str) -> RuleVerdict | None:
    """Cue words in a sentence that asks for nothing: advice against a trade, a level reported as passed, the
    portfolio's words in a statement about the market. Read as talk, with the request as an alternative."""
    alternatives = tuple(Alternative(i, 0.5) for i in found)
    if found.keys() & {"place_order", "close_position"} and _NEGATED_TRADE.search(text):
        return RuleVerdict("unknown", SURE, alternatives)
    if "close_position" in found and _CLOSES_PERIOD.search(text):
        return RuleVerdict("unknown", SURE, alternatives)
    if "set_alert" in found and _PASSED_LEVEL.search(text) and not _ASKS_TO_BE_TOLD.search(text):
        return RuleVerdict("unknown", SURE, alternatives)
    if (
        found.keys() == {"pnl"}
        and not (_ASKING.search(text) or _SPEAKS_OF_ME.search(text))
        and len(text.split()) > 3
    ):
        return RuleVerdict("unknown", SURE, alternatives)  # "hoy cierro con 4.000€ de beneficio": a result
    if found.keys() == {"portfolio"} and not _ASKING.search(text):
        words = _CUES["portfolio"].findall(text)
        if all(_HOLDING_WORDS.fullmatch(w) for w in words):
            return RuleVerdict("unknown", SURE, alternatives)
    return None


def _named_assets(matches: Sequence[SymbolMatch]) -> set[str]:
    return {m.symbol for m in matches if m.strength >= KNOWN and not m.is_cash}


def _imperative(tokens: Sequence[Token], side: str | None, verb_at: int) -> bool:
    return side is not None and verb_at <= 2


def _weigh(
    found: dict[Intent, float], text: str, tokens: Sequence[Token], side: str | None, has_symbol: bool,
    order: OrderFields,
) -> None:  # fmt: skip
    """Adjust the cue scores by the entities that each intent needs and by precedence between intents."""
    has_number = any(t.kind == NUM and not t.percent for t in tokens)
    if "set_stop_loss" in found:
        if side is not None and order.amount is not None:
            del found["set_stop_loss"]  # "buy 500 ada, stop loss 0.42": the stop belongs to the order
        elif not (_STOP_VERBS.search(text) or (has_symbol and has_number) or "breakeven" in text):
            found["set_stop_loss"] = 0.6
        elif "cancel_order" in found or "close_position" in found:
            found["set_stop_loss"] = 0.7
    if side is not None and has_symbol:
        found["place_order"] = 0.92 if (order.amount is not None or order.price is not None) else 0.82
    elif side is not None:
        found["place_order"] = 0.6
    if "set_alert" in found:
        found["set_alert"] = 0.95 if has_symbol else 0.75
        found.pop("price", None)
        found.pop("place_order", None)
    for strong in ("cancel_order", "close_position"):
        if strong in found:
            found.pop("place_order", None)
            found.pop("price", None)
            if strong == "cancel_order":
                found.pop("orders", None)
                found.pop("close_position", None)
            else:
                found.pop("portfolio", None)
    if "orders" in found and "place_order" in found:
        found.pop("orders")
    if "place_order" in found and order.amount_unit == "percent" and _SHARE_BASE.search(text):
        found.pop("portfolio", None)
    if "place_order" in found and order.amount_unit == "risk":
        # "risk 2% of my equity": the risk is taken of it, not a question about it
        found.pop("portfolio", None)
    if "pnl" in found:
        found.pop("portfolio", None) if "position" not in text else None
        if "place_order" in found or "set_stop_loss" in found:
            found.pop("pnl")
    if "price" in found:
        if not has_symbol:
            found["price"] = 0.55
        for other in ("portfolio", "pnl", "orders"):
            if other in found:
                found["price"] = 0.5
    if "help" in found and len(found) > 1:
        found["help"] = 0.5
    if "portfolio" in found and "orders" in found:
        found.pop("portfolio")


def _fallback(
    tokens: Sequence[Token], text: str, words: Sequence[Token], side: str | None, has_symbol: bool
) -> RuleVerdict:
    if _SMALL_TALK.match(text) and not has_symbol:
        return RuleVerdict("unknown", 0.9)
    if _COMMENTARY.search(text) and side is None:
        return RuleVerdict("unknown", 0.82)
    if has_symbol and len(words) <= 2 and not any(t.kind == NUM for t in tokens):
        return RuleVerdict("price", 0.82)  # "btc?", "$SOL", "eth now"
    if not has_symbol and len(words) <= 2 and not any(t.kind == NUM for t in tokens):
        return RuleVerdict("unknown", 0.8)  # a lone word that means nothing here (gibberish, a name)
    return RuleVerdict("unknown", 0.5 if has_symbol else 0.6)


def small_talk(text: str) -> Literal["thanks", "greeting"] | None:
    """Small talk that asks for nothing (read as `unknown`): thanks, or anything else of it, a greeting or an
    'ok'; None for any other text. So that the bot answers in kind rather than 'not understood'."""
    lowered = " ".join(text.lower().split())
    if not _SMALL_TALK.match(lowered):
        return None
    return "thanks" if _THANKS.match(lowered) else "greeting"
