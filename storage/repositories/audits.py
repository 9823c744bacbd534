"""Each user's audit reports: the headline figures in columns, the whole report and the posts not read as JSON
(Decimals as strings, times as ISO text, so that nothing is rounded)."""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, insert, select

from storage.audit_models import AuditRow
from storage.models import table_of
from storage.transaction import Transaction
from trading.domain.audit_report import AuditRecord, AuditReport, Tally, TradeLine

_AUDITS = table_of(AuditRow)


def report_json(report: AuditReport) -> str:
    def tallies(rows: tuple[Tally, ...]) -> list[list[Any]]:
        return [[t.key, t.trades, t.wins, str(t.pnl)] for t in rows]

    wait = report.time_to_first_target
    return json.dumps(
        {
            "posts": report.posts,
            "signals": report.signals,
            "read": report.read,
            "simulated": report.simulated,
            "filled": report.filled,
            "wins": report.wins,
            "amount": str(report.amount),
            "pnl": str(report.pnl),
            "average_r": None if report.average_r is None else str(report.average_r),
            "max_drawdown": str(report.max_drawdown),
            "time_to_first_target": None if wait is None else wait.total_seconds(),
            "stops_assumed_first": report.stops_assumed_first,
            "buy_and_hold_pnl": str(report.buy_and_hold_pnl),
            "by_symbol": tallies(report.by_symbol),
            "by_month": tallies(report.by_month),
            "equity": [[at.isoformat(), str(value)] for at, value in report.equity],
            "settings": report.settings,
            "trades": [
                [t.post_id, t.symbol, t.side, t.outcome, str(t.pnl), t.targets_hit] for t in report.trades
            ],
        }
    )


def report_of(text: str) -> AuditReport:
    raw = json.loads(text)

    def tallies(rows: list[list[Any]]) -> tuple[Tally, ...]:
        return tuple(Tally(key, trades, wins, Decimal(pnl)) for key, trades, wins, pnl in rows)

    wait = raw["time_to_first_target"]
    return AuditReport(
        posts=raw["posts"],
        signals=raw["signals"],
        read=raw["read"],
        simulated=raw["simulated"],
        filled=raw["filled"],
        wins=raw["wins"],
        amount=Decimal(raw["amount"]),
        pnl=Decimal(raw["pnl"]),
        average_r=None if raw["average_r"] is None else Decimal(raw["average_r"]),
        max_drawdown=Decimal(raw["max_drawdown"]),
        time_to_first_target=None if wait is None else timedelta(seconds=wait),
        stops_assumed_first=raw["stops_assumed_first"],
        buy_and_hold_pnl=Decimal(raw["buy_and_hold_pnl"]),
        by_symbol=tallies(raw["by_symbol"]),
        by_month=tallies(raw["by_month"]),
        equity=tuple((datetime.fromisoformat(at), Decimal(value)) for at, value in raw["equity"]),
        # Reports kept before the rules and the signals' lines were kept have none.
        settings=raw.get("settings", ""),
        trades=tuple(
            TradeLine(post, symbol, side, outcome, Decimal(pnl), hit)
            for post, symbol, side, outcome, pnl, hit in raw.get("trades", [])
        ),
    )


def _record(row: Row[Any]) -> AuditRecord:
    unread = tuple((post_id, why) for post_id, why in json.loads(row.unread))
    return AuditRecord(row.id, row.user_id, row.title, row.created_at, report_of(row.report), unread)


class SqlAuditRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(
        self,
        user_id: int,
        title: str,
        created_at: datetime,
        report: AuditReport,
        unread: Sequence[tuple[int, str]],
    ) -> AuditRecord:
        row = (
            await self._tx.execute(
                insert(_AUDITS)
                .values(
                    user_id=user_id,
                    title=title[:256],
                    created_at=created_at,
                    signals=report.signals,
                    filled=report.filled,
                    wins=report.wins,
                    pnl=report.pnl,
                    amount=report.amount,
                    report=report_json(report),
                    unread=json.dumps([list(item) for item in unread]),
                )
                .returning(*_AUDITS.c)
            )
        ).one()
        return _record(row)

    async def for_user(self, user_id: int, limit: int = 50) -> Sequence[AuditRecord]:
        rows = await self._tx.execute(
            select(_AUDITS)
            .where(_AUDITS.c.user_id == user_id)
            .order_by(_AUDITS.c.created_at.desc(), _AUDITS.c.id.desc())
            .limit(limit)
        )
        return [_record(row) for row in rows]

    async def get(self, user_id: int, audit_id: int) -> AuditRecord | None:
        row = (
            await self._tx.execute(
                select(_AUDITS).where(_AUDITS.c.id == audit_id, _AUDITS.c.user_id == user_id)
            )
        ).one_or_none()
        return None if row is None else _record(row)
