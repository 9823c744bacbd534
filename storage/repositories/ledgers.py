from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BalanceRow, EquitySnapshotRow, ExchangeAccountRow, PnlDayRow, PositionRow
from storage.recent_reads import RecentCache
from trading.domain.ledger import ZERO, Ledger, Position


class SqlLedgerRepository:
    def __init__(
        self, session: AsyncSession, recent: RecentCache[int, Ledger] | None, changed_accounts: set[int]
    ) -> None:
        """`recent`: answer `load` from recent reads (a view's unit of work). `changed_accounts`: where the
        accounts whose ledger this transaction changes are noted."""
        self._session = session
        self._recent = recent
        self._loaded: dict[int, tuple[dict[str, BalanceRow], dict[str, PositionRow]]] = {}
        self._changed_accounts = changed_accounts

    async def load(self, account_id: int, *, for_update: bool = False) -> Ledger:
        if self._recent is None or for_update:
            return await self._load(account_id, for_update=for_update)
        kept = self._recent.get(account_id)
        if kept is None:
            generation = self._recent.generation(account_id)
            kept = await self._load(account_id, for_update=False)
            self._recent.put(account_id, kept, generation)
        return kept

    async def _load(self, account_id: int, *, for_update: bool) -> Ledger:
        if for_update and self._session.get_bind().dialect.name != "sqlite":
            # A row lock on the account; on SQLite, BEGIN IMMEDIATE already serialises writers.
            await self._session.execute(
                select(ExchangeAccountRow.id).where(ExchangeAccountRow.id == account_id).with_for_update()
            )
        balances, positions = await self._rows(account_id)
        return Ledger(
            balances={row.asset: row.total for row in balances.values()},
            positions={
                row.symbol: Position(row.symbol, row.quantity, row.cost, row.realised_pnl)
                for row in positions.values()
            },
            fees_paid={row.asset: row.fees_paid for row in balances.values() if row.fees_paid},
            deposits={row.asset: row.deposited for row in balances.values() if row.deposited},
            realised_pnl={row.asset: row.realised_pnl for row in balances.values() if row.realised_pnl},
        )

    async def save(self, account_id: int, ledger: Ledger) -> None:
        """Write what changed: the rows loaded in this transaction are updated in place, new ones added."""
        self._changed_accounts.add(account_id)
        balances, positions = await self._rows(account_id)
        assets = (
            set(ledger.balances) | set(ledger.fees_paid) | set(ledger.deposits) | set(ledger.realised_pnl)
        )
        for asset in assets:
            row = balances.get(asset) or BalanceRow(account_id=account_id, asset=asset)
            row.total = ledger.balances.get(asset, ZERO)
            row.deposited = ledger.deposits.get(asset, ZERO)
            row.fees_paid = ledger.fees_paid.get(asset, ZERO)
            row.realised_pnl = ledger.realised_pnl.get(asset, ZERO)
            if asset not in balances:
                balances[asset] = row
                self._session.add(row)
        for position in ledger.positions.values():
            found = positions.get(position.symbol)
            if found is None:
                found = positions[position.symbol] = PositionRow(
                    account_id=account_id, symbol=position.symbol
                )
                self._session.add(found)
            found.quantity, found.cost, found.realised_pnl = (
                position.quantity,
                position.cost,
                position.realised_pnl,
            )

    async def _rows(self, account_id: int) -> tuple[dict[str, BalanceRow], dict[str, PositionRow]]:
        """The account's rows, read once a transaction (the session's identity map keeps them after)."""
        cached = self._loaded.get(account_id)
        if cached is None:
            balances = await self._session.scalars(
                select(BalanceRow).where(BalanceRow.account_id == account_id)
            )
            positions = await self._session.scalars(
                select(PositionRow).where(PositionRow.account_id == account_id)
            )
            cached = self._loaded[account_id] = (
                {row.asset: row for row in balances},
                {row.symbol: row for row in positions},
            )
        return cached

    async def record_pnl(self, account_id: int, day: date, realised: Decimal) -> None:
        # Read and add in Python: SQLite would add the text column as floats.
        row = await self._session.get(PnlDayRow, (account_id, day))
        if row is None:
            self._session.add(PnlDayRow(account_id=account_id, day=day, realised=realised))
        else:
            row.realised = row.realised + realised

    async def pnl_by_day(self, account_id: int, since: date) -> Mapping[date, Decimal]:
        rows = await self._session.scalars(
            select(PnlDayRow)
            .where(PnlDayRow.account_id == account_id, PnlDayRow.day >= since)
            .order_by(PnlDayRow.day)
        )
        return {row.day: row.realised for row in rows}

    async def record_equity(self, account_id: int, at: datetime, equity: Decimal) -> None:
        self._session.add(EquitySnapshotRow(account_id=account_id, at=at, equity=equity))

    async def equity_history(self, account_id: int, since: datetime) -> Sequence[tuple[datetime, Decimal]]:
        rows = await self._session.scalars(
            select(EquitySnapshotRow)
            .where(EquitySnapshotRow.account_id == account_id, EquitySnapshotRow.at >= since)
            .order_by(EquitySnapshotRow.at)
        )
        return [(row.at, row.equity) for row in rows]
