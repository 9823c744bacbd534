"""What keeps the signal sources' entry rules, and finds the plans whose waiting entries they watch."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.entry_rules import EntryRules
from trading.domain.signal_records import SignalRecord


class EntryRulesRepository(Protocol):
    async def of_source(self, source_id: int) -> EntryRules:
        """The source's rules; the defaults where it has none of its own."""
        ...

    async def of_signal(self, signal_id: int) -> EntryRules:
        """The rules of the signal's source."""
        ...

    async def save(self, source_id: int, rules: EntryRules, now: datetime) -> None: ...

    async def watched_plans(self, limit: int = 200) -> Sequence[tuple[SignalRecord, EntryRules]]:
        """Followed signals not closed with an entry still resting, whose source's rules watch waiting entries
        (an expiry, or a target or the stop before entry), with those rules."""
        ...
