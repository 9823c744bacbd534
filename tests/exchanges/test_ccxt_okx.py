"""OKX's swaps through ccxt's real client against the OKX v5 stand-in: OKX sizes orders and positions in contracts
(0.01 BTC, 0.1 ETH), which the gateway turns into coins and back; an order names its margin mode."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from tests.exchanges.conftest import FAST_RETRY, LASTING_FAULTS, PASSING_FAULTS, FuturesVenue
from tests.exchanges.test_futures_order_path import short, trader_on
from tests.harness import Harness
from tests.standins.venue import Fault
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import InsufficientFunds, InvalidOrder
from trading.domain.futures import FundingPayment, MarginMode, PositionMode, PositionSide
from trading.domain.orders import OrderRequest

D = Decimal
BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


@pytest.fixture
async def okx(okx_venue: FuturesVenue) -> AsyncIterator[CcxtDerivativesGateway]:
    opened = okx_venue.gateway()
    yield opened
    await opened.close()


def market_order(
    client_order_id: str, side: Side, quantity: str, symbol: str = BTC, **more: object
) -> OrderRequest:
    return OrderRequest(client_order_id, symbol, side, OrderType.MARKET, D(quantity), **more)  # type: ignore[arg-type]


async def test_markets_are_in_coins(okx: CcxtDerivativesGateway) -> None:
    btc, eth = await okx.market(BTC), await okx.market("eth/usdt")

    assert (btc.amount_step, btc.min_amount, btc.max_leverage) == (D("0.0001"), D("0.0001"), D(100))
    assert (eth.symbol, eth.amount_step, eth.price_tick) == (ETH, D("0.001"), D("0.01"))


async def test_a_long_in_coins_goes_as_contracts_and_is_read_back_in_coins(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    await okx.set_margin_mode(BTC, MarginMode.ISOLATED)
    await okx.set_leverage(BTC, D(10))

    placed = await okx.create_order(market_order("long-1", Side.BUY, "0.123"))
    found = await okx.fetch_order(BTC, "long-1")
    [position] = await okx.positions()

    sent = okx_venue.account.by_client_id("long-1")
    assert sent is not None and sent.quantity == D("0.123")  # 12.3 contracts of 0.01 BTC
    assert (placed.status, placed.quantity, placed.filled, placed.average_price) == (
        OrderStatus.FILLED,
        D("0.123"),
        D("0.123"),
        D(50010),
    )
    assert [t.quantity for t in placed.trades] == [D("0.123")]
    assert found is not None and (found.client_order_id, found.filled) == ("long-1", D("0.123"))
    assert (position.side, position.size, position.leverage, position.margin_mode) == (
        PositionSide.LONG,
        D("0.123"),
        D(10),
        MarginMode.ISOLATED,
    )
    assert okx_venue.account.isolated["BTC-USDT-SWAP"] and okx_venue.account.leverage["BTC-USDT-SWAP"] == 10


async def test_a_short_is_closed_reduce_only_in_its_own_margin_mode(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    await okx.set_margin_mode(ETH, MarginMode.ISOLATED)
    await okx.set_leverage(ETH, D(5))
    await okx.create_order(market_order("short-1", Side.SELL, "1.5", ETH))

    closer = okx_venue.gateway()  # a restart: the margin mode is read from the position
    try:
        closed = await closer.create_order(market_order("close-1", Side.BUY, "1.5", ETH, reduce_only=True))
    finally:
        await closer.close()

    sent = okx_venue.account.by_client_id("close-1")
    assert sent is not None and (sent.quantity, sent.reduce_only) == (D("1.5"), True)
    assert (closed.status, closed.filled) == (OrderStatus.FILLED, D("1.5"))
    assert await okx.positions() == []


async def test_a_reduce_only_order_that_would_open_is_refused(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    with pytest.raises(InvalidOrder, match="reduce"):
        await okx.create_order(market_order("ro-1", Side.SELL, "0.1", reduce_only=True))
    assert okx_venue.account.orders_with_client_id("ro-1") == []


async def test_a_take_profit_rests_and_is_cancelled_by_its_client_order_id(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    await okx.create_order(market_order("entry-1", Side.BUY, "0.1"))
    target = OrderRequest("tp-1", BTC, Side.SELL, OrderType.LIMIT, D("0.05"), D(52000), reduce_only=True)

    placed = await okx.create_order(target)
    cancelled = await okx.cancel_order(BTC, "tp-1")

    assert (placed.status, placed.quantity, placed.price) == (OrderStatus.OPEN, D("0.05"), D(52000))
    assert (cancelled.client_order_id, cancelled.status, cancelled.quantity) == (
        "tp-1",
        OrderStatus.CANCELLED,
        D("0.05"),
    )


async def test_stops_are_held_by_tsbot_and_hedge_mode_is_refused(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    assert not await okx.holds_stops(BTC)
    okx_venue.account.hedge_mode = True

    assert await okx.position_mode() is PositionMode.HEDGE
    with pytest.raises(InvalidOrder, match="hedge mode"):
        await okx.create_order(market_order("hedge-1", Side.BUY, "0.1"))
    assert okx_venue.standin.calls["create_order"] == 0


async def test_balances_and_the_funding_rate(okx: CcxtDerivativesGateway) -> None:
    balances = await okx.balances()
    funding = await okx.funding_rate("BTC/USDT")

    assert set(balances) == {"USDT"} and balances["USDT"].total == 10_000
    assert (funding.symbol, funding.rate) == (BTC, D("0.0001"))


async def test_funding_is_read_from_the_bills_under_their_ids(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    await okx.create_order(market_order("long-2", Side.BUY, "0.1"))
    paid = okx_venue.account.fund("BTC-USDT-SWAP", D("0.0001"))

    [event] = await okx.account_events(None)

    assert event.event_id == f"funding:{paid.record_id}"
    assert isinstance(event.detail, FundingPayment)
    assert (event.detail.symbol, event.detail.amount) == (BTC, D("0.50005"))  # the long paid


# Faults


@pytest.mark.parametrize("fault", PASSING_FAULTS)
async def test_a_passing_fault_is_retried(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway, fault: Fault
) -> None:
    await okx.create_order(market_order("open-1", Side.BUY, "0.1"))
    okx_venue.standin.inject("positions", fault, times=2)

    [position] = await okx.positions()

    assert position.size == D("0.1")


@pytest.mark.parametrize(("fault", "error", "sentence"), LASTING_FAULTS)
async def test_a_fault_that_lasts_is_reported_after_the_last_attempt(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway, fault: Fault, error: type[Exception], sentence: str
) -> None:
    await okx.market(BTC)
    okx_venue.standin.inject("leverage", fault, times=FAST_RETRY.attempts)

    with pytest.raises(error, match=sentence):
        await okx.set_leverage(BTC, D(5))
    assert okx_venue.standin.calls["leverage"] == FAST_RETRY.attempts


async def test_an_order_beyond_the_margin_is_insufficient_funds(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    await okx.set_leverage(BTC, D(2))

    with pytest.raises(InsufficientFunds):
        await okx.create_order(market_order("poor-1", Side.BUY, "1"))  # 50010 at 2x: 25005 of margin
    assert okx_venue.account.orders_with_client_id("poor-1") == []


async def test_leverage_above_the_listed_maximum_is_refused_before_the_venue(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway
) -> None:
    with pytest.raises(InvalidOrder, match="at most 100x on BTC/USDT:USDT; 125x"):
        await okx.set_leverage(BTC, D(125))
    assert okx_venue.standin.calls["leverage"] == 0


@pytest.mark.parametrize("fault", [Fault.LOST_ANSWER, Fault.SLOW_ANSWER, Fault.RATE_LIMITED])
async def test_an_order_whose_answer_never_came_is_found_by_its_client_order_id_and_placed_once(
    okx_venue: FuturesVenue, okx: CcxtDerivativesGateway, fault: Fault
) -> None:
    await okx.market(BTC)
    okx_venue.standin.inject("create_order", fault)

    order = await okx.create_order(market_order("lost-1", Side.BUY, "0.1"))

    assert len(okx_venue.account.orders_with_client_id("lost-1")) == 1
    assert (order.client_order_id, order.status, order.filled) == ("lost-1", OrderStatus.FILLED, D("0.1"))
    assert okx_venue.lookups() >= 1


async def test_a_short_through_the_core_is_booked_in_coins_with_its_stop_held_by_tsbot(
    harness: Harness, okx_venue: FuturesVenue
) -> None:
    trader = await trader_on(harness, okx_venue)

    entry = await trader.order(short("0.5", leverage=D(10), stop_loss=D(3200)))

    assert (entry.symbol, entry.status, entry.filled, entry.average_price) == (
        ETH,
        OrderStatus.FILLED,
        D("0.5"),
        D(3000),
    )
    assert okx_venue.account.positions["ETH-USDT-SWAP"].size == D("-0.5")  # 5 contracts of 0.1 ETH
    [stop] = [leg for leg in await trader.legs(entry) if leg.role is OrderRole.STOP_LOSS]
    assert (stop.status, stop.quantity, stop.price) == (OrderStatus.ARMED, D("0.5"), D(3200))
    position = (await trader.book()).positions[ETH]
    assert (position.side, position.size, position.margin_mode) == (
        PositionSide.SHORT,
        D("0.5"),
        MarginMode.ISOLATED,
    )
