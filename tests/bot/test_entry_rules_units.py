"""The chat's words for a source's entry rules, and how a plan's preview shows them."""

from datetime import timedelta
from decimal import Decimal

import pytest

from handlers.entry_rules import changed_rules
from handlers.entry_rules_render import plan_rules_lines
from trading.domain.entry_rules import EntryRules, SplitStrategy
from trading.domain.errors import InvalidInput

D = Decimal
START = EntryRules(expiry=timedelta(hours=2))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("entries weighted-first", EntryRules(split=SplitStrategy.WEIGHTED_FIRST, expiry=timedelta(hours=2))),
        ("entries Weighted-Last", EntryRules(split=SplitStrategy.WEIGHTED_LAST, expiry=timedelta(hours=2))),
        (
            "entries 50/30/20",
            EntryRules(split=SplitStrategy.CUSTOM, ratios=(D(50), D(30), D(20)), expiry=timedelta(hours=2)),
        ),
        ("entry expiry 24h", EntryRules(expiry=timedelta(hours=24))),
        ("entry expiry never", EntryRules()),
        ("entry grace 1.5%", EntryRules(grace_percent=D("1.5"), expiry=timedelta(hours=2))),
        ("entry first-at-market on", EntryRules(first_at_market=True, expiry=timedelta(hours=2))),
        (
            "entry close-on-target on",
            EntryRules(close_on_target_before_entry=True, expiry=timedelta(hours=2)),
        ),
        ("entry cancel-on-stop off", START),
        ("entry defaults", EntryRules()),
    ],
)
def test_one_change_at_a_time_keeps_the_other_rules(words: str, expected: EntryRules) -> None:
    assert changed_rules(START, words.split()) == expected


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("entries heavy", "is not a split: evenly, weighted-first"),
        ("entries 50/x", "is not a list of ratios"),
        ("entry grace lots", "is not a percentage"),
        ("entry expiry soon", "is not a duration"),
        ("entry first-at-market maybe", "entries evenly | weighted-first"),
        ("stops trailing", "entries evenly | weighted-first"),
    ],
)
def test_wrong_words_are_answered_with_what_is_wrong(words: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        changed_rules(START, words.split())


def test_a_preview_shows_the_split_and_what_watches_its_entries() -> None:
    rules = EntryRules(
        split=SplitStrategy.WEIGHTED_LAST, first_at_market=True, cancel_on_stop_before_entry=True
    )
    assert plan_rules_lines(rules, 3) == [
        "Split weighted to the last entry (1/2/3); first entry at market.",
        "Entries not filled are cancelled if the stop is hit before any fills.",
    ]
    assert plan_rules_lines(EntryRules(), 1) == []
    assert plan_rules_lines(EntryRules(), 2) == ["Split evenly."]
