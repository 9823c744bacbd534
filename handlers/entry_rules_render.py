"""A signal source's entry rules as the trader reads them: in a plan's preview, and under /source."""

from trading.domain.entry_rules import EntryRules, duration_text, rules_text, split_text
from trading.domain.money import canonical
from trading.usecases.entry_rules import SourceEntryRules

SOURCE_HELP = (
    "Change them with /source {id} followed by one of:\n"
    "• entries evenly | weighted-first | weighted-last | 50/30/20\n"
    "• entry first-at-market on | off\n"
    "• entry grace 1% (0 for none)\n"
    "• entry expiry 24h | 90m | 2d | never\n"
    "• entry close-on-target on | off  (a target reached before any entry fills)\n"
    "• entry cancel-on-stop on | off  (the stop hit before entry)\n"
    "• trailing entry 2% | off  (a spot buy's limit entries wait for the price to turn back up)\n"
    "• entry defaults"
)


def plan_rules_lines(rules: EntryRules, entries: int) -> list[str]:
    """The split and the rules that watch a plan's waiting entries, for its preview."""
    how = [f"Split {split_text(rules, entries)}"] if entries > 1 else []
    if rules.first_at_market:
        how.append("first entry at market")
    if rules.grace_percent:
        how.append(f"entry grace {canonical(rules.grace_percent)}%")
    lines = ["; ".join(how).capitalize() + "."] if how else []
    watch = []
    if rules.expiry is not None:
        watch.append(f"expire after {duration_text(rules.expiry)}")
    if rules.close_on_target_before_entry:
        watch.append("are cancelled if target 1 is reached before any fills")
    if rules.cancel_on_stop_before_entry:
        watch.append("are cancelled if the stop is hit before any fills")
    if watch:
        lines.append("Entries not filled " + ", and ".join(watch) + ".")
    return lines


def trailing_saved_text(found: SourceEntryRules) -> str:
    """The reply to '/source N trailing entry 2%' (or off)."""
    title, percent = found.source.title, found.rules.trailing_entry_percent
    if percent is None:
        return f"✅ Trailing entry off for {title}: its signals' limit entries rest at their prices again."
    return (
        f"✅ Spot buys from {title}'s signals now enter by a trailing entry of {canonical(percent)}%: each limit "
        f"entry is armed at its price, and buys its amount at market once the price, at or below it, turns back "
        f"up {canonical(percent)}% from its low. Entries at market and breakouts stay as they are; futures plans "
        f"keep their limit entries. '/source {found.source.id} trailing entry off' turns it off."
    )


def source_rules_text(found: SourceEntryRules) -> str:
    source = found.source
    return f"Entry rules of #{source.id} {source.title}:\n{rules_text(found.rules)}\n\n" + SOURCE_HELP.format(
        id=source.id
    )
