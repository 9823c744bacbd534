"""A paper deposit interrupted between the venue and the books is booked by a later look (at start-up, then by
the tracker), and nothing else is: only the accounts a deposit left marked are read."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.harness import ExchangesAround, Harness
from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.intents import OrderIntent
from trading.ports import ExchangeFactory, ExchangeGateway, PaperFunding, UnitOfWork, UnitOfWorkFactory
from trading.usecases.accounts import (
    DEPOSIT_UNDER_WAY_AT_MOST,
    deposit,
    reconcile_paper_deposits,
    register_user,
)
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.portfolio import portfolio


class ProcessStopped(Exception):
    """The process ending where it is raised."""


class _StopsAfterTheVenue:
    def __init__(self, funding: PaperFunding) -> None:
        self._funding = funding

    async def deposit(self, asset: str, amount: Decimal) -> None:
        await self._funding.deposit(asset, amount)
        raise ProcessStopped


class WatchedExchanges(ExchangesAround):
    """The app's exchanges, noting the accounts whose gateway is asked for. `stop_after_the_venue`: a paper
    deposit reaches the venue and the process stops right there, before the books."""

    def __init__(self, exchanges: ExchangeFactory, *, stop_after_the_venue: bool = False) -> None:
        super().__init__(exchanges)
        self._stop = stop_after_the_venue
        self.read: list[int] = []

    def around(self, account_id: int, gateway: ExchangeGateway) -> ExchangeGateway:
        self.read.append(account_id)
        return gateway

    def paper_funding(self, account: ExchangeAccount) -> PaperFunding:
        funding = super().paper_funding(account)
        return _StopsAfterTheVenue(funding) if self._stop else funding


class CountedUnitsOfWork:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self.opened = 0

    def __call__(self, *, read_only: bool = False, durable: bool = True) -> UnitOfWork:
        self.opened += 1
        return self._uow(read_only=read_only, durable=durable)


def stopping(harness: Harness) -> Core:
    """The core of a process that stops after a paper deposit reached the venue."""
    return replace(harness.core, exchanges=WatchedExchanges(harness.exchanges, stop_after_the_venue=True))


async def pending(harness: Harness) -> list[int]:
    async with harness.core.uow(read_only=True) as uow:
        return [account.id for account, _ in await uow.accounts.deposit_pending()]


async def _trade(harness: Harness, user: int, side: Side, amount: str, **more: object) -> None:
    intent = OrderIntent("ETH", side, Decimal(amount), **more)  # type: ignore[arg-type]
    draft = await draft_order(harness.core, user, intent)
    await confirm_draft(harness.core, user, draft.id)


async def test_trading_leaves_nothing_to_reconcile(harness: Harness) -> None:
    user, _ = await harness.user()
    await deposit(harness.core, user, None, "USDT", Decimal(100))
    for side, amount in ((Side.BUY, "0.5"), (Side.BUY, "0.25"), (Side.SELL, "0.6")):
        await _trade(harness, user, side, amount)
    assert await pending(harness) == []
    before = await portfolio(harness.core, user)
    assert await reconcile_paper_deposits(harness.core) == 0
    assert (await portfolio(harness.core, user)).deposits == before.deposits


async def test_a_deposit_that_reached_only_the_venue_is_booked_once(harness: Harness) -> None:
    user, account = await harness.user()
    before = await portfolio(harness.core, user)
    with pytest.raises(ProcessStopped):
        await deposit(stopping(harness), user, None, "USDT", Decimal(250))
    assert await pending(harness) == [account.id]
    assert await reconcile_paper_deposits(harness.core) == 1
    after = await portfolio(harness.core, user)
    assert after.cash == before.cash + 250 and after.deposits == before.deposits + 250
    assert await pending(harness) == []
    assert await reconcile_paper_deposits(harness.core) == 0


async def test_a_registration_stopped_after_the_venue_is_booked(harness: Harness) -> None:
    """The opening deposits are marked in the transaction that creates the accounts (the spot one's reached the
    venue; the process stopped before the futures one's)."""
    with pytest.raises(ProcessStopped):
        await register_user(stopping(harness), "trader", telegram_id=42)
    [account_id, _futures] = await pending(harness)
    assert await reconcile_paper_deposits(harness.core) == 1
    assert await pending(harness) == []
    user, account = await harness.user("trader", telegram_id=42)  # registered already: no second deposit
    assert account.id == account_id
    assert (await portfolio(harness.core, user)).deposits == harness.core.config.paper_start_balance


async def test_a_marked_account_short_of_nothing_is_only_unmarked(harness: Harness) -> None:
    user, account = await harness.user()
    async with harness.core.uow() as uow:  # the process stopped after marking, before the venue
        await uow.accounts.mark_deposit_pending(account.id, harness.clock.now())
        await uow.commit()
    before = await portfolio(harness.core, user)
    assert await reconcile_paper_deposits(harness.core) == 0
    assert await pending(harness) == []
    assert await portfolio(harness.core, user) == before


async def test_an_account_with_a_resting_order_waits_for_a_later_look(harness: Harness) -> None:
    user, account = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    limit = (ask * Decimal("0.9")).quantize(Decimal("0.01"))
    await _trade(harness, user, Side.BUY, "0.1", order_type=OrderType.LIMIT, price=limit)
    with pytest.raises(ProcessStopped):
        await deposit(stopping(harness), user, None, "USDT", Decimal(100))
    assert await reconcile_paper_deposits(harness.core) == 0
    assert await pending(harness) == [account.id]  # kept for the next look
    async with harness.core.uow(read_only=True) as uow:
        [resting] = await uow.orders.for_user(user, [OrderStatus.OPEN], 10)
    await cancel_order(harness.core, user, resting.id)
    assert await reconcile_paper_deposits(harness.core) == 1
    assert await pending(harness) == []


async def test_an_unmarked_account_is_not_read_even_if_its_venue_differs(harness: Harness) -> None:
    user, account = await harness.user()
    await harness.exchanges.paper_funding(account).deposit("USDT", Decimal(250))  # past `deposit`: no marker
    before = await portfolio(harness.core, user)
    exchanges = WatchedExchanges(harness.exchanges)
    assert await reconcile_paper_deposits(replace(harness.core, exchanges=exchanges)) == 0
    assert exchanges.read == []
    assert await portfolio(harness.core, user) == before


async def test_a_look_with_nothing_pending_does_no_work_per_account(harness: Harness) -> None:
    for telegram_id in range(5):
        await harness.user(f"trader {telegram_id}", telegram_id)
    exchanges, units = WatchedExchanges(harness.exchanges), CountedUnitsOfWork(harness.core.uow)
    assert await reconcile_paper_deposits(replace(harness.core, exchanges=exchanges, uow=units)) == 0
    assert (units.opened, exchanges.read) == (1, [])  # the one query for the marked accounts


async def test_of_two_deposits_under_way_the_one_booked_first_leaves_the_other_marked(
    harness: Harness,
) -> None:
    """An operator's deposit during the account's opening one, say: the first booked must not unmark the other,
    which may yet stop before the books."""
    _, account = await harness.user()
    async with harness.core.uow() as uow:
        await uow.accounts.mark_deposit_pending(account.id, harness.clock.now())
        harness.clock.advance(1)
        await uow.accounts.mark_deposit_pending(account.id, harness.clock.now())
        await uow.accounts.deposit_booked(account.id)
        await uow.commit()
    assert await pending(harness) == [account.id]
    async with harness.core.uow() as uow:
        await uow.accounts.deposit_booked(account.id)
        await uow.commit()
    assert await pending(harness) == []


async def test_a_check_leaves_the_mark_of_a_deposit_begun_since(harness: Harness) -> None:
    _, account = await harness.user()
    first = harness.clock.now()
    async with harness.core.uow() as uow:
        await uow.accounts.mark_deposit_pending(account.id, first)
        harness.clock.advance(1)
        await uow.accounts.mark_deposit_pending(account.id, harness.clock.now())
        await uow.accounts.deposits_checked(account.id, first)
        await uow.commit()
    async with harness.core.uow(read_only=True) as uow:
        assert [since for _, since in await uow.accounts.deposit_pending()] == [harness.clock.now()]


async def test_a_deposit_that_may_still_be_under_way_elsewhere_is_left_to_a_later_look(
    harness: Harness,
) -> None:
    """Another process's deposit can sit between the venue and the books for a moment: a look that booked it
    then would book it twice. Only deposits begun `older_than` ago are taken for stopped."""
    user, account = await harness.user()
    with pytest.raises(ProcessStopped):
        await deposit(stopping(harness), user, None, "USDT", Decimal(250))
    assert await reconcile_paper_deposits(harness.core, older_than=DEPOSIT_UNDER_WAY_AT_MOST) == 0
    assert await pending(harness) == [account.id]
    harness.clock.advance(DEPOSIT_UNDER_WAY_AT_MOST.total_seconds())
    assert await reconcile_paper_deposits(harness.core, older_than=DEPOSIT_UNDER_WAY_AT_MOST) == 1
    assert await pending(harness) == []
