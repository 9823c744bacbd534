"""An order left in flight by a process that died is looked up as soon as that process is known silent, not
after the longest flight; one a live process is still sending is left to it (storage.liveness)."""

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from storage.models import OrderRow, ProcessRow
from tests.harness import Harness, ProcessDied, answer_lost, left_in_flight
from tests.integration.test_exactly_once import paper_orders
from trading.domain.enums import OrderStatus
from trading.domain.orders import Order
from trading.usecases.tracking import IN_FLIGHT_AT_MOST, SILENT_AT_MOST, reconcile_submitted

SILENT = SILENT_AT_MOST.total_seconds()


async def _status(harness: Harness, order: Order) -> OrderStatus:
    async with harness.core.uow(read_only=True) as uow:
        found = await uow.orders.get(order.id)
    assert found is not None
    return found.status


async def _placed_by(harness: Harness, order: Order) -> str | None:
    async with harness.engine.connect() as connection:
        return await connection.scalar(select(OrderRow.placed_by).where(OrderRow.id == order.id))


async def test_an_order_a_crashed_process_left_is_looked_up_once_it_is_silent(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    await harness.container.liveness.register("run")
    _, order = await left_in_flight(harness, ProcessDied)  # and the process dies: it never beats again
    assert await _placed_by(harness, order) == harness.container.liveness.placer

    restarted = harness_factory()
    await restarted.container.liveness.register("run")
    report = await reconcile_submitted(restarted.core, IN_FLIGHT_AT_MOST)
    assert report.found == 0  # beaten a moment ago: it could still be sending
    harness.clock.advance(SILENT + 1)
    report = await reconcile_submitted(restarted.core, IN_FLIGHT_AT_MOST)  # minutes before IN_FLIGHT_AT_MOST
    assert (report.found, report.never_arrived) == (1, 0)
    assert await _status(restarted, order) is OrderStatus.FILLED
    assert await paper_orders(restarted, order.client_order_id) == 1


async def test_an_order_a_live_process_is_sending_is_left_to_it(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """However long it beats; a process that stops beating on purpose (forget) leaves its orders at once."""
    other = harness_factory()
    await other.container.liveness.register("run")
    await harness.container.liveness.register("run")
    _, order = await left_in_flight(harness, answer_lost)
    for _ in range(4):
        harness.clock.advance(SILENT - 1)
        await harness.container.liveness.beat()
        assert (await reconcile_submitted(other.core, IN_FLIGHT_AT_MOST)).found == 0
    assert await _status(harness, order) is OrderStatus.SUBMITTED
    await harness.container.liveness.forget()
    assert (await reconcile_submitted(other.core, IN_FLIGHT_AT_MOST)).found == 1
    assert await _status(harness, order) is OrderStatus.FILLED


async def test_an_order_keeps_its_sender_whoever_writes_it_while_it_is_in_flight(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """Another process writing the order (a leg resized, say) does not take it over: it goes on being
    looked up once its sender is silent, whatever the writer does."""
    await harness.container.liveness.register("run")
    _, order = await left_in_flight(harness, ProcessDied)
    writer = harness_factory()
    await writer.container.liveness.register("run")
    async with writer.core.uow() as uow:
        await uow.orders.update(replace(order, error="resized elsewhere"))
        assert await uow.orders.transition(order.id, OrderStatus.SUBMITTED, OrderStatus.SUBMITTED)
        await uow.commit()
    assert await _placed_by(harness, order) == harness.container.liveness.placer

    harness.clock.advance(SILENT + 1)
    await writer.container.liveness.beat()
    assert (await reconcile_submitted(writer.core, IN_FLIGHT_AT_MOST)).found == 1


async def test_a_process_that_does_not_beat_leaves_its_orders_to_the_longest_flight(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    """A tool or test that never registers: nobody can tell whether it still sends, so its orders wait."""
    _, order = await left_in_flight(harness, ProcessDied)
    assert await _placed_by(harness, order) is None
    other = harness_factory()
    harness.clock.advance(IN_FLIGHT_AT_MOST.total_seconds() - 1)
    assert (await reconcile_submitted(other.core, IN_FLIGHT_AT_MOST)).found == 0
    harness.clock.advance(2)
    assert (await reconcile_submitted(other.core, IN_FLIGHT_AT_MOST)).found == 1


async def test_a_process_is_forgotten_when_it_stops_and_a_long_silent_one_when_another_starts(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    async def processes() -> set[str]:
        async with harness.engine.connect() as connection:
            return set((await connection.scalars(select(ProcessRow.id))).all())

    gone = harness_factory()
    await gone.container.liveness.register("run")
    ghost = gone.container.liveness.placer
    harness.clock.advance(2 * 24 * 3600)
    async with harness.container.liveness.alive("run"):
        me = harness.container.liveness.placer
        assert me is not None and await processes() == {me}  # the two-day-silent one went
    assert await processes() == set() and harness.container.liveness.placer is None
    assert ghost is not None and ghost != me
