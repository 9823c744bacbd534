"""Futures orders through the core on derivatives venues: ccxt's real client against the Binance USDⓈ-M and Bybit
stand-ins, through the app's own Exchanges, on a real database.

A short at 10x sets its margin mode and leverage at the venue, then goes there under its client order id; its stop
rests there reduce-only and follows the position down as targets (held by the core, sent reduce-only) and
reductions by hand shrink it; a close takes it away. An entry whose process died after the venue took it is found
by its client order id at the next start and booked once. ETH trades at 3000 / 3000.50 on each stand-in.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from tests.exchanges.conftest import FuturesVenue
from tests.harness import FailingExchanges, Harness, ProcessDied
from tests.standins.venue import SimOrder
from trading.domain.enums import AmountUnit, OrderRole, OrderStatus, Side
from trading.domain.futures import MarginMode, MarketType, PositionSide
from trading.domain.futures_ledger import FuturesBook
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import add_account
from trading.usecases.execution import confirm_draft
from trading.usecases.tracking import reconcile_submitted, track_once

D = Decimal
ETH = "ETH/USDT:USDT"
SHORT = PositionSide.SHORT


def short(amount: str, **more: object) -> OrderIntent:
    return OrderIntent("ETH", Side.SELL, D(amount), position=SHORT, **more)  # type: ignore[arg-type]


def reduce_short(percent: int) -> OrderIntent:
    return OrderIntent("ETH", Side.BUY, D(percent), AmountUnit.PERCENT, position=SHORT)


@dataclass
class Trader:
    """A user whose futures account trades on a stand-in."""

    harness: Harness
    user: int
    account: int
    venue: FuturesVenue

    async def order(self, intent: OrderIntent) -> Order:
        core = self.harness.core
        draft = await draft_order(core, self.user, intent, self.account)
        return await confirm_draft(core, self.user, draft.id)

    async def legs(self, entry: Order) -> list[Order]:
        async with self.harness.core.uow(read_only=True) as uow:
            return sorted(await uow.orders.children(entry.id), key=lambda leg: leg.id)

    async def book(self) -> FuturesBook:
        async with self.harness.core.uow(read_only=True) as uow:
            return await uow.futures_books.load(self.account)

    def at_venue(self, order: Order) -> SimOrder:
        """The venue's order under the core's client order id: there must be exactly one."""
        [placed] = self.venue.account.orders_with_client_id(order.client_order_id)
        return placed

    def resting_stop(self, entry_legs: list[Order]) -> tuple[Order, SimOrder]:
        [stop] = [leg for leg in entry_legs if leg.role is OrderRole.STOP_LOSS and leg.status.is_live]
        return stop, self.at_venue(stop)

    async def market_to(self, bid: str, ask: str) -> None:
        """The venue's ETH market moves (its resting stops that the move reaches fill), then a tracker pass."""
        self.venue.account.move("ETHUSDT", D(bid), D(ask))
        await track_once(self.harness.core)


async def trader_on(harness: Harness, venue: FuturesVenue) -> Trader:
    harness.exchanges.venue_config = lambda exchange, testnet: venue.config(testnet=testnet)
    user, _ = await harness.user()
    account = await add_account(
        harness.core,
        user,
        venue.exchange_id,
        "Futures",
        credentials=venue.credentials,
        market_type=MarketType.FUTURES,
    )
    return Trader(harness, user, account.id, venue)


@pytest.fixture
async def trader(harness: Harness, futures_venue: FuturesVenue) -> Trader:
    return await trader_on(harness, futures_venue)


async def test_a_short_at_10x_is_placed_with_its_terms_set_and_its_stop_resting_reduce_only(
    trader: Trader,
) -> None:
    entry = await trader.order(
        short("0.5", leverage=D(10), stop_loss=D(3200), take_profits=(D(2900), D(2800)))
    )

    assert (entry.symbol, entry.status, entry.filled, entry.average_price) == (
        ETH,
        OrderStatus.FILLED,
        D("0.5"),
        D(3000),
    )
    venue = trader.venue.account
    assert (venue.leverage["ETHUSDT"], venue.isolated["ETHUSDT"]) == (10, True)
    sent = trader.at_venue(entry)
    assert (sent.side, sent.kind, sent.quantity, sent.reduce_only) == ("sell", "market", D("0.5"), False)
    assert venue.positions["ETHUSDT"].size == D("-0.5")
    legs = await trader.legs(entry)
    stop, resting = trader.resting_stop(legs)
    assert (stop.status, stop.side, stop.quantity, stop.price) == (
        OrderStatus.OPEN,
        Side.BUY,
        D("0.5"),
        D(3200),
    )
    assert (resting.kind, resting.side, resting.quantity, resting.price, resting.reduce_only) == (
        "stop",
        "buy",
        D("0.5"),
        D(3200),
        True,
    )
    targets = [(leg.price, leg.quantity, leg.status) for leg in legs if leg.role is OrderRole.TAKE_PROFIT]
    assert targets == [(D(2900), D("0.25"), OrderStatus.ARMED), (D(2800), D("0.25"), OrderStatus.ARMED)]
    position = (await trader.book()).positions[ETH]
    assert (position.side, position.size, position.leverage, position.margin_mode) == (
        SHORT,
        D("0.5"),
        D(10),
        MarginMode.ISOLATED,
    )


async def test_a_target_buys_back_reduce_only_and_the_stop_at_the_venue_follows_then_fills(
    trader: Trader,
) -> None:
    entry = await trader.order(
        short("0.5", leverage=D(10), stop_loss=D(3200), take_profits=(D(2900), D(2800)))
    )
    first_stop, _ = trader.resting_stop(await trader.legs(entry))

    await trader.market_to("2889.50", "2890.00")

    legs = await trader.legs(entry)
    target = next(leg for leg in legs if leg.role is OrderRole.TAKE_PROFIT and leg.price == D(2900))
    assert (target.status, target.filled, target.average_price) == (OrderStatus.FILLED, D("0.25"), D(2890))
    sent = trader.at_venue(target)
    assert (sent.side, sent.kind, sent.reduce_only) == ("buy", "market", True)
    assert trader.at_venue(first_stop).status == "canceled"
    stop, resting = trader.resting_stop(legs)
    assert (stop.quantity, stop.price, resting.quantity, resting.reduce_only) == (
        D("0.25"),
        D(3200),
        D("0.25"),
        True,
    )
    assert (await trader.book()).positions[ETH].size == D("0.25")

    await trader.market_to("3209.50", "3210.00")  # the venue's stop fills; the tracker books it

    legs = await trader.legs(entry)
    assert [(leg.role, leg.price, leg.status) for leg in legs if leg.status is not OrderStatus.CANCELLED] == [
        (OrderRole.TAKE_PROFIT, D(2900), OrderStatus.FILLED),
        (OrderRole.STOP_LOSS, D(3200), OrderStatus.FILLED),
    ]
    assert (await trader.book()).positions == {}
    assert trader.venue.account.positions["ETHUSDT"].size == 0


async def test_a_reduction_by_hand_shrinks_the_stop_at_the_venue_and_a_close_takes_it_away(
    trader: Trader,
) -> None:
    entry = await trader.order(short("0.4", leverage=D(5), stop_loss=D(3300)))

    reduced = await trader.order(reduce_short(50))
    stop, resting = trader.resting_stop(await trader.legs(entry))
    assert (reduced.role, reduced.filled, trader.at_venue(reduced).reduce_only) == (
        OrderRole.CLOSE,
        D("0.2"),
        True,
    )
    assert (stop.quantity, resting.quantity, resting.price) == (D("0.2"), D("0.2"), D(3300))

    closed = await trader.order(reduce_short(100))
    assert (closed.filled, trader.at_venue(closed).reduce_only) == (D("0.2"), True)
    assert trader.at_venue(stop).status == "canceled"
    assert [leg.status for leg in await trader.legs(entry)] == [OrderStatus.CANCELLED] * 2
    assert (await trader.book()).positions == {} and trader.venue.account.positions["ETHUSDT"].size == 0


async def test_an_entry_whose_process_died_after_the_venue_took_it_is_found_by_its_client_order_id(
    harness: Harness, harness_factory: Callable[[], Harness], trader: Trader
) -> None:
    draft = await draft_order(
        harness.core, trader.user, short("0.3", leverage=D(10), stop_loss=D(3200)), trader.account
    )
    dying = replace(harness.core, exchanges=FailingExchanges(harness, ProcessDied, after_sending=True))
    with pytest.raises(ProcessDied):
        await confirm_draft(dying, trader.user, draft.id)
    async with harness.core.uow(read_only=True) as uow:
        [written] = await uow.orders.for_account(trader.account, [OrderStatus.SUBMITTED])
    assert written.exchange_order_id is None
    assert trader.at_venue(written).status == "filled"

    restarted = harness_factory()
    restarted.exchanges.venue_config = harness.exchanges.venue_config
    report = await reconcile_submitted(restarted.core)

    assert (report.found, report.never_arrived, report.unreachable) == (1, 0, 0)
    async with restarted.core.uow(read_only=True) as uow:
        found = await uow.orders.by_client_id(written.client_order_id)
    assert found is not None and (found.status, found.filled) == (OrderStatus.FILLED, D("0.3"))
    assert (await trader.book()).positions[ETH].size == D("0.3")
    stop, resting = trader.resting_stop(await trader.legs(found))
    assert (stop.quantity, resting.quantity, resting.reduce_only) == (D("0.3"), D("0.3"), True)
    assert len(trader.venue.account.orders_with_client_id(written.client_order_id)) == 1
    assert await reconcile_submitted(restarted.core) == type(report)(0, 0, 0)
