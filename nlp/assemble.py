"""From tokens to a ParseResult: one analysis of the message, then the fields the chosen intent needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from nlp import languages
from nlp.checks import contradictions
from nlp.commands import (
    OrderFields,
    extract_alert,
    extract_order,
    extract_symbol,
    order_number,
    position_named,
    second_order,
    spaced_number,
)
from nlp.intents import MARKETS_QUESTION, joined_text
from nlp.languages import Language
from nlp.lexer import NUM, PUNCT, Token, tokenize
from nlp.result import Alternative, Flag, Intent, ParseResult, Side
from nlp.schedules import Repeat, read_repeat, read_spread
from nlp.signal import SignalReading, read_signal
from nlp.spelling import Speller
from nlp.stop_commands import (
    ends_trailing_entry,
    extract_stop,
    stop_distance,
    stop_mode_named,
    trails,
    trails_in,
    turns_off,
)
from nlp.symbols import KNOWN, SymbolMatch, SymbolResolver
from nlp.updates import Update, read_update

# Telegram caps a message at 4,096 characters: a longer text is no message a chat could carry. Only that much
# is read (and the result flagged), which bounds the work on hostile input whatever its size.
MAX_TEXT_CHARS = 4_096


@dataclass(frozen=True, slots=True)
class Analysis:
    truncated: bool
    language: Language
    unread: tuple[str, ...]  # words in a language or script the rules do not read
    doubtful_numbers: tuple[str, ...]  # digit groups that may be one number or two ("160 170")
    update: Update | None  # a follow-up to an earlier signal (nlp.updates)
    tokens: list[Token]
    matches: list[SymbolMatch]
    signal: SignalReading
    order: OrderFields
    repeat: Repeat | None = None
    spread_over: timedelta | None = None


def analyse(text: str, resolver: SymbolResolver, speller: Speller, limit: int = MAX_TEXT_CHARS) -> Analysis:
    reading = languages.read(tokenize(text[:limit]))
    tokens = speller.correct_tokens(reading.tokens)
    matches = resolver.find_all(tokens)
    signal = read_signal(tokens, resolver, matches)
    order = extract_order(tokens, matches, signal)
    joined = joined_text(tokens)
    return Analysis(
        truncated=len(text) > limit,
        language=reading.language,
        unread=reading.unread,
        doubtful_numbers=reading.doubtful_numbers,
        update=read_update(joined),
        tokens=tokens,
        matches=matches,
        signal=signal,
        order=order,
        repeat=read_repeat(joined),
        spread_over=read_spread(joined),
    )


def _inferred_side(signal: SignalReading) -> Side | None:
    """A call without long/short: targets above the entries make it a buy, below a sell."""
    if signal.side in ("buy", "sell"):
        return "buy" if signal.side == "buy" else "sell"
    if signal.entries and signal.targets:
        mid = sum(signal.entries) / len(signal.entries)
        above = sum(1 for t in signal.targets if t > mid)
        if above * 2 != len(signal.targets):
            return "buy" if above * 2 > len(signal.targets) else "sell"
    if signal.entries and signal.stop_loss is not None:
        return "buy" if signal.stop_loss < min(signal.entries) else "sell"
    return None


_CLOSING_WORDS = frozenset({"close", "exit", "closing", "reduce", "reducing", "decrease", "trim", "cut"})


def _closing_side(tokens: list[Token], held: bool) -> Side | None:
    """A partial close without a verb ("close half my btc", "reduce my btc long by half"): selling a long,
    buying back a short. `held`: a position named after its asset ("my eth short"), which a close reduces."""
    if any(t.low in _CLOSING_WORDS for t in tokens) or held:
        return "buy" if any(t.low in ("short", "shorts") for t in tokens) else "sell"
    return None


# The readings whose numbers are all amounts and prices. A signal's are too, but it is never traded on a
# flagged reading: its plan checks every price above zero.
_NEVER_NEGATIVE = frozenset({"place_order", "set_alert", "set_stop_loss"})
# Where "stop trailing buy on eth" and "cancel my trailing buy on eth" are read: as a stop, a cancel, a buy.
_MAY_END_ENTRY = frozenset({"place_order", "set_stop_loss", "cancel_order"})


def _negative_numbers(tokens: Sequence[Token]) -> str | None:
    """The first number written with a minus sign ('buy -5 eth'), which the lexer reads as a dash and a
    number: never dropped silently, since 5 is not what was written. A dash between two numbers is a range
    (70,100 - 70,600) and one before a percentage a distance ('SL -5%')."""
    for before, dash, number in zip([None, *tokens], tokens, tokens[1:], strict=False):
        if (
            dash.kind == PUNCT
            and dash.text == "-"
            and number.kind == NUM
            and not number.percent
            and (before is None or before.kind != NUM)
        ):
            return f"-{number.text}"
    return None


def _named_assets(matches: Sequence[SymbolMatch]) -> list[str]:
    """The coins a message names surely, in their order (a quote such as USDT is no coin of its own here)."""
    return list(dict.fromkeys(m.symbol for m in matches if m.strength >= KNOWN and not m.is_cash))


def _doubt_about(number: str) -> str:
    """ "64 200 could be 64,200, or 64 and 200"; "3.500 could be 3,500 or 3.5"."""
    if " " in number:
        first, last = number.rsplit(" ", 1)
        return f"{number} could be {int(number.replace(' ', '')):,}, or {first} and {last}: write it again"
    return (
        f"{number} could be {int(number.replace('.', '')):,} or {Decimal(number).normalize()}: write it again"
    )


def _with_signal(base: ParseResult, signal: SignalReading) -> ParseResult:
    sym = signal.symbol
    return base.with_changes(
        symbol=sym.symbol if sym else None,
        quote=sym.quote if sym else None,
        side=_inferred_side(signal),
        order_type="stop" if signal.breakout else None,  # "enter above 15.2": never a limit filled at once
        entries=signal.entries,
        targets=signal.targets,
        stop_loss=signal.stop_loss,
        leverage=signal.leverage,
        stop_loss_percent=signal.stop_loss_percent,
        target_percents=signal.target_percents,
    )


def build_result(
    intent: Intent, confidence: float, analysis: Analysis, alternatives: tuple[Alternative, ...] = ()
) -> ParseResult:
    update = analysis.update if intent != "signal" else None
    base = ParseResult(
        intent=intent,
        confidence=round(confidence, 3),
        alternatives=alternatives,
        language=analysis.language,
        update=update,
        unread=analysis.unread,
    )
    tokens, matches, signal, order = analysis.tokens, analysis.matches, analysis.signal, analysis.order
    if intent == "signal":
        result = _with_signal(base, signal)
    elif intent == "place_order":
        position, held = position_named(tokens, matches)
        side = _closing_side(tokens, held) or order.side
        result = base.with_changes(
            position=position,
            symbol=order.symbol, quote=order.quote, side=side, order_type=order.order_type,
            amount=order.amount, amount_unit=order.amount_unit, price=order.price, stop_loss=order.stop_loss,
            targets=order.targets, leverage=order.leverage, stop_loss_percent=order.stop_loss_percent,
            target_percents=order.target_percents,
        )  # fmt: skip
        # A buy to trail in, never read as a plain buy: the turn it waits for (asked back where not given).
        if trails_in(tokens) and side == "buy" and order.stop_loss is None:
            result = result.with_changes(trailing=True, trailing_entry=stop_distance(tokens))
    elif intent == "set_alert":
        symbol, condition, threshold, percent = extract_alert(tokens, matches)
        result = base.with_changes(
            symbol=symbol, condition=condition, threshold=threshold, threshold_percent=percent
        )
    elif intent == "set_stop_loss":
        symbol, stop = extract_stop(tokens, matches)
        stop_mode, after_target = stop_mode_named(tokens)
        result = base.with_changes(
            symbol=symbol,
            # A mode's number is its target or percentage ("after target 2"), never a stop price.
            stop_loss=None if update == "move_stop_to_entry" or stop_mode is not None else stop,
            stop_loss_percent=stop_distance(tokens),
            trailing=trails(tokens) and stop_mode is None,
            stop_mode=stop_mode,
            after_target=after_target,
            stop_mode_off=turns_off(tokens),
        )
    elif intent in ("close_position", "cancel_order", "price") or update is not None:
        symbol, quote = extract_symbol(matches)
        position = position_named(tokens, matches)[0] if intent == "close_position" else None
        result = base.with_changes(
            symbol=symbol, quote=quote if intent == "price" else None, position=position
        )
        if intent == "cancel_order" and update is None:
            result = result.with_changes(order_id=order_number(tokens))
    elif intent == "help":
        result = base.with_changes(asks_markets=bool(MARKETS_QUESTION.search(joined_text(tokens))))
    else:
        result = base
    # Said by the trader (a channel's post about its signal never ends the trader's own entry).
    if intent in _MAY_END_ENTRY and update is None and ends_trailing_entry(tokens):
        result = result.with_changes(trailing_entry_off=True, trailing=False, stop_mode_off=False)
    flags = contradictions(result)
    if intent in _NEVER_NEGATIVE and (negative := _negative_numbers(tokens)):
        flags += (
            Flag("negative_number", f"{negative} has a minus sign, and no amount or price is below zero"),
        )
    spaced = analysis.doubtful_numbers[0] if analysis.doubtful_numbers else None
    if spaced is None and intent in _NEVER_NEGATIVE:
        spaced = spaced_number(tokens)
    if spaced is not None and intent != "unknown":
        flags += (Flag("number_in_doubt", _doubt_about(spaced)),)
    if intent == "place_order" and (analysis.repeat or analysis.spread_over):
        # An automation (a recurring order, DCA, TWAP): the chat previews its plan, never one order.
        result = result.with_changes(repeat=analysis.repeat, spread_over=analysis.spread_over)
    if intent == "place_order" and (second := second_order(tokens, matches, result.symbol)):
        flags += (
            Flag(
                "several_orders",
                f"it names a second order ({second}): I take one order at a time, so send each on its own",
            ),
        )
    if intent == "set_stop_loss" and len(coins := _named_assets(matches)) > 1:
        flags += (
            Flag("several_coins", f"it names {' and '.join(coins)}: I change one stop at a time, so send each "
                 "on its own"),
        )  # fmt: skip
    if analysis.unread:
        words = ", ".join(analysis.unread[:3])
        flags += (Flag("language_unread", f"I could not read {words}: I read English, Russian, Spanish, "
                       "Portuguese and Turkish"),)  # fmt: skip
    if analysis.truncated:
        flags += (Flag("text_truncated", f"only the first {MAX_TEXT_CHARS} characters were read"),)
    # Most readings raise no flag: no copy for them (a copy of this many fields costs a fifth of a parse).
    return result.with_changes(flags=flags) if flags else result


def as_decimal(value: object) -> Decimal | None:
    """A number from outside (the LLM's answer) as a Decimal, or None when it is no finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
