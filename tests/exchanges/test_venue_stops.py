"""Stop losses resting at the venue: ccxt's real client against the Binance stand-in, the core on a real database.

The stand-in's market is moved by the test (SimulatedAccount.move); a resting STOP_LOSS it reaches fills there,
without the bot, and the tracker learns of it through fetch_order.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from bot.server import report
from tests.exchanges.conftest import Venue
from tests.harness import Harness, ProcessDied, signal_plan, track_and_report
from tests.standins.venue import SimOrder
from trading.ccxt.gateway import CcxtGateway
from trading.domain.accounts import Credentials, ExchangeAccount
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import InvalidInput, InvalidOrder
from trading.domain.futures import MarketType
from trading.domain.intents import OrderIntent
from trading.domain.orders import ExchangeOrder, Order, OrderRequest
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind
from trading.ports import ExchangeGateway, PaperFunding
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.exchange_accounts import add_account
from trading.usecases.execution import confirm_draft
from trading.usecases.placing import HELD_BY_THE_BOT
from trading.usecases.reporting import NOTHING
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.stop_mode_setting import StopModeRequest, confirm_stop_mode, preview_stop_mode
from trading.usecases.stop_moves import draft_stop_move
from trading.usecases.tracking import (
    STOP_NEVER_ARRIVED,
    reconcile_submitted,
    sync_open_orders,
    watch_brackets,
)
from trading.usecases.trailing import TrailingStops
from trading.usecases.venue_balances import sync_venue_balances

D = Decimal
BTC = "BTCUSDT"


class StandInExchanges:
    """The app's exchanges, but a Binance account trades on the stand-in through ccxt's real client."""

    def __init__(self, harness: Harness, venue: CcxtGateway, standin: Venue) -> None:
        self._harness = harness
        self._venue = venue
        self._standin = standin

    async def gateway(self, account: ExchangeAccount) -> ExchangeGateway:
        if account.exchange == "binance":
            return self._venue
        return await self._harness.exchanges.gateway(account)

    async def gateway_of(self, account_id: int) -> ExchangeGateway:
        async with self._harness.core.uow(read_only=True) as uow:
            account = await uow.accounts.get(account_id)
        assert account is not None
        return await self.gateway(account)

    async def open_gateway(
        self,
        exchange: str,
        testnet: bool,
        credentials: Credentials,
        market_type: MarketType = MarketType.SPOT,
    ) -> ExchangeGateway:
        assert (exchange, market_type) == ("binance", MarketType.SPOT)
        return self._standin.gateway(credentials)

    def market_types(self, exchange: str) -> frozenset[MarketType]:
        return self._harness.exchanges.market_types(exchange)

    def paper_funding(self, account: ExchangeAccount) -> PaperFunding:
        return self._harness.exchanges.paper_funding(account)

    async def close(self) -> None:
        return None


@dataclass
class Trader:
    core: Core
    user: int
    account: int
    venue: Venue

    async def buy(self, quantity: str, stop: str | None, *targets: str, price: str | None = None) -> Order:
        intent = OrderIntent(
            "BTC",
            Side.BUY,
            D(quantity),
            quote="USDT",
            stop_loss=D(stop) if stop else None,
            take_profits=tuple(D(t) for t in targets),
            **({"order_type": OrderType.LIMIT, "price": D(price)} if price else {}),  # type: ignore[arg-type]
        )
        draft = await draft_order(self.core, self.user, intent, self.account)
        return await confirm_draft(self.core, self.user, draft.id)

    async def legs(self, entry: Order) -> list[Order]:
        async with self.core.uow(read_only=True) as uow:
            return sorted(await uow.orders.children(entry.id), key=lambda o: o.id)

    async def stop(self, entry: Order) -> Order:
        [stop] = [
            leg for leg in await self.legs(entry) if leg.role is OrderRole.STOP_LOSS and leg.status.is_live
        ]
        return stop

    def at_venue(self, order: Order) -> SimOrder:
        found = self.venue.account.by_client_id(order.client_order_id)
        assert found is not None, f"the venue has no order {order.client_order_id}"
        return found

    def move(self, bid: str) -> list[SimOrder]:
        return self.venue.account.move(BTC, D(bid), D(bid) + 10)


@pytest.fixture
async def trader(harness: Harness, binance_venue: Venue) -> AsyncIterator[Trader]:
    user, _ = await harness.user()
    gateway = binance_venue.gateway()
    core = replace(harness.core, exchanges=StandInExchanges(harness, gateway, binance_venue))
    # The core's book of the account opens with what the stand-in holds (its USDT, and its BTC as a position).
    account = await add_account(core, user, "binance", "stand-in", credentials=binance_venue.credentials)
    yield Trader(core, user, account.id, binance_venue)
    await gateway.close()


async def test_a_filled_entry_rests_its_stop_at_the_venue_and_keeps_its_targets(trader: Trader) -> None:
    entry = await trader.buy("0.01", "48000", "52000", "54000")
    assert entry.status is OrderStatus.FILLED and entry.filled == D("0.01")
    stop = await trader.stop(entry)
    assert stop.status is OrderStatus.OPEN and stop.exchange_order_id
    resting = trader.at_venue(stop)
    assert (resting.kind, resting.side, resting.quantity, resting.price) == (
        "stop",
        "sell",
        D("0.01"),
        D(48000),
    )
    assert resting.status == "open" and trader.venue.account.locked["BTC"] == D("0.01")
    targets = [leg for leg in await trader.legs(entry) if leg.role is OrderRole.TAKE_PROFIT]
    assert [(t.status, t.quantity) for t in targets] == [(OrderStatus.ARMED, D("0.005"))] * 2
    assert all(trader.venue.account.by_client_id(t.client_order_id) is None for t in targets)


async def test_the_venue_fills_the_stop_and_the_tracker_books_it_once(trader: Trader) -> None:
    entry = await trader.buy("0.01", "48000", "52000", "54000")
    stop = await trader.stop(entry)
    assert await track_and_report(trader.core) == NOTHING  # nothing yet
    [went_off] = trader.move("47900")  # through the stop: the venue sells, with no bot involved
    assert went_off.client_order_id == stop.client_order_id and went_off.status == "filled"

    events = await track_and_report(trader.core)
    [fill] = events.fills
    assert (fill.role, fill.side, fill.quantity, fill.price) == (
        OrderRole.STOP_LOSS,
        Side.SELL,
        D("0.01"),
        D(47900),
    )
    assert fill.closed and fill.pnl < 0
    legs = await trader.legs(entry)
    assert [(leg.role, leg.status) for leg in legs] == [
        (OrderRole.STOP_LOSS, OrderStatus.FILLED),
        (OrderRole.TAKE_PROFIT, OrderStatus.CANCELLED),
        (OrderRole.TAKE_PROFIT, OrderStatus.CANCELLED),
    ]
    trader.move("60000")  # past both targets: nothing is left to sell
    again = await track_and_report(trader.core)
    assert again.fills == () and len(trader.venue.account.orders) == 2  # the entry and the stop


async def test_a_target_lifts_the_stop_sells_its_share_and_rests_a_stop_for_the_rest(trader: Trader) -> None:
    spec = SignalSpec("BTC", Side.BUY, entries=(D(50100),), targets=(D(52000), D(54000)), stop_loss=D(48000))
    signal_id, _ = await signal_plan(
        trader.core, trader.user, spec, D(1002), account_id=trader.account, move_stop_to_entry=True
    )
    [entry] = (await follow_signal(trader.core, trader.user, signal_id)).result.orders
    assert entry.filled == D("0.02001") and entry.average_price == D("50010")  # at the ask, below its entry
    first_stop = await trader.stop(entry)
    assert trader.at_venue(first_stop).quantity == D("0.02001")

    trader.move("52100")
    [fill] = (await track_and_report(trader.core)).fills
    assert (fill.role, fill.target, fill.quantity, fill.price) == (
        OrderRole.TAKE_PROFIT,
        1,
        D("0.01"),
        D(52100),
    )
    assert fill.stop_moved_to == D(50010) and not fill.closed
    assert trader.at_venue(first_stop).status == "canceled"
    second_stop = await trader.stop(entry)
    resting = trader.at_venue(second_stop)
    assert (resting.status, resting.quantity, resting.price) == ("open", D("0.01001"), D(50010))
    assert trader.venue.account.locked["BTC"] == D("0.01001")

    trader.move("54100")  # the last target sells the rest: no stop is left
    [last] = (await track_and_report(trader.core)).fills
    assert (last.target, last.quantity, last.closed) == (2, D("0.01001"), True)
    assert trader.at_venue(second_stop).status == "canceled"
    assert all(
        not leg.status.is_live and leg.status is not OrderStatus.ARMED for leg in await trader.legs(entry)
    )
    assert trader.venue.account.locked["BTC"] == 0


async def test_a_target_finding_the_stop_gone_off_sells_nothing(trader: Trader) -> None:
    entry = await trader.buy("0.01", "48000", "52000", "54000")
    stop = await trader.stop(entry)
    trader.move("47000")  # the venue sells at the stop between the tracker's look at the orders...
    trader.venue.account.markets[BTC].bid = D(52100)  # ...and its look at the market, now at a target
    trader.venue.account.markets[BTC].ask = D(52110)
    [booked] = await watch_brackets(trader.core)
    assert booked.id == stop.id and booked.status is OrderStatus.FILLED
    assert [o.kind for o in trader.venue.account.orders.values()] == ["market", "stop"]  # no target sold
    assert [leg.status for leg in await trader.legs(entry)] == [
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.CANCELLED,
    ]
    [fill] = (await report(trader.core)).fills  # told as the stop's fill
    assert (fill.role, fill.quantity, fill.price, fill.closed) == (
        OrderRole.STOP_LOSS,
        D("0.01"),
        D(47000),
        True,
    )


async def test_a_stop_the_venue_refuses_is_held_by_the_bot(trader: Trader) -> None:
    trader.venue.account.markets[BTC].max_stop_orders = 0  # as Binance's MAX_NUM_ALGO_ORDERS, once reached
    entry = await trader.buy("0.01", "20000", "52000")
    assert entry.status is OrderStatus.FILLED
    [stop] = [leg for leg in await trader.legs(entry) if leg.role is OrderRole.STOP_LOSS]
    assert stop.status is OrderStatus.ARMED and stop.quantity == D("0.01")
    assert stop.error is not None and stop.error.startswith(HELD_BY_THE_BOT.split("{")[0])
    assert stop.error.endswith("Binance refused the order as invalid.")
    assert trader.venue.account.by_client_id(stop.client_order_id) is None

    trader.move("19900")  # the core sends it when the market reaches it
    [fill] = (await track_and_report(trader.core)).fills
    assert (fill.role, fill.quantity, fill.closed) == (OrderRole.STOP_LOSS, D("0.01"), True)
    assert trader.at_venue(stop).kind == "market"


async def test_partial_fills_re_place_the_stop_for_all_that_filled(trader: Trader) -> None:
    entry = await trader.buy("0.01", "48000", price="49000")
    assert entry.status is OrderStatus.OPEN and await trader.legs(entry) == []
    trader.venue.account.fill(trader.at_venue(entry), D("0.004"))
    await sync_open_orders(trader.core)
    first = await trader.stop(entry)
    assert (trader.at_venue(first).quantity, trader.at_venue(first).status) == (D("0.004"), "open")

    trader.venue.account.fill(trader.at_venue(entry))
    await sync_open_orders(trader.core)
    second = await trader.stop(entry)
    assert second.id != first.id and trader.at_venue(first).status == "canceled"
    assert (trader.at_venue(second).quantity, trader.at_venue(second).price) == (D("0.01"), D(48000))


async def _only_the_entrys_coins(trader: Trader) -> None:
    """The BTC the account was opened with goes out and is synced: every coin left is one the stop locks."""
    trader.venue.account.transfer("BTC", D("-0.5"))
    await sync_venue_balances(trader.core, trader.user, trader.account)


async def _sell_by_hand(trader: Trader, quantity: str) -> Order:
    sell = OrderIntent("BTC", Side.SELL, D(quantity), quote="USDT")
    draft = await draft_order(trader.core, trader.user, sell, trader.account)
    return await confirm_draft(trader.core, trader.user, draft.id)


async def test_a_hand_sale_lifts_the_resting_stop_and_rests_it_again_for_what_is_left(trader: Trader) -> None:
    await _only_the_entrys_coins(trader)
    entry = await trader.buy("0.02", "48000", "52000")
    first_stop = await trader.stop(entry)
    assert trader.at_venue(first_stop).quantity == D("0.02")  # it locks every coin there is

    assert (await _sell_by_hand(trader, "0.01")).status is OrderStatus.FILLED
    assert trader.at_venue(first_stop).status == "canceled"
    second_stop = await trader.stop(entry)
    assert trader.at_venue(second_stop).status == "open"
    assert (second_stop.quantity, second_stop.price) == (D("0.01"), D(48000))

    assert (await _sell_by_hand(trader, "0.01")).status is OrderStatus.FILLED  # the rest: the position closes
    assert trader.at_venue(second_stop).status == "canceled"
    assert not any(leg.status.is_live for leg in await trader.legs(entry))


async def test_a_hand_sale_is_refused_when_the_stop_went_off_first(trader: Trader) -> None:
    await _only_the_entrys_coins(trader)
    entry = await trader.buy("0.01", "48000")
    stop = await trader.stop(entry)
    trader.move("47900")  # the venue fills its stop; the tracker has not seen it yet
    with pytest.raises(InvalidOrder, match=r"stop loss went off at \d{2},\d{3}\.\d{2} first"):
        await _sell_by_hand(trader, "0.01")  # its price written as every price is (47,900.00)
    async with trader.core.uow(read_only=True) as uow:
        booked = await uow.orders.get(stop.id)
        refused = list(await uow.orders.for_user(trader.user, [OrderStatus.REJECTED], 10))
    assert booked is not None and booked.status is OrderStatus.FILLED  # the stop's fill is booked once
    assert [o.side for o in refused] == [Side.SELL] and "went off" in (refused[0].error or "")
    assert not any(leg.status.is_live for leg in await trader.legs(entry))


async def test_a_stop_resting_at_the_venue_is_moved_by_cancelling_it_and_resting_it_again(
    trader: Trader,
) -> None:
    entry = await trader.buy("0.01", "48000", "52000")
    old = await trader.stop(entry)
    moving = await draft_stop_move(trader.core, trader.user, "BTC", "USDT", D(49000), trader.account)
    assert moving is not None and moving[1] == old
    moved = await confirm_draft(trader.core, trader.user, moving[0].id)
    assert trader.at_venue(old).status == "canceled"
    assert (moved.role, moved.parent_id, moved.status) == (OrderRole.STOP_LOSS, entry.id, OrderStatus.OPEN)
    resting = trader.at_venue(moved)
    assert (resting.kind, resting.quantity, resting.price, resting.status) == (
        "stop",
        D("0.01"),
        D(49000),
        "open",
    )
    assert moved == await trader.stop(entry)  # the entry's one live stop; its target still armed
    assert [leg.status for leg in await trader.legs(entry) if leg.role is OrderRole.TAKE_PROFIT] == [
        OrderStatus.ARMED
    ]


async def test_a_stop_that_went_off_before_its_move_is_booked_and_nothing_is_rested(trader: Trader) -> None:
    entry = await trader.buy("0.01", "48000")
    old = await trader.stop(entry)
    moving = await draft_stop_move(trader.core, trader.user, "BTC", "USDT", D(49000), trader.account)
    assert moving is not None
    trader.move("47900")  # the venue fills the stop before the trader taps Confirm
    with pytest.raises(InvalidInput, match="went off while it was being moved"):
        await confirm_draft(trader.core, trader.user, moving[0].id)
    async with trader.core.uow(read_only=True) as uow:
        booked = await uow.orders.get(old.id)
    assert booked is not None and booked.status is OrderStatus.FILLED
    assert not any(leg.status.is_live for leg in await trader.legs(entry))


async def test_which_venues_hold_stops(harness: Harness, binance_venue: Venue) -> None:
    no_stops = dict(binance_venue.standin.exchange_info[1])  # type: ignore[attr-defined]
    no_stops["orderTypes"] = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"]
    binance_venue.standin.exchange_info[1] = no_stops  # type: ignore[attr-defined]
    gateway = binance_venue.gateway()
    try:
        assert await gateway.holds_stops("BTC/USDT")
        assert not await gateway.holds_stops("ETH/USDT")  # its spot pair takes no stop-market order
    finally:
        await gateway.close()
    _, account = await harness.user()
    assert not await (await harness.exchanges.gateway(account)).holds_stops("BTC/USDT")  # paper: the core


class DiesSendingStops(StandInExchanges):
    """The stand-in's gateway, but the process dies as it is about to send a stop order."""

    async def gateway(self, account: ExchangeAccount) -> ExchangeGateway:
        inner = await super().gateway(account)

        class Dying:
            def __getattr__(self, name: str) -> object:
                return getattr(inner, name)

            async def create_order(self, request: OrderRequest) -> ExchangeOrder:
                if request.order_type is OrderType.STOP:
                    raise ProcessDied
                return await inner.create_order(request)

        return Dying()  # type: ignore[return-value]


async def test_a_stop_that_never_left_is_held_by_the_bot_after_a_restart(
    trader: Trader, harness: Harness
) -> None:
    gateway = await trader.core.exchanges.gateway_of(trader.account)
    dying = replace(trader.core, exchanges=DiesSendingStops(harness, gateway, trader.venue))  # type: ignore[arg-type]
    draft = await draft_order(
        dying,
        trader.user,
        OrderIntent("BTC", Side.BUY, D("0.01"), quote="USDT", stop_loss=D(48000)),
        trader.account,
    )
    with pytest.raises(ProcessDied):
        await confirm_draft(dying, trader.user, draft.id)
    async with trader.core.uow(read_only=True) as uow:
        [entry, stop] = sorted(await uow.orders.for_user(trader.user), key=lambda o: o.id)
    assert entry.status is OrderStatus.FILLED and stop.status is OrderStatus.SUBMITTED

    report = await reconcile_submitted(trader.core)  # at start-up: the venue never got it
    assert report.never_arrived == 1
    [held] = await trader.legs(entry)
    assert (held.status, held.error, held.quantity) == (OrderStatus.ARMED, STOP_NEVER_ARRIVED, D("0.01"))
    trader.move("47900")
    [fill] = (await track_and_report(trader.core)).fills  # the core sends it
    assert (fill.role, fill.quantity) == (OrderRole.STOP_LOSS, D("0.01"))


async def test_a_trailing_stop_resting_at_the_venue_is_rested_again_as_it_moves(
    harness: Harness, trader: Trader
) -> None:
    entry = await trader.buy("0.01", "48000", "52000")
    old = await trader.stop(entry)
    request = StopModeRequest(StopModeKind.TRAILING, D(2))
    preview = await preview_stop_mode(trader.core, trader.user, "BTC", "USDT", request, trader.account)
    assert preview.stop == old and preview.stop_now is not None
    await confirm_stop_mode(trader.core, trader.user, preview.record.id)
    first = await trader.stop(entry)
    assert trader.at_venue(old).status == "canceled"
    assert (first.price, trader.at_venue(first).price) == (preview.stop_now, preview.stop_now)

    trader.move("51000")  # a new high: the venue's stop is cancelled and rested 2% below it
    trailing = TrailingStops(trader.core, harness.container.prices)  # not the feed's venue: stepped at looks
    await trailing.refresh()
    moved = await trader.stop(entry)
    assert trader.at_venue(first).status == "canceled"
    assert (moved.price, trader.at_venue(moved).price, trader.at_venue(moved).status) == (
        D(49980),
        D(49980),
        "open",
    )
    trader.move("50500")
    await trailing.refresh()
    assert await trader.stop(entry) == moved  # nothing rested again on the way down
