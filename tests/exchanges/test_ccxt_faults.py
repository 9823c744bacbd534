"""Injected faults, through ccxt's real client, reach the core as the project's own errors; passing ones are
retried, and a retried order is looked up by its client order id before it is placed again."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import FAST_RETRY, LASTING_FAULTS, PASSING_FAULTS, Venue
from tests.standins.venue import Fault
from trading.ccxt.gateway import CcxtGateway
from trading.domain.accounts import Credentials
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import AuthenticationFailed, ExchangeUnavailable, InsufficientFunds
from trading.domain.orders import OrderRequest

ALL_ATTEMPTS = FAST_RETRY.attempts


def market_buy(venue: Venue, client_order_id: str, quantity: str = "0.01") -> OrderRequest:
    return OrderRequest(client_order_id, venue.symbol, Side.BUY, OrderType.MARKET, Decimal(quantity))


def limit_buy(venue: Venue, client_order_id: str) -> OrderRequest:
    return OrderRequest(
        client_order_id, venue.symbol, Side.BUY, OrderType.LIMIT, Decimal("0.01"), Decimal(40000)
    )


@pytest.mark.parametrize("fault", PASSING_FAULTS)
async def test_a_passing_fault_is_retried(venue: Venue, gateway: CcxtGateway, fault: Fault) -> None:
    await gateway.market(venue.symbol)
    venue.standin.inject("ticker", fault, times=2)

    ticker = await gateway.ticker(venue.symbol)

    assert ticker.ask == Decimal(50010)
    assert venue.standin.calls["ticker"] == 3


@pytest.mark.parametrize(("fault", "error", "sentence"), LASTING_FAULTS)
async def test_a_fault_that_lasts_is_reported_after_the_last_attempt(
    venue: Venue, gateway: CcxtGateway, fault: Fault, error: type[Exception], sentence: str
) -> None:
    venue.standin.inject("balance", fault, times=ALL_ATTEMPTS)

    with pytest.raises(error, match=sentence):
        await gateway.balances()
    assert venue.standin.calls["balance"] == ALL_ATTEMPTS


async def test_a_failed_market_load_is_retried_and_then_cached(venue: Venue, gateway: CcxtGateway) -> None:
    venue.standin.inject("markets", Fault.SERVER_ERROR)

    market = await gateway.market(venue.symbol)
    loads = venue.standin.calls["markets"]
    await gateway.market(venue.symbol)

    assert market.symbol == venue.symbol
    assert venue.standin.calls["markets"] == loads


async def test_injected_insufficient_balance_is_insufficient_funds(
    venue: Venue, gateway: CcxtGateway
) -> None:
    venue.standin.inject("create_order", Fault.INSUFFICIENT_BALANCE)

    with pytest.raises(InsufficientFunds, match="insufficient funds"):
        await gateway.create_order(market_buy(venue, "poor-1"))
    assert venue.standin.calls["create_order"] == 1
    assert venue.account.orders_with_client_id("poor-1") == []


async def test_buying_more_than_the_balance_is_insufficient_funds(venue: Venue, gateway: CcxtGateway) -> None:
    with pytest.raises(InsufficientFunds):
        await gateway.create_order(market_buy(venue, "poor-2", "1"))
    assert venue.account.orders_with_client_id("poor-2") == []


async def test_wrong_credentials_are_authentication_failed(venue: Venue) -> None:
    secret = venue.credentials.secret[::-1] if venue.exchange_id == "binance" else "d3Jvbmc="
    gateway = venue.gateway(Credentials(venue.credentials.api_key, secret))
    try:
        with pytest.raises(AuthenticationFailed, match="refused the API key"):
            await gateway.balances()
    finally:
        await gateway.close()


async def test_a_lost_answer_is_found_by_client_id_and_not_placed_twice(
    venue: Venue, gateway: CcxtGateway
) -> None:
    venue.standin.inject("create_order", Fault.LOST_ANSWER)

    order = await gateway.create_order(market_buy(venue, "lost-1"))

    assert len(venue.account.orders_with_client_id("lost-1")) == 1
    assert venue.standin.calls["create_order"] == 1
    assert (order.client_order_id, order.status, order.filled) == (
        "lost-1",
        OrderStatus.FILLED,
        Decimal("0.01"),
    )
    assert (await gateway.balances())["BTC"].total == Decimal("0.51")


async def test_a_late_answer_is_found_by_client_id_and_not_placed_twice(
    venue: Venue, gateway: CcxtGateway
) -> None:
    venue.standin.inject("create_order", Fault.SLOW_ANSWER)

    order = await gateway.create_order(limit_buy(venue, "late-1"))

    assert len(venue.account.orders_with_client_id("late-1")) == 1
    assert venue.standin.calls["create_order"] == 1
    assert (order.client_order_id, order.status) == ("late-1", OrderStatus.OPEN)


async def test_a_lost_answer_then_a_failing_look_up_still_places_once(
    venue: Venue, gateway: CcxtGateway
) -> None:
    venue.standin.inject("create_order", Fault.LOST_ANSWER)
    venue.standin.inject(venue.lookup_endpoints[0], Fault.SERVER_ERROR)

    order = await gateway.create_order(market_buy(venue, "lost-2"))

    assert len(venue.account.orders_with_client_id("lost-2")) == 1
    assert venue.standin.calls["create_order"] == 1
    assert order.status is OrderStatus.FILLED


async def test_a_refused_attempt_is_looked_up_then_placed(venue: Venue, gateway: CcxtGateway) -> None:
    venue.standin.inject("create_order", Fault.RATE_LIMITED)
    venue.standin.inject("create_order", Fault.SERVER_ERROR)
    await gateway.market(venue.symbol)
    lookups_before = venue.lookups()

    order = await gateway.create_order(limit_buy(venue, "retry-1"))

    assert len(venue.account.orders_with_client_id("retry-1")) == 1
    assert venue.standin.calls["create_order"] == 3
    assert venue.lookups() - lookups_before >= 2  # one before each of the two repeats
    assert order.status is OrderStatus.OPEN


async def test_creating_without_an_answer_at_all_is_unavailable_and_never_doubled(
    venue: Venue, gateway: CcxtGateway
) -> None:
    venue.standin.inject("create_order", Fault.SERVER_ERROR, times=ALL_ATTEMPTS)

    with pytest.raises(ExchangeUnavailable):
        await gateway.create_order(market_buy(venue, "down-1"))
    assert venue.account.orders_with_client_id("down-1") == []


async def test_a_cancel_whose_answer_is_lost_reports_the_order_cancelled(
    venue: Venue, gateway: CcxtGateway
) -> None:
    await gateway.create_order(limit_buy(venue, "cxl-lost-1"))
    venue.standin.inject("cancel_order", Fault.LOST_ANSWER)

    order = await gateway.cancel_order(venue.symbol, "cxl-lost-1")

    assert order.status is OrderStatus.CANCELLED
    cancelled = venue.account.by_client_id("cxl-lost-1")
    assert cancelled is not None and cancelled.status == "canceled"
    # aiohttp itself repeats an idempotent DELETE (Binance) whose connection dropped; the repeat finds nothing
    # to cancel, which the gateway reads as done.
    assert venue.standin.calls["cancel_order"] in (1, 2)


async def test_a_look_up_is_retried_after_a_rate_limit(venue: Venue, gateway: CcxtGateway) -> None:
    await gateway.create_order(market_buy(venue, "find-429"))
    venue.standin.inject(venue.lookup_endpoints[0], Fault.RATE_LIMITED)

    order = await gateway.fetch_order(venue.symbol, "find-429")

    assert order is not None and order.client_order_id == "find-429"
