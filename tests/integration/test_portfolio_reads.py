"""The portfolio is read from the database on every view: this process's own trades show at once, and so do
another process's."""

from collections.abc import Callable
from decimal import Decimal

from tests.harness import Harness
from trading.domain.accounts import PAPER
from trading.domain.enums import Side
from trading.domain.intents import OrderIntent
from trading.usecases.accounts import deposit
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import add_account, remove_account
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio


async def test_this_process_sees_its_own_trades_at_once(harness: Harness) -> None:
    user, _account = await harness.user()
    before = await portfolio(harness.core, user)
    assert before.positions == ()
    draft = await draft_order(harness.core, user, OrderIntent("ETH", Side.BUY, Decimal("0.5")))
    order = await confirm_draft(harness.core, user, draft.id)
    after = await portfolio(harness.core, user)
    [position] = after.positions
    assert position.quantity == order.filled
    assert after.cash == before.cash - order.filled * (order.average_price or 0) - order.fee
    await deposit(harness.core, user, None, "USDT", Decimal(100))
    assert (await portfolio(harness.core, user)).cash == after.cash + 100


async def test_another_process_writes_show_at_once(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, _account = await harness.user()
    other_process = harness_factory()
    seen = await portfolio(harness.core, user)
    await deposit(other_process.core, user, None, "USDT", Decimal(250))
    assert (await portfolio(harness.core, user)).cash == seen.cash + 250


async def test_a_removed_account_is_gone_at_once(harness: Harness) -> None:
    user, first = await harness.user()
    second = await add_account(harness.core, user, PAPER, "second")
    assert (await portfolio(harness.core, user)).account_id == first.id  # the first is the default
    await remove_account(harness.core, user, first.id)
    assert (await portfolio(harness.core, user)).account_id == second.id


async def test_the_ledger_trades_wrote_reads_back_the_same_in_another_process(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, account = await harness.user()
    for side, amount in ((Side.BUY, "0.5"), (Side.BUY, "0.25"), (Side.SELL, "0.6")):
        draft = await draft_order(harness.core, user, OrderIntent("ETH", side, Decimal(amount)))
        await confirm_draft(harness.core, user, draft.id)
    async with harness.core.uow(read_only=True) as uow:
        here = await uow.ledgers.load(account.id)
    async with harness_factory().core.uow(read_only=True) as uow:
        there = await uow.ledgers.load(account.id)
    assert here == there
    assert here.positions["ETH/USDT"].quantity == Decimal("0.15")
