"""A rebalance: "rebalance to 50% btc 30% eth 20% usdt" (or "btc 50%"), once, on a schedule ("... every monday")
or when the drift passes a threshold ("... when drift over 5%"). Read before the order pipeline, which would
read it as an order for its first coin."""

import re
from dataclasses import dataclass
from decimal import Decimal

from nlp.schedules import Repeat, read_repeat

_HEAD = re.compile(r"^\s*(?:/rebalance|rebalance)\b")
# "50% btc" or "btc 50%": one way round per message, the first if it occurs at all.
_SHARE_FIRST = re.compile(r"(?P<share>\d{1,3}(?:\.\d+)?)\s*%\s*(?:of\s+)?(?P<asset>[a-z]{2,10})\b")
_ASSET_FIRST = re.compile(r"\b(?P<asset>[a-z]{2,10})\s*(?P<share>\d{1,3}(?:\.\d+)?)\s*%")
_WORDS = frozenset({"to", "into", "my", "portfolio", "and", "in", "of", "rebalance"})
HUNDRED = Decimal(100)
# "when drift over 5%", "if the drift is above 5 points", "drift > 2.5%": percentage points off a target.
_DRIFT = re.compile(
    r"\b(?:(?:when|if|once|whenever|on)\s+)?(?:the\s+|my\s+|any\s+)?drifts?\s+(?:is\s+|goes\s+|gets\s+)?"
    r"(?:over|above|beyond|past|exceeds|passes|more\s+than|>|of|threshold(?:\s+of)?)\s*"
    r"(?P<points>\d{1,2}(?:\.\d+)?)\s*(?:%|percent\b|points?\b|pp\b)"
)


@dataclass(frozen=True, slots=True)
class RebalanceWhen:
    """When a rebalance runs again: on `repeat`, or when some share is more than `drift` points off its target
    (checked on `repeat`, or hourly where none is named)."""

    repeat: Repeat | None
    drift: Decimal | None


def read_rebalance(text: str) -> dict[str, Decimal] | str | None:
    """The shares by asset (percent, adding up to 100); a sentence saying what is wrong with them; or None
    where the message is no rebalance."""
    low = text.lower()
    if not _HEAD.match(low):
        return None
    low = _DRIFT.sub(" ", low)  # "over 5%" names no coin
    shares: dict[str, Decimal] = {}
    pattern = _SHARE_FIRST if _SHARE_FIRST.search(low) else _ASSET_FIRST
    for m in pattern.finditer(low):
        if m.group("asset") in _WORDS:
            continue
        asset = m.group("asset").upper()
        shares[asset] = shares.get(asset, Decimal(0)) + Decimal(m.group("share"))
    if not shares:
        return "Say the shares to rebalance to, e.g. 'rebalance to 50% btc 30% eth 20% usdt'."
    total = sum(shares.values(), Decimal(0))
    if total != HUNDRED:
        return f"The shares add up to {total.normalize():f}%, not 100%: nothing was done."
    return shares


def read_rebalance_when(text: str) -> RebalanceWhen | None:
    """The schedule or drift threshold of a rebalance; None where it names neither (a rebalance done once)."""
    low = text.lower()
    m = _DRIFT.search(low)
    repeat = read_repeat(_DRIFT.sub(" ", low))
    if m is None and repeat is None:
        return None
    return RebalanceWhen(repeat, Decimal(m.group("points")) if m else None)
