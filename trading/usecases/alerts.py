"""Price alerts: set in chat, listed, deleted, and fired once when the market reaches them."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from trading.domain.alerts import Alert, AlertCondition
from trading.domain.channels import EventKind
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.money import price_text
from trading.usecases.core import Core, account_of
from trading.usecases.drafting import pair_of
from trading.usecases.notices import add_notices

MAX_ALERTS_PER_USER = 100


async def set_alert(
    core: Core, user_id: int, symbol: str, condition: str | None, threshold: Decimal | None
) -> tuple[Alert, Decimal]:
    """The alert and the price now. 'cross' (or no condition) becomes above or below the current price."""
    if threshold is None or threshold <= 0:
        raise InvalidInput("An alert needs a price above zero, e.g. 'alert me if SOL drops below 120'.")
    async with core.uow() as uow:
        account = await account_of(uow, user_id, None)
        if len(await uow.alerts.for_user(user_id)) >= MAX_ALERTS_PER_USER:
            raise InvalidInput(f"You have {MAX_ALERTS_PER_USER} alerts already; delete some first.")
    gateway = await core.exchanges.gateway(account)
    pair = pair_of(symbol, None, core.config.paper_quote)
    market = await gateway.market(pair)
    price = (await gateway.ticker(market.symbol)).last
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


async def fire_alert(core: Core, alert: Alert, notice: str) -> bool:
    """True for the one caller that fired it: an alert fires once, whatever the number of processes. `notice`,
    what its user is told, is written in the same transaction, for NoticeDelivery to send."""
    async with core.uow() as uow:
        now = core.clock.now()
        fired = await uow.alerts.fire(alert.id, now)
        if fired:
            await add_notices(uow, [(alert.user_id, notice)], now, EventKind.ALERTS)
        await uow.commit()
    return fired
