"""The derivatives gateway with ccxt's real client over HTTP, against the Binance USDⓈ-M and the Bybit stand-ins:
markets, leverage and margin mode, longs and shorts read back as positions, reduce-only stops and take profits
found by client order id, and what is refused (a reduce-only order that would open, hedge mode)."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import FuturesVenue
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import InvalidOrder, UnknownSymbol
from trading.domain.futures import MarginMode, MarketType, PositionMode, PositionSide
from trading.domain.orders import OrderRequest

ETH = "ETH/USDT:USDT"

D = Decimal


def market_order(
    client_order_id: str, side: Side, quantity: str, symbol: str = "BTC/USDT:USDT"
) -> OrderRequest:
    return OrderRequest(client_order_id, symbol, side, OrderType.MARKET, Decimal(quantity))


def stop_loss(client_order_id: str, quantity: str = "0.1", trigger: str = "45000") -> OrderRequest:
    return OrderRequest(
        client_order_id,
        "BTC/USDT:USDT",
        Side.SELL,
        OrderType.STOP,
        Decimal(quantity),
        Decimal(trigger),
        reduce_only=True,
    )


async def test_markets_are_perpetuals_with_their_leverage_ceiling(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    market = await futures.market(futures_venue.symbol)

    assert (market.symbol, market.base, market.quote) == ("BTC/USDT:USDT", "BTC", "USDT")
    assert market.market_type is MarketType.FUTURES
    assert market.max_leverage == futures_venue.max_leverage
    assert (market.amount_step, market.price_tick) == (Decimal("0.001"), Decimal("0.1"))
    assert (await futures.market("btc/usdt")).symbol == "BTC/USDT:USDT"
    assert all(m.market_type is MarketType.FUTURES for m in (await futures.markets()).values())


async def test_an_unlisted_perpetual_is_unknown(futures: CcxtDerivativesGateway) -> None:
    with pytest.raises(UnknownSymbol, match="DOGE/USDT"):
        await futures.market("DOGE/USDT")


async def test_leverage_and_margin_mode_are_set_at_the_venue_and_setting_them_again_is_fine(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    for _ in range(2):  # the second time the venue answers that there is nothing to change
        await futures.set_leverage(futures_venue.symbol, Decimal(10))
        await futures.set_margin_mode(futures_venue.symbol, MarginMode.ISOLATED)

    assert futures_venue.account.leverage[futures_venue.venue_symbol] == 10
    assert futures_venue.account.isolated[futures_venue.venue_symbol]


async def test_a_long_and_a_short_are_read_back_as_positions(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.set_leverage(futures_venue.symbol, Decimal(10))
    await futures.set_leverage(ETH, Decimal(5))

    long = await futures.create_order(market_order("long-1", Side.BUY, "0.1"))
    short = await futures.create_order(market_order("short-1", Side.SELL, "2", ETH))
    positions = {position.symbol: position for position in await futures.positions()}

    assert (long.status, long.average_price, short.average_price) == (OrderStatus.FILLED, D(50010), D(3000))
    btc, eth = positions["BTC/USDT:USDT"], positions[ETH]
    assert (btc.side, btc.size, btc.entry_price, btc.leverage) == (
        PositionSide.LONG,
        Decimal("0.1"),
        D(50010),
        D(10),
    )
    assert (eth.side, eth.size, eth.entry_price, eth.leverage) == (PositionSide.SHORT, D(2), D(3000), D(5))
    assert btc.margin_mode is MarginMode.CROSS
    assert btc.margin == Decimal("500.1")  # 0.1 x 50010 / 10
    assert btc.mark_price == Decimal(50005) and btc.unrealised_pnl == Decimal("-0.5")
    assert btc.liquidation_price is not None and btc.liquidation_price < btc.entry_price
    assert eth.liquidation_price is not None and eth.liquidation_price > eth.entry_price
    assert [p.symbol for p in await futures.positions([ETH])] == [ETH]


async def test_an_opposite_order_reduces_a_position_in_one_way_mode(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("open-1", Side.BUY, "0.1"))

    await futures.create_order(market_order("trim-1", Side.SELL, "0.04"))

    (position,) = await futures.positions()
    assert (position.side, position.size) == (PositionSide.LONG, Decimal("0.06"))
    assert await futures.position_mode() is PositionMode.ONE_WAY


async def test_a_reduce_only_stop_market_rests_is_found_by_client_id_and_closes_when_reached(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("entry-1", Side.BUY, "0.1"))

    placed = await futures.create_order(stop_loss("stop-1"))
    found = await futures.fetch_order(futures_venue.symbol, "stop-1")
    resting = futures_venue.account.by_client_id("stop-1")
    futures_venue.account.move(futures_venue.venue_symbol, Decimal(44000), Decimal(44010))
    triggered = await futures.fetch_order(futures_venue.symbol, "stop-1")

    assert resting is not None and (resting.kind, resting.reduce_only) == ("stop", True)
    assert (placed.order_type, placed.status, placed.price) == (OrderType.STOP, OrderStatus.OPEN, D(45000))
    assert found is not None and (found.client_order_id, found.status) == ("stop-1", OrderStatus.OPEN)
    assert triggered is not None and (triggered.client_order_id, triggered.status) == (
        "stop-1",
        OrderStatus.FILLED,
    )
    assert (triggered.filled, triggered.average_price) == (Decimal("0.1"), D(44000))
    assert [(t.quantity, t.price) for t in triggered.trades] == [(Decimal("0.1"), D(44000))]
    assert await futures.positions() == []


async def test_a_stop_is_cancelled_by_its_client_order_id(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("entry-2", Side.BUY, "0.1"))
    await futures.create_order(stop_loss("stop-2"))

    cancelled = await futures.cancel_order(futures_venue.symbol, "stop-2")

    assert (cancelled.client_order_id, cancelled.status) == ("stop-2", OrderStatus.CANCELLED)
    stop = futures_venue.account.by_client_id("stop-2")
    assert stop is not None and stop.status == "canceled"


async def test_a_take_profit_is_a_reduce_only_limit_resting_at_the_target(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("entry-3", Side.BUY, "0.1"))
    target = OrderRequest(
        "tp-1",
        futures_venue.symbol,
        Side.SELL,
        OrderType.LIMIT,
        Decimal("0.05"),
        Decimal(52000),
        reduce_only=True,
    )

    placed = await futures.create_order(target)
    resting = futures_venue.account.by_client_id("tp-1")
    assert resting is not None and resting.reduce_only
    futures_venue.account.fill(resting)
    filled = await futures.fetch_order(futures_venue.symbol, "tp-1")

    assert placed.status is OrderStatus.OPEN
    assert filled is not None and (filled.status, filled.average_price) == (OrderStatus.FILLED, D(52000))
    (position,) = await futures.positions()
    assert position.size == Decimal("0.05")


async def test_a_reduce_only_order_that_would_open_a_position_is_refused(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    request = OrderRequest(
        "ro-1", futures_venue.symbol, Side.SELL, OrderType.MARKET, Decimal("0.1"), reduce_only=True
    )

    with pytest.raises(InvalidOrder, match="reduce-only order: it would open or grow a position"):
        await futures.create_order(request)
    assert futures_venue.account.orders_with_client_id("ro-1") == []
    assert await futures.positions() == []


async def test_a_reduce_only_order_larger_than_the_position_is_refused(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("entry-4", Side.BUY, "0.1"))

    with pytest.raises(InvalidOrder, match="reduce-only"):
        await futures.create_order(stop_loss("stop-4", quantity="0.2"))
    (position,) = await futures.positions()
    assert (position.side, position.size) == (PositionSide.LONG, Decimal("0.1"))


async def test_hedge_mode_is_detected_and_refused_before_any_order(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    futures_venue.account.hedge_mode = True

    with pytest.raises(InvalidOrder, match=r"hedge mode.*switch it to one-way mode"):
        await futures.create_order(market_order("hedge-1", Side.BUY, "0.1"))
    assert futures_venue.standin.calls["create_order"] == 0


async def test_binance_reports_an_account_in_hedge_mode(binance_usdm_venue: FuturesVenue) -> None:
    """Binance names the account's mode; Bybit keeps one per symbol, which is checked before each order."""
    binance_usdm_venue.account.hedge_mode = True
    gateway = binance_usdm_venue.gateway()
    try:
        assert await gateway.position_mode() is PositionMode.HEDGE
    finally:
        await gateway.close()


async def test_balances_are_the_settle_currency_net_of_fees(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    before = await futures.balances()
    await futures.create_order(market_order("fee-1", Side.BUY, "0.1"))
    after = await futures.balances()

    assert set(before) == {"USDT"} and before["USDT"].total == 10_000
    assert after["USDT"].free < before["USDT"].free
    assert futures_venue.account.wallet == Decimal(10_000) - Decimal("2.5005")  # 0.05% of 5001


async def test_the_funding_rate_comes_with_the_mark_price(futures: CcxtDerivativesGateway) -> None:
    funding = await futures.funding_rate("BTC/USDT")

    assert (funding.symbol, funding.rate, funding.mark_price) == (
        "BTC/USDT:USDT",
        Decimal("0.0001"),
        D(50005),
    )
    assert funding.next_funding_at is not None


async def test_the_venue_holds_stops(futures_venue: FuturesVenue, futures: CcxtDerivativesGateway) -> None:
    assert await futures.holds_stops(futures_venue.symbol)
