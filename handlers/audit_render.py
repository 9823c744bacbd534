"""An audit's report in chat, its equity chart, and the leaderboard of the user's audits."""

import io
from collections.abc import Sequence
from decimal import Decimal

from handlers.charts import draw_curve
from trading.domain.audit_report import AuditRecord, Tally

MOST_UNREAD_SHOWN = 5
MOST_SYMBOLS_SHOWN = 5


def _money(value: Decimal) -> str:
    return f"{value:+,.2f}"


def _rate(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _tally(tally: Tally) -> str:
    return f"{tally.key}: {tally.trades} trades, {_rate(tally.win_rate)} won, {_money(tally.pnl)}"


def report_text(record: AuditRecord, quote: str = "USDT", hit_rate: float | None = None) -> str:
    r = record.report
    wait = r.time_to_first_target
    lines = [
        f"📋 Audit #{record.id}: {record.title}",
        f"Posts {r.posts:,} · signals found {r.signals:,} · read {r.read:,} · simulated {r.simulated:,}"
        f" · entered {r.filled:,}",
        f"Win rate {_rate(r.win_rate)} · average R {'n/a' if r.average_r is None else f'{r.average_r:.2f}'}",
        f"Return at {r.amount:,.0f} {quote} a signal: {_money(r.pnl)} {quote} ({_rate(r.return_rate)})",
        f"Buy and hold of the same coins: {_money(r.buy_and_hold_pnl)} {quote}",
        f"Max drawdown {r.max_drawdown:,.2f} {quote}"
        + ("" if wait is None else f" · first target after {wait.total_seconds() / 3600:,.1f} h on average"),
    ]
    if r.settings:
        lines.append(r.settings)
    if r.stops_assumed_first:
        lines.append(
            f"{r.stops_assumed_first} trade(s) reached the stop and a target in one candle that no finer "
            "candle decided: the stop was taken first."
        )
    best = sorted(r.by_symbol, key=lambda t: -t.pnl)[:MOST_SYMBOLS_SHOWN]
    if best:
        lines.append("By symbol: " + "; ".join(_tally(t) for t in best))
    if r.by_month:
        lines.append("By month: " + "; ".join(_tally(t) for t in r.by_month))
    if record.unread:
        shown = ", ".join(f"#{post} ({why})" for post, why in record.unread[:MOST_UNREAD_SHOWN])
        more = len(record.unread) - MOST_UNREAD_SHOWN
        lines.append(f"Not read ({len(record.unread)}): {shown}" + (f" and {more} more" if more > 0 else ""))
    if hit_rate is not None:
        lines.append(f"Candles from the store: {hit_rate:.0%} of the windows asked.")
    return "\n".join(lines)


def leaderboard_text(records: Sequence[AuditRecord], quote: str = "USDT") -> str:
    if not records:
        return (
            "No audits yet. Export a channel from Telegram Desktop and send me its result.json (JSON), "
            "or its messages.html or folder zipped (HTML)."
        )
    lines = ["🏆 Your audited channels, best return first:"]
    for place, record in enumerate(records, 1):
        r = record.report
        lines.append(
            f"{place}. {record.title} (#{record.id}): {_rate(r.return_rate)} return, "
            f"{_rate(r.win_rate)} won of {r.filled} entered, {_money(r.pnl)} {quote}"
        )
    return "\n".join(lines)


def equity_png(record: AuditRecord, quote: str = "USDT") -> bytes:
    """The running P&L of following the channel at the fixed amount a signal."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6), dpi=100)
    curve = figure.subplots()
    points = record.report.equity or ((record.created_at, Decimal(0)),)
    draw_curve(curve, points, quote, f"{record.title}: P&L following every signal ({quote})")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
