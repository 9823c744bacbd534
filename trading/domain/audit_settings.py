"""The rules an audit plays a channel's signals with, said in its report: the entry rules and the stop mode of the
user's signal source of the same title where there is one (the rules following that channel would use), else the
defaults."""

from trading.domain.audit import AuditRules
from trading.domain.entry_rules import EntryRules, duration_text, split_text
from trading.domain.money import canonical


def entry_rules_text(rules: EntryRules) -> str:
    parts = [f"entries split {split_text(rules, len(rules.ratios) or 1)}"]
    if rules.first_at_market:
        parts.append("the first at market")
    if rules.grace_percent:
        parts.append(f"a {canonical(rules.grace_percent)}% entry grace")
    if rules.close_on_target_before_entry:
        parts.append("given up if the first target comes before any entry")
    if rules.cancel_on_stop_before_entry:
        parts.append("given up if the stop comes before any entry")
    return ", ".join(parts)


def settings_text(rules: AuditRules, source: str | None) -> str:
    """One line: whose rules, and what they are."""
    whose = (
        f"the rules of your source {source}"
        if source
        else "the default rules (no source of yours by this name)"
    )
    mode = rules.stop_mode
    stop = (
        f"the stop moved by a {mode.text()}, from the candle after the one that moves it"
        if mode is not None
        else "the stop to the entry after the first target (where there is a later one)"
    )
    return (
        f"Played with {whose}: {entry_rules_text(rules.entry)}; {stop}; "
        f"entries wait {duration_text(rules.waits)}, trades are followed {duration_text(rules.hold)}."
    )
