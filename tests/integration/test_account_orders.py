"""Checks over an account's orders see all of them, however many newer orders its user has elsewhere."""

from decimal import Decimal

from tests.harness import Harness
from trading.domain.accounts import PAPER
from trading.domain.enums import AmountUnit, OrderRole, OrderStatus, OrderType, Side
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.usecases.core import new_client_order_id
from trading.usecases.exchange_accounts import add_account
from trading.usecases.venue_balances import has_live_orders

NEWER = 1_001  # past the 1,000 newest orders a per-user query once stopped at


async def add_open_orders(harness: Harness, user: int, account: int, symbol: str, count: int) -> None:
    now = harness.core.clock.now()
    async with harness.core.uow() as uow:
        for _ in range(count):
            await uow.orders.add(
                Order(
                    id=0,
                    user_id=user,
                    account_id=account,
                    client_order_id=new_client_order_id(),
                    symbol=symbol,
                    side=Side.BUY,
                    order_type=OrderType.LIMIT,
                    quantity=Decimal("0.001"),
                    price=Decimal(1000),
                    status=OrderStatus.OPEN,
                    created_at=now,
                    updated_at=now,
                )
            )
        await uow.commit()


async def test_selling_by_hand_disarms_the_legs_behind_a_thousand_newer_orders(harness: Harness) -> None:
    user, account = await harness.user()
    buy = OrderIntent("ETH", Side.BUY, Decimal(1), stop_loss=Decimal(3000))
    await harness.placed(user, buy)
    await add_open_orders(harness, user, account.id, "BTC/USDT", NEWER)

    sell = OrderIntent("ETH", Side.SELL, Decimal(100), amount_unit=AmountUnit.PERCENT)
    await harness.placed(user, sell)

    async with harness.core.uow(read_only=True) as uow:
        on_eth = await uow.orders.for_account(account.id, list(OrderStatus), "ETH/USDT")
    [stop] = [order for order in on_eth if order.role is OrderRole.STOP_LOSS]
    assert stop.status is OrderStatus.CANCELLED


async def test_an_account_with_one_live_order_has_live_orders_whatever_its_user_has_elsewhere(
    harness: Harness,
) -> None:
    user, first = await harness.user()
    second = await add_account(harness.core, user, PAPER, "second")
    async with harness.core.uow(read_only=True) as uow:
        assert not await has_live_orders(uow, first)
    await add_open_orders(harness, user, first.id, "ETH/USDT", 1)
    await add_open_orders(harness, user, second.id, "BTC/USDT", NEWER)
    async with harness.core.uow(read_only=True) as uow:
        assert await has_live_orders(uow, first)
