"""A signal source's entry rules, read and changed by its trader (chat and API alike)."""

from collections.abc import Callable
from dataclasses import dataclass

from trading.domain.entry_rules import EntryRules
from trading.domain.errors import NotFound
from trading.domain.signal_records import SignalSource
from trading.ports import UnitOfWork
from trading.usecases.core import Core


@dataclass(frozen=True, slots=True)
class SourceEntryRules:
    source: SignalSource
    rules: EntryRules


async def _own_source(uow: UnitOfWork, user_id: int, source_id: int) -> SignalSource:
    source = await uow.signals.source_by_id(source_id)
    if source is None or source.user_id != user_id:
        raise NotFound(f"You have no signal source #{source_id}: /sources lists yours.")
    return source


async def entry_rules_of(core: Core, user_id: int, source_id: int) -> SourceEntryRules:
    async with core.uow(read_only=True) as uow:
        source = await _own_source(uow, user_id, source_id)
        return SourceEntryRules(source, await uow.entry_rules.of_source(source_id))


async def set_entry_rules(core: Core, user_id: int, source_id: int, rules: EntryRules) -> SourceEntryRules:
    """The source's rules from now on: for the plans of its signals drafted later, and for the waiting entries
    of its plans followed already (their expiry and their before-entry rules)."""
    async with core.uow() as uow:
        source = await _own_source(uow, user_id, source_id)
        await uow.entry_rules.save(source_id, rules, core.clock.now())
        await uow.commit()
    return SourceEntryRules(source, rules)


async def change_entry_rules(
    core: Core, user_id: int, source_id: int, change: Callable[[EntryRules], EntryRules]
) -> SourceEntryRules:
    """One rule changed (`change`: the source's rules to its new ones), the others kept, in one transaction."""
    async with core.uow() as uow:
        source = await _own_source(uow, user_id, source_id)
        rules = change(await uow.entry_rules.of_source(source_id))
        await uow.entry_rules.save(source_id, rules, core.clock.now())
        await uow.commit()
    return SourceEntryRules(source, rules)
