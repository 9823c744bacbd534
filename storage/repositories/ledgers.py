from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BalanceRow, EquitySnapshotRow, ExchangeAccountRow, PnlDayRow, PositionRow
from trading.domain.ledger import ZERO, Ledger, Position


class SqlLedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, account_id: int, *, for_update: bool = False) -> Ledger:
        if for_update:
            # A row lock on the account (SQLite's BEGIN IMMEDIATE already serialises writers).
            await self._session.execute(
                select(ExchangeAccountRow.id).where(ExchangeAccountRow.id == account_id).with_for_update()
            )
        balances = (
            await self._session.scalars(select(BalanceRow).where(BalanceRow.account_id == account_id))
        ).all()
        positions = await self._session.scalars(
            select(PositionRow).where(PositionRow.account_id == account_id)
        )
        return Ledger(
            balances={row.asset: row.total for row in balances},
            positions={
                row.symbol: Position(row.symbol, row.quantity, row.cost, row.realised_pnl)
                for row in positions
            },
            fees_paid={row.asset: row.fees_paid for row in balances if row.fees_paid},
            deposits={row.asset: row.deposited for row in balances if row.deposited},
            realised_pnl={row.asset: row.realised_pnl for row in balances if row.realised_pnl},
        )

    async def save(self, account_id: int, ledger: Ledger) -> None:
        # Small per account (a row an asset and a symbol): rewrite it whole rather than diff it.
        await self._session.execute(delete(BalanceRow).where(BalanceRow.account_id == account_id))
        await self._session.execute(delete(PositionRow).where(PositionRow.account_id == account_id))
        assets = (
            set(ledger.balances) | set(ledger.fees_paid) | set(ledger.deposits) | set(ledger.realised_pnl)
        )
        self._session.add_all(
            BalanceRow(
                account_id=account_id,
                asset=asset,
                total=ledger.balances.get(asset, ZERO),
                deposited=ledger.deposits.get(asset, ZERO),
                fees_paid=ledger.fees_paid.get(asset, ZERO),
                realised_pnl=ledger.realised_pnl.get(asset, ZERO),
            )
            for asset in sorted(assets)
        )
        self._session.add_all(
            PositionRow(
                account_id=account_id,
                symbol=position.symbol,
                quantity=position.quantity,
                cost=position.cost,
                realised_pnl=position.realised_pnl,
            )
            for position in ledger.positions.values()
        )
        await self._session.flush()

    async def record_pnl(self, account_id: int, day: date, realised: Decimal) -> None:
        row = await self._session.get(PnlDayRow, (account_id, day))
        if row is None:
            self._session.add(PnlDayRow(account_id=account_id, day=day, realised=realised))
        else:
            row.realised = row.realised + realised
        await self._session.flush()

    async def pnl_by_day(self, account_id: int, since: date) -> Mapping[date, Decimal]:
        rows = await self._session.scalars(
            select(PnlDayRow)
            .where(PnlDayRow.account_id == account_id, PnlDayRow.day >= since)
            .order_by(PnlDayRow.day)
        )
        return {row.day: row.realised for row in rows}

    async def record_equity(self, account_id: int, at: datetime, equity: Decimal) -> None:
        self._session.add(EquitySnapshotRow(account_id=account_id, at=at, equity=equity))
        await self._session.flush()

    async def equity_history(self, account_id: int, since: datetime) -> Sequence[tuple[datetime, Decimal]]:
        rows = await self._session.scalars(
            select(EquitySnapshotRow)
            .where(EquitySnapshotRow.account_id == account_id, EquitySnapshotRow.at >= since)
            .order_by(EquitySnapshotRow.at)
        )
        return [(row.at, row.equity) for row in rows]
