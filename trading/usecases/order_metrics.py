"""What placing and booking an order add to the trade's metrics (trading.metrics): each outcome once, by venue."""

from datetime import datetime

from trading.domain.enums import OrderStatus
from trading.domain.errors import RiskRejected, TradingError
from trading.domain.orders import Order, OrderDraft
from trading.domain.risk import OrderExposure, RiskContext, RiskLimits, check_risk
from trading.metrics import RECONCILE_OUTCOMES, since, slippage_bps, trade_metrics
from trading.usecases.core import Core


def count_acknowledged(venue: str, order: Order, now: datetime) -> None:
    metrics = trade_metrics()
    metrics.placed.labels(venue).inc()
    metrics.ack_seconds.labels(venue).observe(since(order.created_at, now))


def count_refused(venue: str, error: TradingError) -> None:
    """A refusal by the risk checks or by the venue; the reason is the error's class (a bounded set)."""
    trade_metrics().refused.labels(venue, type(error).__name__).inc()


def risk_checked(venue: str, order: OrderExposure, account: RiskContext, limits: RiskLimits) -> None:
    """trading.domain.risk.check_risk, its refusal counted."""
    try:
        check_risk(order, account, limits)
    except RiskRejected as error:
        count_refused(venue, error)
        raise


def count_failed(venue: str, error: TradingError) -> None:
    trade_metrics().failed.labels(venue, type(error).__name__).inc()


async def count_fill(
    core: Core, before: Order, after: Order, draft: OrderDraft | None, now: datetime
) -> None:
    """An order's report that filled it: the time from its confirmation and, where its preview is at hand, the
    slippage of its average price against the previewed one."""
    if after.status is not OrderStatus.FILLED or before.status is OrderStatus.FILLED:
        return
    venue = (await core.exchanges.gateway_of(after.account_id)).name
    metrics = trade_metrics()
    metrics.filled.labels(venue).inc()
    metrics.fill_seconds.labels(venue).observe(since(after.created_at, now))
    if draft is not None and after.average_price is not None and draft.preview.price > 0:
        metrics.slippage_bps.labels(venue).observe(
            slippage_bps(after.side, draft.preview.price, after.average_price)
        )


def count_reconciliation(found: int, lost: int, unreachable: int) -> None:
    """One reconciliation run and what it found of each order: at the venue, lost (it never arrived) or not
    looked up (the venue unreachable)."""
    metrics = trade_metrics()
    metrics.reconciliations.inc()
    for outcome, count in zip(RECONCILE_OUTCOMES, (found, lost, unreachable), strict=True):
        metrics.reconciled_orders.labels(outcome).inc(count)
