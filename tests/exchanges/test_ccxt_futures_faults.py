"""Faults on the derivatives stand-ins, through ccxt's real client, reach the core as the project's own errors:
passing ones are retried, a retried order is looked up by its client order id before it is placed again, and
the venue's refusals (margin, leverage) come as clear sentences."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import FAST_RETRY, LASTING_FAULTS, PASSING_FAULTS, FuturesVenue
from tests.standins.venue import Fault
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import (
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidInput,
    InvalidOrder,
)
from trading.domain.futures import MarginMode
from trading.domain.orders import OrderRequest

ALL_ATTEMPTS = FAST_RETRY.attempts


def market_buy(venue: FuturesVenue, client_order_id: str, quantity: str = "0.1") -> OrderRequest:
    return OrderRequest(client_order_id, venue.symbol, Side.BUY, OrderType.MARKET, Decimal(quantity))


@pytest.mark.parametrize("fault", PASSING_FAULTS)
async def test_a_passing_fault_is_retried(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway, fault: Fault
) -> None:
    await futures.create_order(market_buy(futures_venue, "open-1"))
    listed_before = futures_venue.standin.calls["positions"]  # Bybit's hedge-mode check lists them too
    futures_venue.standin.inject("positions", fault, times=2)

    (position,) = await futures.positions()

    assert position.size == Decimal("0.1")
    assert futures_venue.standin.calls["positions"] - listed_before == 3


@pytest.mark.parametrize(("fault", "error", "sentence"), LASTING_FAULTS)
async def test_a_fault_that_lasts_is_reported_after_the_last_attempt(
    futures_venue: FuturesVenue,
    futures: CcxtDerivativesGateway,
    fault: Fault,
    error: type[Exception],
    sentence: str,
) -> None:
    await futures.market(futures_venue.symbol)
    futures_venue.standin.inject("leverage", fault, times=ALL_ATTEMPTS)

    with pytest.raises(error, match=sentence):
        await futures.set_leverage(futures_venue.symbol, Decimal(5))
    assert futures_venue.standin.calls["leverage"] == ALL_ATTEMPTS


async def test_an_order_beyond_the_margin_is_insufficient_funds(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.set_leverage(futures_venue.symbol, Decimal(2))

    with pytest.raises(InsufficientFunds, match="insufficient funds"):
        await futures.create_order(market_buy(futures_venue, "poor-1", "1"))  # 50010 at 2x: 25005 of margin
    assert futures_venue.account.orders_with_client_id("poor-1") == []
    assert futures_venue.standin.calls["create_order"] == 1


async def test_injected_insufficient_margin_is_insufficient_funds(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    futures_venue.standin.inject("create_order", Fault.INSUFFICIENT_BALANCE)

    with pytest.raises(InsufficientFunds):
        await futures.create_order(market_buy(futures_venue, "poor-2"))
    assert futures_venue.account.orders_with_client_id("poor-2") == []


async def test_leverage_above_the_listed_maximum_is_refused_before_the_venue(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    with pytest.raises(InvalidOrder, match=f"at most {futures_venue.max_leverage}x on BTC/USDT:USDT; 200x"):
        await futures.set_leverage(futures_venue.symbol, Decimal(200))
    assert futures_venue.standin.calls["leverage"] == 0


async def test_leverage_the_venue_refuses_is_invalid_order_with_its_maximum(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    # The venue allows this account less than it lists (its brackets, its risk limits).
    futures_venue.account.max_leverage[futures_venue.venue_symbol] = 20

    with pytest.raises(
        InvalidOrder,
        match=f"refused 50x leverage on BTC/USDT:USDT; it lists at most {futures_venue.max_leverage}x",
    ):
        await futures.set_leverage(futures_venue.symbol, Decimal(50))
    assert futures_venue.account.leverage[futures_venue.venue_symbol] == 20  # unchanged from the default
    assert futures_venue.standin.calls["leverage"] == 1


async def test_leverage_is_a_whole_number(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    with pytest.raises(InvalidInput, match=r"2\.5x is not"):
        await futures.set_leverage(futures_venue.symbol, Decimal("2.5"))
    assert futures_venue.standin.calls["leverage"] == 0


async def test_a_margin_mode_switch_the_venue_refuses_is_an_error(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_buy(futures_venue, "open-2"))

    with pytest.raises(ExchangeError):
        await futures.set_margin_mode(futures_venue.symbol, MarginMode.ISOLATED)
    assert not futures_venue.account.isolated[futures_venue.venue_symbol]


async def test_a_refused_attempt_is_looked_up_then_placed_once(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.market(futures_venue.symbol)
    futures_venue.standin.inject("create_order", Fault.RATE_LIMITED)
    futures_venue.standin.inject("create_order", Fault.SERVER_ERROR)
    lookups_before = futures_venue.lookups()

    order = await futures.create_order(market_buy(futures_venue, "retry-1"))

    assert len(futures_venue.account.orders_with_client_id("retry-1")) == 1
    assert futures_venue.standin.calls["create_order"] == 3
    assert futures_venue.lookups() - lookups_before >= 2  # one before each of the two repeats
    assert (order.status, order.filled) == (OrderStatus.FILLED, Decimal("0.1"))
    (position,) = await futures.positions()
    assert position.size == Decimal("0.1")


@pytest.mark.parametrize("fault", [Fault.LOST_ANSWER, Fault.SLOW_ANSWER])
async def test_a_stop_whose_answer_never_came_is_found_and_not_placed_twice(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway, fault: Fault
) -> None:
    await futures.create_order(market_buy(futures_venue, "entry-1"))
    futures_venue.standin.inject("create_order", fault)
    stop = OrderRequest(
        "stop-lost-1",
        futures_venue.symbol,
        Side.SELL,
        OrderType.STOP,
        Decimal("0.1"),
        Decimal(45000),
        reduce_only=True,
    )

    order = await futures.create_order(stop)

    assert len(futures_venue.account.orders_with_client_id("stop-lost-1")) == 1
    assert (order.client_order_id, order.order_type, order.status) == (
        "stop-lost-1",
        OrderType.STOP,
        OrderStatus.OPEN,
    )


async def test_an_order_without_any_answer_is_unavailable_and_never_placed(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    futures_venue.standin.inject("create_order", Fault.SERVER_ERROR, times=ALL_ATTEMPTS)

    with pytest.raises(ExchangeUnavailable):
        await futures.create_order(market_buy(futures_venue, "down-1"))
    assert futures_venue.account.orders_with_client_id("down-1") == []
    assert await futures.positions() == []
