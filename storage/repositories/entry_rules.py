"""The signal sources' entry rules, and the followed plans whose waiting entries they watch."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import OrderDraftRow, OrderRow
from storage.repositories.signals import _signal
from storage.signal_models import SignalRow, SourceEntryRulesRow
from storage.stop_mode_models import StopModeRow
from storage.transaction import Transaction
from trading.domain.entry_rules import EntryRules, SplitStrategy
from trading.domain.enums import LIVE_STATUSES, OrderRole
from trading.domain.signal_records import SignalRecord, SignalStatus

_RESTING = [status.value for status in LIVE_STATUSES]


def _rules(row: SourceEntryRulesRow | None) -> EntryRules:
    if row is None:
        return EntryRules()
    return EntryRules(
        split=SplitStrategy(row.split),
        ratios=tuple(Decimal(r) for r in row.ratios),
        first_at_market=row.first_at_market,
        grace_percent=row.grace_percent,
        expiry=timedelta(minutes=row.expiry_minutes) if row.expiry_minutes is not None else None,
        close_on_target_before_entry=row.close_on_target_before_entry,
        cancel_on_stop_before_entry=row.cancel_on_stop_before_entry,
        trailing_entry_percent=row.trailing_entry_percent,
    )


class SqlEntryRulesRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def of_source(self, source_id: int) -> EntryRules:
        session = await self._tx.session()
        return _rules(await session.get(SourceEntryRulesRow, source_id))

    async def of_signal(self, signal_id: int) -> EntryRules:
        session = await self._tx.session()
        row = await session.scalar(
            select(SourceEntryRulesRow)
            .join(SignalRow, SignalRow.source_id == SourceEntryRulesRow.source_id)
            .where(SignalRow.id == signal_id)
        )
        return _rules(row)

    async def save(self, source_id: int, rules: EntryRules, now: datetime) -> None:
        """Replace the source's rules in one statement."""
        expiry = rules.expiry
        values = {
            "split": rules.split.value,
            "ratios": [format(r, "f") for r in rules.ratios],
            "first_at_market": rules.first_at_market,
            "grace_percent": rules.grace_percent,
            "expiry_minutes": None if expiry is None else int(expiry.total_seconds() // 60),
            "close_on_target_before_entry": rules.close_on_target_before_entry,
            "cancel_on_stop_before_entry": rules.cancel_on_stop_before_entry,
            "trailing_entry_percent": rules.trailing_entry_percent,
            "updated_at": now,
        }
        insert_of = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        statement = insert_of(SourceEntryRulesRow).values(source_id=source_id, **values)
        await self._tx.execute(statement.on_conflict_do_update(index_elements=["source_id"], set_=values))

    async def watched_plans(self, limit: int = 200) -> Sequence[tuple[SignalRecord, EntryRules]]:
        session = await self._tx.session()
        rules = SourceEntryRulesRow
        resting_entry = (
            select(OrderRow.id)
            .join(OrderDraftRow, OrderRow.draft_id == OrderDraftRow.id)
            .where(
                OrderDraftRow.group_id == SignalRow.group_id,
                OrderRow.role == OrderRole.ENTRY.value,
                OrderRow.status.in_(_RESTING),
            )
            .exists()
        )
        # A plan's trailing entries armed: its rules watch them whatever they are now.
        armed_entry = (
            select(StopModeRow.id)
            .where(StopModeRow.group_id == SignalRow.group_id, StopModeRow.confirmed_at.is_not(None))
            .exists()
        )
        rows = await session.execute(
            select(SignalRow, rules)
            .join(rules, rules.source_id == SignalRow.source_id)
            .where(
                SignalRow.status == SignalStatus.FOLLOWED.value,
                SignalRow.group_id.is_not(None),
                SignalRow.closed_at.is_(None),
                (
                    (
                        rules.expiry_minutes.is_not(None)
                        | rules.close_on_target_before_entry
                        | rules.cancel_on_stop_before_entry
                    )
                    & resting_entry
                )
                | armed_entry,
            )
            .order_by(SignalRow.id)
            .limit(limit)
        )
        return [(_signal(signal), _rules(row)) for signal, row in rows]
