"""The trade's metrics, recorded where the use cases decide (placing, booking, reconciling, firing alerts) and
served by each process's /metrics. Labels are bounded: a venue is an exchange id, a reason an error's class,
never a user or a symbol. Built on the first use (no registration at import); bot.metrics.register_all() at
start-up makes every family appear before its first sample."""

import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, partial
from types import MappingProxyType

from prometheus_client import Counter, Gauge, Histogram

from trading.domain.enums import Side

# Seconds from a confirmation to the venue's answer (an acknowledgement), and to the fill (a resting limit
# order may take hours).
ACK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
FILL_BUCKETS = (0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0, 86400.0)
# Basis points the fill was worse (positive) or better (negative) than the previewed price.
SLIPPAGE_BUCKETS = (-100.0, -25.0, -10.0, -5.0, -1.0, 0.0, 1.0, 5.0, 10.0, 25.0, 100.0, 500.0)
RECONCILE_OUTCOMES = ("found", "lost", "unreachable")
ALERT_DELAY_BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True, slots=True)
class TradeMetrics:
    placed: Counter
    filled: Counter
    refused: Counter
    failed: Counter
    ack_seconds: Histogram
    fill_seconds: Histogram
    slippage_bps: Histogram
    reconciliations: Counter
    reconciled_orders: Counter
    alerts_fired: Counter
    alert_delay_seconds: Histogram
    tracker_last_pass: Gauge


@cache
def trade_metrics() -> TradeMetrics:
    venue = ["venue"]
    return TradeMetrics(
        placed=Counter("tsbot_orders_placed", "Orders sent to their venue", venue),
        filled=Counter("tsbot_orders_filled", "Orders filled in full", venue),
        refused=Counter(
            "tsbot_orders_refused",
            "Orders refused, by the risk checks before the venue or by the venue itself",
            ["venue", "reason"],
        ),
        failed=Counter(
            "tsbot_orders_failed",
            "Orders the venue did not answer (left for reconciliation)",
            ["venue", "reason"],
        ),
        ack_seconds=Histogram(
            "tsbot_order_ack_seconds",
            "From the confirmation to the venue's acknowledgement",
            venue,
            buckets=ACK_BUCKETS,
        ),
        fill_seconds=Histogram(
            "tsbot_order_fill_seconds", "From the confirmation to the fill", venue, buckets=FILL_BUCKETS
        ),
        slippage_bps=Histogram(
            "tsbot_fill_slippage_bps",
            "The fill's price against the previewed one, in basis points (positive: worse for the trader)",
            venue,
            buckets=SLIPPAGE_BUCKETS,
        ),
        reconciliations=Counter("tsbot_reconciliations", "Reconciliation runs of unacknowledged orders"),
        reconciled_orders=Counter(
            "tsbot_reconciled_orders",
            "What reconciliation found of each unacknowledged order: found, lost (never arrived), unreachable",
            ["outcome"],
        ),
        alerts_fired=Counter("tsbot_alerts_fired", "Price alerts fired"),
        alert_delay_seconds=Histogram(
            "tsbot_alert_delay_seconds",
            "From the price that crossed an alert's threshold to its firing",
            buckets=ALERT_DELAY_BUCKETS,
        ),
        tracker_last_pass=Gauge(
            "tsbot_tracker_last_pass_timestamp_seconds",
            "When the order tracker last finished a pass (0 in a process that does not lead)",
        ),
    )


def since(start: datetime, now: datetime) -> float:
    """Seconds from `start` to `now`, never negative (a clock moved back records nothing odd)."""
    return max((now - start).total_seconds(), 0.0)


def slippage_bps(side: Side, previewed: Decimal, filled_at: Decimal) -> float:
    """How much worse than previewed the fill was, in basis points: paying more to buy, getting less to sell."""
    worse = filled_at - previewed if side is Side.BUY else previewed - filled_at
    return float(worse / previewed * 10_000)


# The windows users are counted over, in seconds, by the label they carry.
ACTIVE_WINDOWS = MappingProxyType({"1h": 3600.0, "24h": 86400.0})


class ActiveUsers:
    """The users this process served (a Telegram update, a signed-in web request), counted at each scrape over
    the last hour and day. Each process counts its own: with several, their largest count is a lower bound."""

    def __init__(self) -> None:
        self._last_seen: dict[int, float] = {}

    def seen(self, user_id: int) -> None:
        self._last_seen[user_id] = time.time()

    def within(self, seconds: float) -> int:
        since_then = time.time() - seconds
        if seconds >= max(ACTIVE_WINDOWS.values()):  # the longest window's count forgets who left it
            self._last_seen = {user: at for user, at in self._last_seen.items() if at >= since_then}
        return sum(1 for at in self._last_seen.values() if at >= since_then)


@cache
def active_users() -> ActiveUsers:
    users = ActiveUsers()
    gauge = Gauge("tsbot_users_active", "Users this process served within the window", ["window"])
    for window, seconds in ACTIVE_WINDOWS.items():
        gauge.labels(window).set_function(partial(users.within, seconds))
    return users
