"""A paper deposit interrupted between the venue and the books is booked at start-up, and nothing else is."""

from decimal import Decimal

from tests.harness import Harness
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import reconcile_paper_deposits
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.portfolio import portfolio


async def _trade(harness: Harness, user: int, side: Side, amount: str, **more: object) -> None:
    intent = OrderIntent("ETH", side, Decimal(amount), **more)  # type: ignore[arg-type]
    draft = await draft_order(harness.core, user, intent)
    await confirm_draft(harness.core, user, draft.id)


async def test_trading_leaves_nothing_to_reconcile(harness: Harness) -> None:
    user, _ = await harness.user()
    for side, amount in ((Side.BUY, "0.5"), (Side.BUY, "0.25"), (Side.SELL, "0.6")):
        await _trade(harness, user, side, amount)
    before = await portfolio(harness.core, user)
    assert await reconcile_paper_deposits(harness.core) == 0
    assert (await portfolio(harness.core, user)).deposits == before.deposits


async def test_a_deposit_that_reached_only_the_venue_is_booked_once(harness: Harness) -> None:
    user, account = await harness.user()
    before = await portfolio(harness.core, user)
    await harness.exchanges.paper_funding(account).deposit("USDT", Decimal(250))  # then the process stopped
    assert await reconcile_paper_deposits(harness.core) == 1
    after = await portfolio(harness.core, user)
    assert after.cash == before.cash + 250 and after.deposits == before.deposits + 250
    assert await reconcile_paper_deposits(harness.core) == 0


async def test_an_account_with_a_resting_order_waits_for_a_later_start(harness: Harness) -> None:
    user, account = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    limit = (ask * Decimal("0.9")).quantize(Decimal("0.01"))
    await _trade(harness, user, Side.BUY, "0.1", order_type=OrderType.LIMIT, price=limit)
    await harness.exchanges.paper_funding(account).deposit("USDT", Decimal(100))
    assert await reconcile_paper_deposits(harness.core) == 0
    async with harness.core.uow(read_only=True) as uow:
        [resting] = await uow.orders.for_user(user, [OrderStatus.OPEN], 10)
    await cancel_order(harness.core, user, resting.id)
    assert await reconcile_paper_deposits(harness.core) == 1
