"""A rebalance: "rebalance to 50% btc 30% eth 20% usdt" (or "btc 50%"). Read before the order pipeline, which
would read it as an order for its first coin."""

import re
from decimal import Decimal

_HEAD = re.compile(r"^\s*(?:/rebalance|rebalance)\b")
# "50% btc" or "btc 50%": one way round per message, the first if it occurs at all.
_SHARE_FIRST = re.compile(r"(?P<share>\d{1,3}(?:\.\d+)?)\s*%\s*(?:of\s+)?(?P<asset>[a-z]{2,10})\b")
_ASSET_FIRST = re.compile(r"\b(?P<asset>[a-z]{2,10})\s*(?P<share>\d{1,3}(?:\.\d+)?)\s*%")
_WORDS = frozenset({"to", "into", "my", "portfolio", "and", "in", "of", "rebalance"})
HUNDRED = Decimal(100)


def read_rebalance(text: str) -> dict[str, Decimal] | str | None:
    """The shares by asset (percent, adding up to 100); a sentence saying what is wrong with them; or None
    where the message is no rebalance."""
    low = text.lower()
    if not _HEAD.match(low):
        return None
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
