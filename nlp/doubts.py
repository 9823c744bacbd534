"""Doubts about a signal reading: signs that the rules may have misplaced a number or a name.

None of them is a contradiction to flag (nlp.checks does that); each only keeps the reading below the
confidence at which a signal is followed without asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from nlp.lexer import TAG, Token
from nlp.signal import SignalReading
from nlp.signal_labels import STOP, TARGET
from nlp.symbols import GUESS, KNOWN, SymbolMatch

# Prices of one trade lie within this factor of each other; a reading spread wider has likely taken a number
# (a date, a list number, a size) for a price.
PRICE_SPREAD = 3
_NEAR = (Decimal("0.9"), Decimal("1.1"))  # within a tenth of the reading's lowest and highest price


def signal_doubts(
    signal: SignalReading, matches: Sequence[SymbolMatch], tokens: Sequence[Token]
) -> tuple[str, ...]:
    """Why the reading of this signal may be wrong, in words; empty when nothing is in doubt."""
    doubts: list[str] = []
    if signal.loose_numbers:
        doubts.append("numbers under no label")
    prices = [p for p in (*signal.entries, *signal.targets, signal.stop_loss) if p is not None and p > 0]
    if prices and max(prices) > PRICE_SPREAD * min(prices):
        doubts.append("prices of different scales")
    if prices and any(min(prices) / PRICE_SPREAD <= n <= max(prices) * PRICE_SPREAD for n in signal.unplaced):
        doubts.append("a price under a label I do not know")
    if prices and any(min(prices) * _NEAR[0] <= n <= max(prices) * _NEAR[1] for n in signal.skipped):
        doubts.append("a number passed over as a list number that looks like a price")
    if signal.strays:
        doubts.append("a number under the targets far from the entry left out")
    if signal.stops_given > 1:
        doubts.append("more than one stop")
    if STOP in signal.labels and signal.stop_loss is None and not signal.stop_percent:
        doubts.append("a stop I could not read")  # "Stop: below the daily close"
    if TARGET in signal.labels and not signal.targets and not signal.target_percents:
        doubts.append("targets I could not read")
    sym = signal.symbol
    if sym is not None and sym.strength == GUESS:
        doubts.append(f"{sym.symbol} is no ticker I know")
    written = tokens[sym.index] if sym is not None and sym.index < len(tokens) else None
    if sym is not None and written is not None and written.kind == TAG and not _writes(written, sym):
        doubts.append(f"{written.text} read as {sym.symbol}")  # "#xbt" as BTC: which market is meant?
    named = {m.symbol for m in matches if m.strength >= KNOWN and not m.is_cash}
    if sym is not None and named - {sym.symbol, sym.quote}:
        doubts.append("more than one asset named")
    return tuple(doubts)


def _writes(tag: Token, sym: SymbolMatch) -> bool:
    """#SOL, #SOLUSDT, #SOLUSDT.P write SOL; #xbt read as BTC does not."""
    return tag.text[1:].upper().startswith(sym.symbol)
