"""Price alerts: set in chat, listed, deleted, and fired once when the market reaches them."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from trading.domain.alerts import Alert, AlertCondition
from trading.domain.channels import EventKind
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.money import at_distance, price_text
from trading.metrics import since, trade_metrics
from trading.usecases.core import Core, account_of
from trading.usecases.notices import add_notices
from trading.usecases.pricing import pair_of

MAX_ALERTS_PER_USER = 100


async def set_alert(
    core: Core,
    user_id: int,
    symbol: str,
    condition: str | None,
    threshold: Decimal | None,
    percent: Decimal | None = None,
) -> tuple[Alert, Decimal]:
    """The alert and the price now. 'cross' (or no condition) becomes above or below the current price. Given
    as a `percent` move ("if ETH goes up 5%") in place of a price, it is priced from the price now."""
    _check_level(condition, threshold, percent)
    async with core.uow() as uow:
        account = await account_of(uow, user_id, None)
        if len(await uow.alerts.for_user(user_id)) >= MAX_ALERTS_PER_USER:
            raise InvalidInput(f"You have {MAX_ALERTS_PER_USER} alerts already; delete some first.")
    gateway = await core.exchanges.gateway(account)
    pair = pair_of(symbol, None, core.config.paper_quote)
    market = await gateway.market(pair)
    price = (await gateway.ticker(market.symbol)).last
    if percent is not None:
        threshold = market.round_price(at_distance(price, percent, below=condition == "below"))
    assert threshold is not None
    if condition in ("above", "below"):
        wanted = AlertCondition(condition)
    else:
        wanted = AlertCondition.ABOVE if threshold > price else AlertCondition.BELOW
    if (wanted is AlertCondition.ABOVE) == (price >= threshold):
        raise InvalidInput(
            f"{market.symbol} is at {price_text(price)} already, {wanted.value} {price_text(threshold)}: "
            "nothing to wait for."
        )
    async with core.uow() as uow:
        alert = await uow.alerts.add(user_id, market.symbol, wanted, threshold, core.clock.now())
        await uow.commit()
    return alert, price


def _check_level(condition: str | None, threshold: Decimal | None, percent: Decimal | None) -> None:
    if percent is None:
        if threshold is None or threshold <= 0:
            raise InvalidInput("An alert needs a price above zero, e.g. 'alert me if SOL drops below 120'.")
        return
    if condition not in ("above", "below"):
        raise InvalidInput("Say which way the move is: 'if ETH goes up 5%' or 'if ETH drops 5%'.")
    if percent <= 0 or (condition == "below" and percent >= 100):
        raise InvalidInput("A move to be told of is more than 0%, and a drop less than 100%.")


async def list_alerts(core: Core, user_id: int) -> Sequence[Alert]:
    async with core.uow() as uow:
        return await uow.alerts.for_user(user_id)


async def delete_alert(core: Core, user_id: int, alert_id: int) -> None:
    async with core.uow() as uow:
        if not await uow.alerts.delete(user_id, alert_id):
            raise NotFound("That alert was not found; it may have fired or been deleted already.")
        await uow.commit()


async def active_alerts(core: Core) -> Sequence[Alert]:
    async with core.uow(read_only=True) as uow:
        return await uow.alerts.active()


async def alerts_set_since(core: Core, since: datetime) -> Sequence[Alert]:
    """The active alerts created at `since` or after, wherever they were set."""
    async with core.uow(read_only=True) as uow:
        return await uow.alerts.active_set_since(since)


async def fire_alert(core: Core, alert: Alert, notice: str, priced_at: datetime | None = None) -> bool:
    """True for the one caller that fired it: an alert fires once, whatever the number of processes. `notice`,
    what its user is told, is written in the same transaction, for NoticeDelivery to send. `priced_at`: when
    the price that reached it was quoted, for the delay the metrics keep."""
    async with core.uow() as uow:
        now = core.clock.now()
        fired = await uow.alerts.fire(alert.id, now)
        if fired:
            await add_notices(uow, [(alert.user_id, notice)], now, EventKind.ALERTS)
        await uow.commit()
    if fired:
        metrics = trade_metrics()
        metrics.alerts_fired.inc()
        if priced_at is not None:
            metrics.alert_delay_seconds.observe(since(priced_at, now))
    return fired
