"""What following a channel would have done: its simulated trades summed up, at a fixed amount per signal,
beside buying and holding the same coins."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.audit import SimulatedTrade

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Tally:
    """Trades of one symbol or one month: how many were filled, won, and what they made."""

    key: str
    trades: int
    wins: int
    pnl: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.wins) / self.trades if self.trades else None


@dataclass(frozen=True, slots=True)
class TradeLine:
    """One signal's outcome, as the report lists it: `outcome` an audit.Outcome's value."""

    post_id: int
    symbol: str
    side: str
    outcome: str
    pnl: Decimal
    targets_hit: int


def trade_line(trade: SimulatedTrade) -> TradeLine:
    return TradeLine(
        trade.post_id, trade.symbol, trade.side.value, trade.outcome.value, trade.pnl, trade.targets_hit
    )


@dataclass(frozen=True, slots=True)
class AuditReport:
    """`posts`: in the export; `signals`: posts read as signals; `read`: posts the reader understood (signals,
    follow-ups, and posts that open nothing); `simulated`: signals with candles to play them on; `filled`: of
    those, the ones an entry was reached for. Money in the quote, at `amount` per signal."""

    posts: int
    signals: int
    read: int
    simulated: int
    filled: int
    wins: int
    amount: Decimal
    pnl: Decimal
    average_r: Decimal | None
    max_drawdown: Decimal
    time_to_first_target: timedelta | None
    stops_assumed_first: int
    buy_and_hold_pnl: Decimal
    by_symbol: tuple[Tally, ...]
    by_month: tuple[Tally, ...]
    equity: tuple[tuple[datetime, Decimal], ...]
    settings: str = ""  # the rules the signals were played with (audit_settings.settings_text)
    trades: tuple[TradeLine, ...] = ()  # every signal simulated, in the export's order

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(self.wins) / self.filled if self.filled else None

    @property
    def return_rate(self) -> Decimal | None:
        """The P&L over what the filled signals put in."""
        return self.pnl / (self.amount * self.filled) if self.filled else None


def equity_curve(trades: Iterable[SimulatedTrade]) -> tuple[tuple[datetime, Decimal], ...]:
    """The running P&L, a point at every trade's end."""
    ends = sorted((t.exited_at, t.pnl) for t in trades if t.exited_at is not None)
    total = ZERO
    points: list[tuple[datetime, Decimal]] = []
    for at, pnl in ends:
        total += pnl
        points.append((at, total))
    return tuple(points)


def max_drawdown(curve: Sequence[tuple[datetime, Decimal]]) -> Decimal:
    """The largest fall of the running P&L from a peak before it (its start, zero, counting as one)."""
    peak = worst = ZERO
    for _, value in curve:
        peak = max(peak, value)
        worst = max(worst, peak - value)
    return worst


def tallies(trades: Iterable[SimulatedTrade], key_of: str) -> tuple[Tally, ...]:
    groups: dict[str, list[SimulatedTrade]] = defaultdict(list)
    for trade in trades:
        key = trade.symbol if key_of == "symbol" else trade.signal_at.strftime("%Y-%m")
        groups[key].append(trade)
    return tuple(
        Tally(key, len(group), sum(1 for t in group if t.pnl > 0), sum((t.pnl for t in group), ZERO))
        for key, group in sorted(groups.items())
    )


def buy_and_hold(
    trades: Iterable[SimulatedTrade], amount: Decimal, prices: Mapping[str, tuple[Decimal, Decimal]]
) -> Decimal:
    """`amount` in each coin at its first signal's price, held to the last price: `prices` gives each symbol's
    (first, last)."""
    symbols = {t.symbol for t in trades if t.filled and t.symbol in prices}
    return sum((amount * (prices[s][1] / prices[s][0] - 1) for s in sorted(symbols)), ZERO)


def audit_report(
    posts: int,
    signals: int,
    read: int,
    trades: Sequence[SimulatedTrade],
    amount: Decimal,
    prices: Mapping[str, tuple[Decimal, Decimal]],
) -> AuditReport:
    filled = [t for t in trades if t.filled]
    multiples = [r for r in (t.r_multiple for t in filled) if r is not None]
    waits = [t.first_target_at - t.entered_at for t in filled if t.first_target_at and t.entered_at]
    curve = equity_curve(filled)
    return AuditReport(
        posts=posts,
        signals=signals,
        read=read,
        simulated=len(trades),
        filled=len(filled),
        wins=sum(1 for t in filled if t.pnl > 0),
        amount=amount,
        pnl=sum((t.pnl for t in filled), ZERO),
        average_r=sum(multiples, ZERO) / len(multiples) if multiples else None,
        max_drawdown=max_drawdown(curve),
        time_to_first_target=sum(waits, timedelta()) / len(waits) if waits else None,
        stops_assumed_first=sum(1 for t in filled if t.stop_assumed_first),
        buy_and_hold_pnl=buy_and_hold(filled, amount, prices),
        by_symbol=tallies(filled, "symbol"),
        by_month=tallies(filled, "month"),
        equity=curve,
        trades=tuple(trade_line(t) for t in trades),
    )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An audit kept for its user: the channel, when, the report and the posts not read."""

    id: int
    user_id: int
    title: str
    created_at: datetime
    report: AuditReport
    unread: tuple[tuple[int, str], ...]  # (post id, why)
