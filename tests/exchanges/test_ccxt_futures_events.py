"""Funding and liquidations read from the venue's records through ccxt's real client, on the Binance USDⓈ-M
(income, forceOrders) and Bybit (funding and bust-trade executions) stand-ins; then booked into the core's book
once each, by the venue's id, during the tracker's passes, and told."""

from decimal import Decimal

import pytest

from tests.exchanges.conftest import FAST_RETRY, PASSING_FAULTS, FuturesVenue
from tests.exchanges.test_futures_order_path import ETH, Trader, short, trader_on
from tests.harness import Harness
from tests.standins.venue import Fault
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import ExchangeUnavailable
from trading.domain.futures import FundingPayment, PositionSide
from trading.domain.futures_events import LiquidationFill
from trading.domain.orders import OrderRequest
from trading.usecases.tracking import track_once

D = Decimal
BTC = "BTC/USDT:USDT"
# How each stand-in names its records, as the venue does: Bybit's execution ids and order ids are its own.
FUNDING_ID = {"binanceusdm": "funding:{}", "bybit": "funding:funding-{}"}
LIQUIDATION_ID = {"binanceusdm": "liquidation:{}", "bybit": "liquidation:liq-{}"}
# Where each stand-in serves its funding records (Bybit's among its executions).
FUNDING_ENDPOINT = {"binanceusdm": "funding_history", "bybit": "my_trades"}


@pytest.fixture
async def trader(harness: Harness, futures_venue: FuturesVenue) -> Trader:
    return await trader_on(harness, futures_venue)


def market_order(client_order_id: str, side: Side, quantity: str, symbol: str) -> OrderRequest:
    return OrderRequest(client_order_id, symbol, side, OrderType.MARKET, D(quantity))


async def test_funding_paid_and_received_and_a_liquidation_are_read_under_the_venues_ids(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.create_order(market_order("long-1", Side.BUY, "0.1", BTC))
    await futures.create_order(market_order("short-1", Side.SELL, "2", ETH))
    venue, kind = futures_venue.account, futures_venue.exchange_id
    paid = venue.fund("BTCUSDT", D("0.0001"))
    received = venue.fund("ETHUSDT", D("0.0001"))
    liquidated = venue.liquidate("ETHUSDT", D(3300))

    events = await futures.account_events(None)

    rate = D("0.0001") if kind == "bybit" else None  # Binance's income records name no rate
    at = [event.timestamp for event in events]
    assert [event.detail for event in events] == [
        FundingPayment(BTC, rate, D("0.50005"), at[0]),  # the long pays 0.1 x 50005 x 0.01%
        FundingPayment(ETH, rate, D("-0.60005"), at[1]),  # the short receives 2 x 3000.25 x 0.01%
        LiquidationFill(ETH, D(2), D(3300), at[2]),
    ]
    assert [event.event_id for event in events] == [
        FUNDING_ID[kind].format(paid.record_id),
        FUNDING_ID[kind].format(received.record_id),
        LIQUIDATION_ID[kind].format(liquidated.record_id),
    ]
    # Asked from the last one's time, the venue lists it again (booking leaves out what it booked).
    assert await futures.account_events(at[2]) == events[-1:]


@pytest.mark.parametrize("fault", PASSING_FAULTS)
async def test_a_passing_fault_on_the_records_is_retried(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway, fault: Fault
) -> None:
    await futures.create_order(market_order("long-2", Side.BUY, "0.1", BTC))
    futures_venue.account.fund("BTCUSDT", D("0.0001"))
    futures_venue.standin.inject(FUNDING_ENDPOINT[futures_venue.exchange_id], fault, times=2)

    [event] = await futures.account_events(None)

    assert isinstance(event.detail, FundingPayment) and event.detail.amount == D("0.50005")


async def test_records_that_stay_unreachable_are_reported_after_the_last_attempt(
    futures_venue: FuturesVenue, futures: CcxtDerivativesGateway
) -> None:
    await futures.markets()
    endpoint = FUNDING_ENDPOINT[futures_venue.exchange_id]
    futures_venue.standin.inject(endpoint, Fault.SERVER_ERROR, times=FAST_RETRY.attempts)

    with pytest.raises(ExchangeUnavailable):
        await futures.account_events(None)


async def test_funding_and_a_liquidation_are_booked_once_and_told(trader: Trader) -> None:
    """ETH trades at 3000 / 3000.50; the short at 10x isolated holds 150.00 of margin."""
    entry = await trader.order(short("0.5", leverage=D(10), stop_loss=D(3200), take_profits=(D(2800),)))
    venue = trader.venue.account
    venue.fund("ETHUSDT", D("0.0001"))  # received: 0.5 x 3000.25 x 0.01% = 0.1500125
    await track_once(trader.harness.core)
    before = await trader.book()
    venue.liquidate("ETHUSDT", D(3290))

    for _ in range(2):  # the second pass finds both again and books neither
        await track_once(trader.harness.core)

    after = await trader.book()
    assert before.positions[ETH].side is PositionSide.SHORT and ETH not in after.positions
    assert after.funding_paid["USDT"] == D("-0.1500125")
    margin = before.positions[ETH].isolated_margin
    assert after.wallet("USDT") == before.wallet("USDT") - margin  # an isolated liquidation takes its margin
    legs = await trader.legs(entry)
    assert {leg.status for leg in legs if leg.role is OrderRole.TAKE_PROFIT} == {OrderStatus.CANCELLED}
    async with trader.harness.core.uow(read_only=True) as uow:
        told = [n.text for n in await uow.notices.unsent(50) if n.user_id == trader.user]
    assert sum(text.startswith("💸 Funding on your ETH short: received 0.15 USDT") for text in told) == 1
    assert sum(text.startswith("⚠️ Your ETH short of 0.5 ETH was liquidated at 3,290") for text in told) == 1


async def test_a_partial_liquidation_reduces_the_position_at_the_venues_price(trader: Trader) -> None:
    await trader.order(short("0.5", leverage=D(10), stop_loss=D(3200)))
    before = await trader.book()
    trader.venue.account.liquidate("ETHUSDT", D(3100), size=D("0.2"))

    await track_once(trader.harness.core)

    position = (await trader.book()).positions[ETH]
    assert (position.side, position.size) == (PositionSide.SHORT, D("0.3"))
    assert (await trader.book()).realised_pnl["USDT"] == D(-20)  # 0.2 x (3000 - 3100)
    assert before.positions[ETH].size == D("0.5")


async def test_records_out_of_reach_keep_no_order_waiting_and_a_later_pass_books_them(trader: Trader) -> None:
    standin, endpoint = trader.venue.standin, FUNDING_ENDPOINT[trader.venue.exchange_id]
    standin.inject(endpoint, Fault.SERVER_ERROR, times=100)

    entry = await trader.order(short("0.5", leverage=D(10), stop_loss=D(3200)))
    trader.venue.account.fund("ETHUSDT", D("0.0001"))
    await track_once(trader.harness.core)
    unread = await trader.book()
    standin.heal(endpoint)
    await track_once(trader.harness.core)

    assert (entry.status, entry.filled) == (OrderStatus.FILLED, D("0.5"))
    assert unread.positions[ETH].size == D("0.5") and "USDT" not in unread.funding_paid
    assert (await trader.book()).funding_paid["USDT"] == D("-0.1500125")
