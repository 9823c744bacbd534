"""Contradiction checks: what a trader would question in a reading. Flagged as found, never "fixed"."""

from __future__ import annotations

from decimal import Decimal

from nlp.result import Flag, ParseResult

MAX_SANE_LEVERAGE = Decimal(125)  # the highest that major crypto venues offer; above it is a typo or a trap


def _entry_reference(result: ParseResult) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest entry: the signal's entries, or a limit or stop order's price."""
    prices = list(result.entries) or ([result.price] if result.price is not None else [])
    if not prices:
        return None
    return min(prices), max(prices)


def contradictions(result: ParseResult) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    entry = _entry_reference(result)
    side = result.side
    if result.leverage is not None and (result.leverage > MAX_SANE_LEVERAGE or result.leverage <= 0):
        flags.append(Flag("leverage_extreme", f"leverage {result.leverage}x is beyond {MAX_SANE_LEVERAGE}x"))
    if side is not None and entry is not None and result.stop_loss is not None:
        low, high = entry
        if side == "buy" and result.stop_loss >= low:
            flags.append(
                Flag("stop_wrong_side", f"stop {result.stop_loss} is not below the entry {low} of a buy")
            )
        if side == "sell" and result.stop_loss <= high:
            flags.append(
                Flag("stop_wrong_side", f"stop {result.stop_loss} is not above the entry {high} of a sell")
            )
    targets = list(result.targets)
    if side is not None and len(targets) >= 2:
        ordered = sorted(targets) if side == "buy" else sorted(targets, reverse=True)
        if targets != ordered:
            flags.append(
                Flag("targets_out_of_order", f"targets {_listed(targets)} are out of order for a {side}")
            )
    if side is not None and entry is not None and targets:
        low, high = entry
        wrong = [t for t in targets if (t <= low if side == "buy" else t >= high)]
        if wrong:
            where = "below" if side == "buy" else "above"
            flags.append(Flag("target_wrong_side", f"targets {_listed(wrong)} are not {where} the entry"))
    if side is not None and result.stop_loss is not None and targets:
        beyond = [t for t in targets if (t <= result.stop_loss if side == "buy" else t >= result.stop_loss)]
        if beyond and entry is None:
            flags.append(Flag("target_beyond_stop", f"targets {_listed(beyond)} lie past the stop"))
    if result.intent == "place_order" and result.amount is not None and result.amount <= 0:
        flags.append(Flag("amount_not_positive", "the amount is zero"))
    if result.amount_unit == "percent" and result.amount is not None and result.amount > 100:
        flags.append(Flag("percent_over_100", f"{result.amount}% is more than all of it"))
    return tuple(flags)


def _listed(values: list[Decimal]) -> str:
    return ", ".join(str(v) for v in values)
