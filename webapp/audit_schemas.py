"""msgspec Structs of channel audits at the API boundary. Money goes out as decimal strings."""

from datetime import datetime
from decimal import Decimal

import msgspec

from trading.domain.audit_report import AuditRecord, Tally


class TallyOut(msgspec.Struct):
    key: str  # a symbol, or a month (YYYY-MM)
    trades: int
    wins: int
    pnl: Decimal


class EquityOut(msgspec.Struct):
    at: datetime
    pnl: Decimal


class TradeOut(msgspec.Struct):
    """One signal simulated: `outcome` is targets, stopped, trailed, liquidated, closed, cancelled, not_filled
    or open."""

    post_id: int
    symbol: str
    side: str
    outcome: str
    pnl: Decimal
    targets_hit: int


class AuditJobOut(msgspec.Struct):
    """An export accepted and its audit queued: follow it at /audits/jobs/{job}."""

    job: str
    title: str
    posts: int


class AuditJobStatusOut(msgspec.Struct):
    """`state`: queued, active, complete, failed or aborted; `progress` 0 to 1; `audit_id` once complete."""

    job: str
    state: str
    progress: float
    audit_id: int | None = None
    error: str | None = None


class UnreadOut(msgspec.Struct):
    post_id: int
    why: str


class AuditSummaryOut(msgspec.Struct):
    id: int
    title: str
    created_at: datetime
    signals: int
    filled: int
    win_rate: Decimal | None
    pnl: Decimal
    return_rate: Decimal | None
    amount: Decimal


class AuditOut(msgspec.Struct):
    """An audit's report: `pnl` at `amount` a signal, beside `buy_and_hold_pnl` of the same coins."""

    id: int
    title: str
    created_at: datetime
    posts: int
    signals: int
    read: int
    simulated: int
    filled: int
    wins: int
    win_rate: Decimal | None
    average_r: Decimal | None
    amount: Decimal
    pnl: Decimal
    return_rate: Decimal | None
    max_drawdown: Decimal
    time_to_first_target_hours: float | None
    stops_assumed_first: int
    buy_and_hold_pnl: Decimal
    by_symbol: list[TallyOut]
    by_month: list[TallyOut]
    equity: list[EquityOut]
    unread: list[UnreadOut]
    settings: str  # the rules the signals were played with
    trades: list[TradeOut]
    candle_hit_rate: float | None = None  # of this audit's candle windows, where it was just run


def _tallies(rows: tuple[Tally, ...]) -> list[TallyOut]:
    return [TallyOut(t.key, t.trades, t.wins, t.pnl) for t in rows]


def summary_out(record: AuditRecord) -> AuditSummaryOut:
    r = record.report
    return AuditSummaryOut(
        record.id,
        record.title,
        record.created_at,
        r.signals,
        r.filled,
        r.win_rate,
        r.pnl,
        r.return_rate,
        r.amount,
    )


def audit_out(record: AuditRecord, hit_rate: float | None = None) -> AuditOut:
    r = record.report
    wait = r.time_to_first_target
    return AuditOut(
        id=record.id,
        title=record.title,
        created_at=record.created_at,
        posts=r.posts,
        signals=r.signals,
        read=r.read,
        simulated=r.simulated,
        filled=r.filled,
        wins=r.wins,
        win_rate=r.win_rate,
        average_r=r.average_r,
        amount=r.amount,
        pnl=r.pnl,
        return_rate=r.return_rate,
        max_drawdown=r.max_drawdown,
        time_to_first_target_hours=None if wait is None else wait.total_seconds() / 3600,
        stops_assumed_first=r.stops_assumed_first,
        buy_and_hold_pnl=r.buy_and_hold_pnl,
        by_symbol=_tallies(r.by_symbol),
        by_month=_tallies(r.by_month),
        equity=[EquityOut(at, value) for at, value in r.equity],
        unread=[UnreadOut(post, why) for post, why in record.unread],
        settings=r.settings,
        trades=[TradeOut(t.post_id, t.symbol, t.side, t.outcome, t.pnl, t.targets_hit) for t in r.trades],
        candle_hit_rate=hit_rate,
    )
