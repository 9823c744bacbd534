"""One tap, one order: concurrent and replayed confirmations, and a crash before the exchange's answer."""

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storage.signal_models import PaperOrderRow
from tests.harness import Harness, ProcessDied, answer_lost, left_in_flight
from trading.domain.enums import OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.tracking import IN_FLIGHT_AT_MOST, NEVER_ARRIVED, reconcile_submitted


async def paper_orders(harness: Harness, client_order_id: str | None = None) -> int:
    query = select(func.count()).select_from(PaperOrderRow)
    if client_order_id is not None:
        query = query.where(PaperOrderRow.client_order_id == client_order_id)
    async with harness.engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


async def test_fifty_concurrent_confirmations_from_two_processes_place_one_order(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, _ = await harness.user()
    second = harness_factory()
    draft = await draft_order(harness.core, user, OrderIntent("ETH", Side.BUY, Decimal("0.5")))

    attempts = [confirm_draft((harness if i % 2 else second).core, user, draft.id) for i in range(50)]
    results = await asyncio.gather(*attempts, return_exceptions=True)

    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DraftAlreadyUsed)]
    assert len(placed) == 1 and len(refused) == 49, results
    assert placed[0].status is OrderStatus.FILLED
    assert await harness.count("orders") == 1
    assert await paper_orders(harness) == 1
    # Read by a third process, which has nothing cached: the books hold the one fill, whichever process booked it.
    reader = harness_factory()
    assert (await portfolio(reader.core, user)).positions[0].quantity == Decimal("0.5")


async def test_many_orders_of_one_user_confirmed_at_once_all_fill_and_book_every_coin(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """Each a first buy of its coin on the venue's books, all at once from two processes: none may fail for
    another's having written the coin's balance in between."""
    user, _ = await harness.user()
    second = harness_factory()
    drafts = [
        await draft_order(harness.core, user, OrderIntent(coin, Side.BUY, Decimal("0.01")))
        for coin in ("BTC", "ETH", "BTC", "ETH", "BTC", "ETH", "BTC", "ETH")
    ]
    results = await asyncio.gather(
        *(confirm_draft((harness if i % 2 else second).core, user, d.id) for i, d in enumerate(drafts)),
        return_exceptions=True,
    )
    assert [r.status if isinstance(r, Order) else r for r in results] == [OrderStatus.FILLED] * len(drafts)
    held = {p.symbol: p.quantity for p in (await portfolio(harness_factory().core, user)).positions}
    assert held == {"BTC/USDT": Decimal("0.04"), "ETH/USDT": Decimal("0.04")}


async def test_a_replayed_confirmation_is_refused_and_places_nothing(harness: Harness) -> None:
    user, _ = await harness.user()
    draft = await draft_order(harness.core, user, OrderIntent("SOL", Side.BUY, Decimal(2)))
    await confirm_draft(harness.core, user, draft.id)
    before = await harness.counts()
    try:
        await confirm_draft(harness.core, user, draft.id)
        raise AssertionError("a replay was accepted")
    except DraftAlreadyUsed as error:
        assert "already confirmed" in str(error)
    assert await harness.counts() == before


async def test_crash_after_sending_is_found_by_reconciliation_without_a_duplicate(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, crashed = await left_in_flight(harness, ProcessDied, after_sending=True)
    client_order_id = crashed.client_order_id

    restarted = harness_factory()
    report = await reconcile_submitted(restarted.core)
    assert (report.found, report.never_arrived, report.unreachable) == (1, 0, 0)
    async with restarted.core.uow() as uow:
        order = await uow.orders.by_client_id(client_order_id)
        assert order is not None
        fills = await uow.fills.for_order(order.id)
    assert order.status is OrderStatus.FILLED and order.filled == Decimal("0.25")
    assert sum(f.quantity for f in fills) == Decimal("0.25")
    assert await paper_orders(restarted, client_order_id) == 1
    assert (await portfolio(restarted.core, user)).positions[0].quantity == Decimal("0.25")

    again = await reconcile_submitted(restarted.core)  # nothing left to do, nothing booked twice
    assert (again.found, again.never_arrived) == (0, 0)
    assert (await portfolio(restarted.core, user)).positions[0].quantity == Decimal("0.25")


async def test_crash_before_sending_is_marked_never_arrived(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, crashed = await left_in_flight(harness, ProcessDied, after_sending=False)
    client_order_id = crashed.client_order_id

    restarted = harness_factory()
    report = await reconcile_submitted(restarted.core)
    assert (report.found, report.never_arrived) == (0, 1)
    async with restarted.core.uow() as uow:
        order = await uow.orders.by_client_id(client_order_id)
    assert order is not None and order.status is OrderStatus.REJECTED and order.error == NEVER_ARRIVED
    assert await paper_orders(restarted) == 0
    assert (await portfolio(restarted.core, user)).positions == ()


async def test_concurrent_first_messages_from_one_person_register_one_user(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    from trading.usecases.accounts import register_user

    second = harness_factory()
    results = await asyncio.gather(
        *[register_user((harness if i % 2 else second).core, "ada", 777) for i in range(20)]
    )
    assert len({user.id for user, _ in results}) == 1
    assert len({account.id for _, account in results}) == 1
    assert await harness.count("users") == 1 and await harness.count("exchange_accounts") == 2
    assert (await portfolio(harness.core, results[0][0].id)).cash == Decimal(10_000)


def told(order: Order) -> str:
    return f"order {order.id} {order.status.value}"


async def _owed(harness: Harness) -> list[tuple[int, str]]:
    async with harness.core.uow(read_only=True) as uow:
        return [(notice.user_id, notice.text) for notice in await uow.notices.unsent(10)]


@pytest.mark.parametrize(
    ("after_sending", "outcome"), [(True, OrderStatus.FILLED), (False, OrderStatus.REJECTED)]
)
async def test_an_unanswered_order_is_looked_up_once_no_longer_in_flight_and_its_trader_told(
    harness: Harness, after_sending: bool, outcome: OrderStatus
) -> None:
    # Sent, the answer lost, or never sent: perhaps placed, so the trader is told it will be checked.
    user, order = await left_in_flight(
        harness, answer_lost, after_sending=after_sending, match="within a few minutes"
    )

    harness.clock.advance(IN_FLIGHT_AT_MOST.total_seconds() - 1)  # it could still be in flight somewhere
    report = await reconcile_submitted(harness.core, IN_FLIGHT_AT_MOST, told)
    assert (report.found, report.never_arrived) == (0, 0)
    assert await _owed(harness) == []

    harness.clock.advance(2)
    report = await reconcile_submitted(harness.core, IN_FLIGHT_AT_MOST, told)
    assert (report.found, report.never_arrived) == ((1, 0) if after_sending else (0, 1))
    async with harness.core.uow(read_only=True) as uow:
        settled = await uow.orders.get(order.id)
    assert settled is not None and settled.status is outcome
    assert await _owed(harness) == [(user, f"order {order.id} {outcome.value}")]
    assert await paper_orders(harness, order.client_order_id) == (1 if after_sending else 0)

    again = await reconcile_submitted(harness.core, IN_FLIGHT_AT_MOST, told)
    assert (again.found, again.never_arrived) == (0, 0)
    assert len(await _owed(harness)) == 1  # told once
