"""How a signal source's signals are entered: the amount split over the entries, the first entry at market, a
grace that widens the entry zone, and when entries still waiting are given up (an expiry, a target or the stop
reached before any entry filled)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.ledger import ZERO
from trading.domain.market import Ticker
from trading.domain.money import HUNDRED, canonical
from trading.domain.stop_modes import MAX_PERCENT

# A grace wider than this is no longer "nearly at the entry": it would buy anywhere.
MAX_GRACE_PERCENT = Decimal(10)
MAX_EXPIRY = timedelta(days=30)
MAX_ENTRIES = 20
MAX_RATIO = Decimal(1_000_000)


class SplitStrategy(StrEnum):
    EVENLY = "evenly"
    WEIGHTED_FIRST = "weighted-first"  # n : n-1 : ... : 1
    WEIGHTED_LAST = "weighted-last"  # 1 : 2 : ... : n
    CUSTOM = "custom"  # the source's own ratios, one per entry


@dataclass(frozen=True, slots=True)
class EntryRules:
    """A source's rules for entering its signals; the defaults are how every signal was entered before.

    `grace_percent` widens the entry zone: a limit entry the market is short of by less than this (a buy whose
    ask is at most that much above it, a sell whose bid is at most that much below it) is taken at market when
    planned, rather than left to rest and perhaps never fill. Breakout entries are not widened: taking one
    before its level would enter before the breakout. `expiry`: entries still unfilled that long after they
    were placed are cancelled. The two `before_entry` rules cancel the plan's waiting entries where the market
    reaches the first target, or the stop, while none of them has filled. `trailing_entry_percent`: a spot
    buy's limit entry at P becomes a trailing entry armed at P (once the ask is at or below P, it buys at market
    when the ask turns back up this much from its low), rather than a resting limit order."""

    split: SplitStrategy = SplitStrategy.EVENLY
    ratios: tuple[Decimal, ...] = ()
    first_at_market: bool = False
    grace_percent: Decimal = ZERO
    expiry: timedelta | None = None
    close_on_target_before_entry: bool = False
    cancel_on_stop_before_entry: bool = False
    trailing_entry_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.split is SplitStrategy.CUSTOM) != bool(self.ratios):
            raise InvalidInput("Custom ratios (e.g. 50/30/20) go with the custom split, and only with it.")
        if len(self.ratios) > MAX_ENTRIES:
            raise InvalidInput(f"A custom split has at most {MAX_ENTRIES} ratios.")
        if any(not ratio.is_finite() or not ZERO < ratio <= MAX_RATIO for ratio in self.ratios):
            raise InvalidInput(f"Every ratio of a custom split must be above 0 and at most {MAX_RATIO:,}.")
        if not self.grace_percent.is_finite() or not ZERO <= self.grace_percent <= MAX_GRACE_PERCENT:
            raise InvalidInput(f"The entry grace must be between 0% and {MAX_GRACE_PERCENT}%.")
        if self.expiry is not None and not timedelta(minutes=1) <= self.expiry <= MAX_EXPIRY:
            raise InvalidInput("The entry expiry must be between 1 minute and 30 days.")
        trailing = self.trailing_entry_percent
        if trailing is not None and (not trailing.is_finite() or not ZERO < trailing <= MAX_PERCENT):
            raise InvalidInput(f"A trailing entry needs a percentage above 0 and at most {MAX_PERCENT}.")

    @property
    def watched(self) -> bool:
        """Whether waiting entries have anything to be given up for."""
        return (
            self.expiry is not None
            or self.close_on_target_before_entry
            or self.cancel_on_stop_before_entry
            or self.trailing_entry_percent is not None
        )


def parse_ratios(text: str) -> tuple[Decimal, ...]:
    """'50/30/20' (or '50:30:20', '50,30,20') as ratios; InvalidInput with what is wrong."""
    parts = [p for p in text.replace(":", "/").replace(",", "/").split("/") if p.strip()]
    try:
        ratios = tuple(Decimal(p.strip().rstrip("%")) for p in parts)
    except ArithmeticError:
        raise InvalidInput(f"{text!r} is not a list of ratios such as 50/30/20.") from None
    if len(ratios) < 2 or any(not r.is_finite() or r <= 0 for r in ratios):
        raise InvalidInput(f"{text!r} is not a list of ratios such as 50/30/20: two or more, each above 0.")
    return ratios


def split_weights(rules: EntryRules, entries: int) -> tuple[Decimal, ...]:
    """The weight of each entry, in the signal's order; InvalidInput where custom ratios do not fit."""
    if entries < 1:
        raise InvalidInput("The signal gives no entry price.")
    match rules.split:
        case SplitStrategy.EVENLY:
            return (Decimal(1),) * entries
        case SplitStrategy.WEIGHTED_FIRST:
            return tuple(Decimal(entries - i) for i in range(entries))
        case SplitStrategy.WEIGHTED_LAST:
            return tuple(Decimal(i + 1) for i in range(entries))
    if len(rules.ratios) != entries:
        raise InvalidInput(
            f"The source's split {ratios_text(rules.ratios)} is for {len(rules.ratios)} entries; "
            f"this signal has {entries}. Change it with /source <id> entries, or follow it evenly."
        )
    return rules.ratios


def split_amount(total: Decimal, weights: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    """`total` in shares proportional to `weights`, adding up to it exactly (the last takes the remainder)."""
    whole = sum(weights, ZERO)
    shares = [total * weight / whole for weight in weights[:-1]]
    return (*shares, total - sum(shares, ZERO))


def ratios_text(ratios: tuple[Decimal, ...]) -> str:
    return "/".join(f"{canonical(r)}" for r in ratios)


def split_text(rules: EntryRules, entries: int) -> str:
    """The split as the trader reads it: 'weighted to the first entry (3/2/1)'."""
    names = {
        SplitStrategy.EVENLY: "evenly",
        SplitStrategy.WEIGHTED_FIRST: "weighted to the first entry",
        SplitStrategy.WEIGHTED_LAST: "weighted to the last entry",
        SplitStrategy.CUSTOM: "custom",
    }
    name = names[rules.split]
    if entries > 1 and rules.split is not SplitStrategy.EVENLY:
        name += f" ({ratios_text(split_weights(rules, entries))})"
    return name


def within_grace(entry: Decimal, side: Side, touch: Decimal, grace_percent: Decimal) -> bool:
    """Whether the market (`touch`: the ask for a buy, the bid for a sell) is at the entry, past it, or short
    of it by less than the grace: the entry zone widened by `grace_percent`."""
    if side is Side.BUY:
        return touch <= entry * (1 + grace_percent / HUNDRED)
    return touch >= entry * (1 - grace_percent / HUNDRED)


def target_reached(side: Side, target: Decimal, ticker: Ticker) -> bool:
    """The market at or past a long's target (its bid) or a short's (its ask)."""
    return ticker.bid >= target if side is Side.BUY else ticker.ask <= target


def stop_reached(side: Side, stop: Decimal, ticker: Ticker) -> bool:
    return ticker.bid <= stop if side is Side.BUY else ticker.ask >= stop


def rules_text(rules: EntryRules) -> str:
    """Every rule, one line each, as /source shows them."""
    grace = f"{canonical(rules.grace_percent)}%" if rules.grace_percent else "none"
    expiry = duration_text(rules.expiry) if rules.expiry is not None else "never"
    on_off = {True: "on", False: "off"}
    split = split_text(rules, len(rules.ratios)) if rules.ratios else split_text(rules, 1)
    trailing = rules.trailing_entry_percent
    trailing_text = f"{canonical(trailing)}% (spot buys)" if trailing is not None else "off"
    return "\n".join(
        (
            f"Split: {split}",
            f"First entry at market: {on_off[rules.first_at_market]}",
            f"Entry grace: {grace}",
            f"Entries expire: {expiry}",
            f"Close if a target is reached before any entry fills: {on_off[rules.close_on_target_before_entry]}",
            f"Cancel if the stop is hit before entry: {on_off[rules.cancel_on_stop_before_entry]}",
            f"Trailing entry: {trailing_text}",
        )
    )


def duration_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def parse_duration(text: str) -> timedelta:
    """'24h', '90m', '2d' as a span; InvalidInput otherwise."""
    units = {"m": 1, "h": 60, "d": 24 * 60}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) <= 0:
        raise InvalidInput(f"{text!r} is not a duration such as 30m, 24h or 2d.")
    return timedelta(minutes=int(number) * units[unit])
