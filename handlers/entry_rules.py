"""A signal source's entry rules as `/source N` changes them, one at a time (`/source 3 entries weighted-first`,
`/source 3 entry expiry 24h`, `/source 3 trailing entry 2%`; handlers.sources). The API sets them all at once
(PUT .../entry-rules)."""

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from handlers.entry_rules_render import SOURCE_HELP
from trading.domain.entry_rules import EntryRules, SplitStrategy, parse_duration, parse_ratios
from trading.domain.errors import InvalidInput

TRAILING_HOW = "Say the percentage, e.g. '/source 1 trailing entry 2%', or '/source 1 trailing entry off'."
USAGE = "Usage: /source <id> to see a source's entry rules (/sources lists your sources and their ids)."
SWITCHES = {"on": True, "off": False}
FLAGS: dict[str, Callable[[EntryRules, bool], EntryRules]] = {
    "first-at-market": lambda rules, on: replace(rules, first_at_market=on),
    "close-on-target": lambda rules, on: replace(rules, close_on_target_before_entry=on),
    "cancel-on-stop": lambda rules, on: replace(rules, cancel_on_stop_before_entry=on),
}


def split_change(word: str) -> EntryRules:
    """`entries <evenly|weighted-first|weighted-last|50/30/20>` as the split it asks for (other rules apart)."""
    if word.lower() in set(SplitStrategy) - {SplitStrategy.CUSTOM}:
        return EntryRules(split=SplitStrategy(word.lower()))
    if not any(c.isdigit() for c in word):
        raise InvalidInput(
            f"{word!r} is not a split: evenly, weighted-first, weighted-last, or ratios such as 50/30/20."
        )
    return EntryRules(split=SplitStrategy.CUSTOM, ratios=parse_ratios(word))


def is_trailing_entry(words: list[str]) -> bool:
    """Whether the words set the source's trailing entry ("trailing entry 2%", "trailing entry off")."""
    return [w.lower() for w in words[:2]] == ["trailing", "entry"]


def trailing_entry_change(rules: EntryRules, words: list[str]) -> EntryRules:
    """`rules` with the trailing entry "trailing entry 2%" (or "off") asks for; InvalidInput otherwise."""
    if len(words) != 3:
        raise InvalidInput(TRAILING_HOW)
    value = words[2].lower()
    if value in ("off", "none"):
        return replace(rules, trailing_entry_percent=None)
    try:
        return replace(rules, trailing_entry_percent=Decimal(value.rstrip("%")))
    except InvalidOperation:
        raise InvalidInput(f"{words[2]!r} is not a percentage. {TRAILING_HOW}") from None


def changed_rules(rules: EntryRules, words: list[str]) -> EntryRules:
    """`rules` with the one change the words ask for; InvalidInput naming what is wrong."""
    if is_trailing_entry(words):
        return trailing_entry_change(rules, words)
    kind, *rest = [w.lower() for w in words]
    if kind == "entries" and len(rest) == 1:
        split = split_change(rest[0])
        return replace(rules, split=split.split, ratios=split.ratios)
    if kind != "entry" or not rest:
        raise InvalidInput(SOURCE_HELP.format(id="<id>"))
    name, values = rest[0], rest[1:]
    if name == "defaults" and not values:
        return EntryRules()
    if len(values) != 1:
        raise InvalidInput(SOURCE_HELP.format(id="<id>"))
    value = values[0]
    if name in FLAGS and value in SWITCHES:
        return FLAGS[name](rules, SWITCHES[value])
    if name == "expiry":
        return replace(rules, expiry=None if value in ("never", "off") else parse_duration(value))
    if name == "grace":
        try:
            return replace(rules, grace_percent=Decimal(value.rstrip("%")))
        except InvalidOperation:
            raise InvalidInput(f"{value!r} is not a percentage such as 1%.") from None
    raise InvalidInput(SOURCE_HELP.format(id="<id>"))
