"""The ccxt gateway with ccxt's real client over HTTP, against the Binance and the Kraken stand-in."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import Venue
from trading.ccxt.gateway import CcxtGateway
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import BelowMinimum, InvalidOrder, OrderNotFound, UnknownSymbol
from trading.domain.orders import OrderRequest


def market_buy(venue: Venue, client_order_id: str, quantity: str = "0.01") -> OrderRequest:
    return OrderRequest(client_order_id, venue.symbol, Side.BUY, OrderType.MARKET, Decimal(quantity))


def limit_buy(
    venue: Venue, client_order_id: str, quantity: str = "0.01", price: str = "40000"
) -> OrderRequest:
    return OrderRequest(
        client_order_id, venue.symbol, Side.BUY, OrderType.LIMIT, Decimal(quantity), Decimal(price)
    )


async def test_markets_carry_the_venues_precision_and_minimums(venue: Venue, gateway: CcxtGateway) -> None:
    market = await gateway.market(venue.symbol)

    assert (market.base, market.quote) == ("BTC", venue.quote)
    expected_step, expected_tick = (
        (Decimal("0.00001"), Decimal("0.01"))
        if venue.exchange_id == "binance"
        else (Decimal("1e-8"), Decimal("0.1"))
    )
    assert (market.amount_step, market.price_tick) == (expected_step, expected_tick)
    assert market.min_notional == Decimal(5)
    assert market.taker_fee > 0


async def test_markets_are_loaded_once(venue: Venue, gateway: CcxtGateway) -> None:
    await gateway.market(venue.symbol)
    loads = venue.standin.calls["markets"]

    await gateway.market(venue.symbol)
    await gateway.ticker(venue.symbol)
    await gateway.create_order(market_buy(venue, "once-1"))

    assert loads > 0
    assert venue.standin.calls["markets"] == loads


async def test_an_unlisted_symbol_is_unknown(gateway: CcxtGateway) -> None:
    with pytest.raises(UnknownSymbol, match="DOGE/EUR"):
        await gateway.market("DOGE/EUR")


async def test_ticker_has_bid_ask_and_the_24h_change(venue: Venue, gateway: CcxtGateway) -> None:
    ticker = await gateway.ticker(venue.symbol)

    assert (ticker.bid, ticker.ask, ticker.last) == (Decimal(50000), Decimal(50010), Decimal(50005))
    assert ticker.change_24h_pct.quantize(Decimal("0.01")) == Decimal("2.50")


async def test_balances_list_the_assets_held(venue: Venue, gateway: CcxtGateway) -> None:
    balances = await gateway.balances()

    assert balances["BTC"].total == Decimal("0.5")
    assert balances[venue.quote].free == Decimal(10_000)


async def test_a_market_buy_fills_and_reports_its_trades(venue: Venue, gateway: CcxtGateway) -> None:
    order = await gateway.create_order(market_buy(venue, "mkt-1"))

    assert order.status is OrderStatus.FILLED
    assert (order.client_order_id, order.symbol, order.side) == ("mkt-1", venue.symbol, Side.BUY)
    assert order.filled == Decimal("0.01")
    assert order.average_price == Decimal(50010)
    assert order.fee == Decimal("0.5001")
    assert [(t.quantity, t.price, t.fee_currency) for t in order.trades] == [
        (Decimal("0.01"), Decimal(50010), venue.quote)
    ]
    assert (await gateway.balances())["BTC"].total == Decimal("0.51")


async def test_quantity_and_price_are_rounded_at_the_boundary(venue: Venue, gateway: CcxtGateway) -> None:
    order = await gateway.create_order(limit_buy(venue, "round-1", "0.0123456789", "40000.1234"))

    placed = venue.account.by_client_id("round-1")
    assert placed is not None
    if venue.exchange_id == "binance":
        assert (placed.quantity, placed.price) == (Decimal("0.01234"), Decimal("40000.12"))
    else:
        assert (placed.quantity, placed.price) == (Decimal("0.01234567"), Decimal("40000.1"))
    assert (order.quantity, order.price) == (placed.quantity, placed.price)


async def test_a_limit_order_rests_then_reports_partial_and_full_fills(
    venue: Venue, gateway: CcxtGateway
) -> None:
    placed = await gateway.create_order(limit_buy(venue, "lim-1"))
    assert placed.status is OrderStatus.OPEN
    resting = venue.account.by_client_id("lim-1")
    assert resting is not None

    venue.account.fill(resting, Decimal("0.004"))
    partly = await gateway.fetch_order(venue.symbol, "lim-1")
    venue.account.fill(resting)
    filled = await gateway.fetch_order(venue.symbol, "lim-1")

    assert partly is not None and partly.status is OrderStatus.PARTIALLY_FILLED
    assert partly.filled == Decimal("0.004")
    assert filled is not None and filled.status is OrderStatus.FILLED
    assert filled.average_price == Decimal(40000)
    assert sorted(t.quantity for t in filled.trades) == [Decimal("0.004"), Decimal("0.006")]
    assert filled.fee == Decimal("0.4")


async def test_fetch_order_finds_by_client_order_id_or_says_none(venue: Venue, gateway: CcxtGateway) -> None:
    await gateway.create_order(limit_buy(venue, "find-1"))
    await gateway.create_order(market_buy(venue, "find-2"))

    resting = await gateway.fetch_order(venue.symbol, "find-1")
    done = await gateway.fetch_order(venue.symbol, "find-2")

    assert resting is not None and (resting.client_order_id, resting.status) == ("find-1", OrderStatus.OPEN)
    assert done is not None and (done.client_order_id, done.status) == ("find-2", OrderStatus.FILLED)
    assert await gateway.fetch_order(venue.symbol, "never-sent") is None


async def test_cancel_releases_a_resting_order(venue: Venue, gateway: CcxtGateway) -> None:
    await gateway.create_order(limit_buy(venue, "cxl-1"))

    cancelled = await gateway.cancel_order(venue.symbol, "cxl-1")

    assert (cancelled.client_order_id, cancelled.status) == ("cxl-1", OrderStatus.CANCELLED)
    assert venue.account.locked[venue.account.markets[venue.venue_symbol].quote] == 0
    fetched = await gateway.fetch_order(venue.symbol, "cxl-1")
    assert fetched is not None and fetched.status is OrderStatus.CANCELLED


async def test_cancelling_a_filled_order_reports_it_filled(venue: Venue, gateway: CcxtGateway) -> None:
    await gateway.create_order(market_buy(venue, "cxl-2"))

    order = await gateway.cancel_order(venue.symbol, "cxl-2")

    assert order.status is OrderStatus.FILLED
    assert venue.standin.calls["cancel_order"] == 0


async def test_cancelling_an_unknown_order_is_order_not_found(venue: Venue, gateway: CcxtGateway) -> None:
    with pytest.raises(OrderNotFound):
        await gateway.cancel_order(venue.symbol, "never-sent")


async def test_a_stop_order_rests_until_triggered(venue: Venue, gateway: CcxtGateway) -> None:
    request = OrderRequest(
        "stop-1", venue.symbol, Side.SELL, OrderType.STOP, Decimal("0.1"), Decimal("45000")
    )

    order = await gateway.create_order(request)

    placed = venue.account.by_client_id("stop-1")
    assert placed is not None and (placed.kind, placed.price) == ("stop", Decimal(45000))
    assert (order.order_type, order.status) == (OrderType.STOP, OrderStatus.OPEN)


async def test_a_limit_order_without_a_price_is_refused_here(venue: Venue, gateway: CcxtGateway) -> None:
    request = OrderRequest("nop-1", venue.symbol, Side.BUY, OrderType.LIMIT, Decimal("0.01"))

    with pytest.raises(InvalidOrder):
        await gateway.create_order(request)
    assert venue.standin.calls["create_order"] == 0


async def test_below_minimum_notional_is_refused_before_the_exchange(
    venue: Venue, gateway: CcxtGateway
) -> None:
    with pytest.raises(BelowMinimum, match=r"An order of 4\.50 .* minimum of 5"):
        await gateway.create_order(limit_buy(venue, "small-1", "0.0009", "5000"))
    with pytest.raises(BelowMinimum):  # priced at the ask
        await gateway.create_order(market_buy(venue, "small-2", "0.00005"))

    assert venue.standin.calls["create_order"] == 0


async def test_an_amount_that_rounds_to_nothing_is_below_minimum(venue: Venue, gateway: CcxtGateway) -> None:
    with pytest.raises(BelowMinimum):
        await gateway.create_order(market_buy(venue, "dust-1", "0.000000001"))
    assert venue.standin.calls["create_order"] == 0


async def test_below_minimum_at_the_exchange_is_below_minimum(venue: Venue, gateway: CcxtGateway) -> None:
    # The venue's matching engine asks more than its market data advertised.
    venue.account.markets[venue.venue_symbol].min_notional = Decimal(1000)

    with pytest.raises(BelowMinimum):
        await gateway.create_order(market_buy(venue, "small-3", "0.01"))
    assert venue.standin.calls["create_order"] == 1
    assert venue.account.orders_with_client_id("small-3") == []


async def test_a_reduce_only_order_on_a_spot_market_is_refused_here(
    venue: Venue, gateway: CcxtGateway
) -> None:
    request = OrderRequest(
        "ro-spot-1", venue.symbol, Side.SELL, OrderType.MARKET, Decimal("0.01"), reduce_only=True
    )

    with pytest.raises(InvalidOrder, match="needs a futures market"):
        await gateway.create_order(request)
    assert venue.standin.calls["create_order"] == 0
