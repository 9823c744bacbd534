"""Keeping our books in step with the exchanges: reconciliation at start-up, open orders, bracket triggers."""

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from trading.domain.enums import OrderStatus
from trading.domain.errors import ExchangeError, TradingError
from trading.domain.orders import Order
from trading.usecases.brackets import fire_leg, leg_triggered
from trading.usecases.core import Core
from trading.usecases.execution import record_report, submit

log = logging.getLogger(__name__)

NEVER_ARRIVED = "Not placed: the exchange never received it (the bot stopped before sending it)."


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    found: int
    never_arrived: int
    unreachable: int


async def reconcile_submitted(core: Core, older_than: timedelta = timedelta(0)) -> ReconcileReport:
    """Ask the exchange about every order written but never acknowledged, by its client order id.

    Found: its fills are booked. Unknown to the exchange: it never left, and is marked so; it is not sent now,
    because the price the trader confirmed may be long gone.
    """
    cutoff = core.clock.now() - older_than
    async with core.uow() as uow:
        pending = [o for o in await uow.orders.with_status([OrderStatus.SUBMITTED]) if o.updated_at <= cutoff]
    found = never = unreachable = 0
    for order in pending:
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("reconcile: order %s: %s", order.client_order_id, error)
            unreachable += 1
            continue
        if report is None:
            await _mark_never_arrived(core, order)
            never += 1
        else:
            await record_report(core, order.id, report)
            found += 1
    return ReconcileReport(found, never, unreachable)


async def _mark_never_arrived(core: Core, order: Order) -> None:
    async with core.uow() as uow:
        if await uow.orders.transition(order.id, OrderStatus.SUBMITTED, OrderStatus.REJECTED):
            current = await uow.orders.get(order.id)
            assert current is not None
            await uow.orders.update(replace(current, error=NEVER_ARRIVED, updated_at=core.clock.now()))
        await uow.commit()


async def sync_open_orders(core: Core) -> int:
    """Book new fills of every resting order; the number of orders whose state changed."""
    async with core.uow() as uow:
        live = await uow.orders.with_status([OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED])
    changed = 0
    for order in live:
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("sync: order %s: %s", order.client_order_id, error)
            continue
        if report is not None and (report.status is not order.status or report.filled != order.filled):
            await record_report(core, order.id, report)
            changed += 1
    return changed


async def watch_brackets(core: Core) -> list[Order]:
    """Send every armed leg the market has reached; the legs sent."""
    async with core.uow() as uow:
        armed = await uow.orders.with_status([OrderStatus.ARMED])
    sent: list[Order] = []
    for leg in armed:
        gateway = await core.exchanges.gateway_of(leg.account_id)
        if not leg_triggered(leg, await gateway.ticker(leg.symbol)):
            continue
        async with core.uow() as uow:
            fired = await fire_leg(uow, leg, core.clock.now())
            await uow.commit()
        if fired is None:
            continue
        try:
            sent.append(await submit(core, fired, as_market=True))
        except TradingError as error:
            log.warning("bracket leg %s not placed: %s", fired.client_order_id, error)
    return sent
