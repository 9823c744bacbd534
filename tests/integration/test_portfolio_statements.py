"""The chat's portfolio reply reads the accounts with their ledgers, then the futures book, in one transaction;
for a user without a futures account it reads nothing of futures, and for one with it shows what the futures
portfolio shows, the venue's positions included."""

from decimal import Decimal

from tests.harness import Harness
from tests.statements import statements_sent
from trading.domain.enums import Side
from trading.domain.futures import MarketType, PositionSide
from trading.domain.intents import OrderIntent
from trading.usecases.core import account_of
from trading.usecases.exchange_accounts import remove_account
from trading.usecases.futures_portfolio import futures_portfolio
from trading.usecases.portfolio import portfolio, portfolio_and_futures

FUTURES_TABLES = ("futures_", "paper_")


async def test_a_spot_only_user_has_nothing_of_futures_read(harness: Harness) -> None:
    user, spot = await harness.user()
    async with harness.core.uow(read_only=True) as uow:
        futures = await account_of(uow, user, None, MarketType.FUTURES)
    await remove_account(harness.core, user, futures.id)
    await harness.placed(user, OrderIntent("ETH", Side.BUY, Decimal("0.5")))
    with statements_sent(harness) as sent:
        view, futures_view = await portfolio_and_futures(harness.core, user)
    assert futures_view is None
    assert view == await portfolio(harness.core, user)
    assert view.account_id == spot.id and view.positions[0].quantity == Decimal("0.5")
    assert len(sent) == 1, sent  # the accounts with their ledgers
    assert not [s for s in sent if any(table in s for table in FUTURES_TABLES)]


async def test_a_futures_user_sees_the_futures_book_and_the_venue_positions(harness: Harness) -> None:
    user, spot = await harness.user()
    await harness.placed(user, OrderIntent("ETH", Side.BUY, Decimal("0.5")))
    await harness.placed(user, OrderIntent("ETH", Side.SELL, Decimal("0.2"), position=PositionSide.SHORT))
    with statements_sent(harness) as sent:
        view, futures_view = await portfolio_and_futures(harness.core, user)
    assert view == await portfolio(harness.core, user) and view.account_id == spot.id
    assert futures_view == await futures_portfolio(harness.core, user)
    assert futures_view is not None
    [position] = futures_view.positions
    assert (position.side, position.size, position.leverage) == (
        PositionSide.SHORT,
        Decimal("0.2"),
        Decimal(1),
    )
    assert futures_view.fees_paid > 0 and futures_view.equity == futures_view.wallet + position.unrealised_pnl
    core_reads = [s for s in sent if "paper_" not in s]
    assert len(core_reads) == 2, core_reads  # the accounts with their ledgers, the futures book
