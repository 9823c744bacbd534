"""The paper futures venue on a real database: perpetuals of the simulated market's pairs, leverage and margin
mode, market, limit and stop orders with reduce-only, client order ids placed once and found again, funding
every 8 hours and liquidation at the mark, all kept in its own tables across restarts."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from tests.harness import Harness
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import InsufficientFunds, InvalidOrder
from trading.domain.futures import FundingPayment, MarginMode, MarketType, PositionMode, PositionSide
from trading.domain.futures_events import Liquidated
from trading.domain.futures_math import funding_payment
from trading.domain.orders import OrderRequest
from trading.exchanges.paper.futures import PaperFuturesExchange
from trading.ports import DerivativesGateway

D = Decimal
ETH = "ETH/USDT:USDT"
HOURS = 3600


async def futures_account(harness: Harness) -> int:
    """A new user's paper futures account."""
    user, _ = await harness.user()
    async with harness.core.uow(read_only=True) as uow:
        [_, account] = await uow.accounts.for_user(user)
    return account.id


async def venue_of(harness: Harness, account_id: int) -> PaperFuturesExchange:
    gateway = await harness.exchanges.gateway_of(account_id)
    assert isinstance(gateway, PaperFuturesExchange) and isinstance(gateway, DerivativesGateway)
    return gateway


async def futures_venue(harness: Harness) -> PaperFuturesExchange:
    """A new user's paper futures account, as its venue."""
    return await venue_of(harness, await futures_account(harness))


def order(client_id: str, side: Side, quantity: str, **more: object) -> OrderRequest:
    return OrderRequest(client_id, ETH, side, more.pop("order_type", OrderType.MARKET), D(quantity), **more)  # type: ignore[arg-type]


async def test_each_pair_has_a_perpetual_with_its_leverage_ceiling_and_the_pairs_price(
    harness: Harness,
) -> None:
    venue = await futures_venue(harness)
    btc, eth, doge = [await venue.market(s) for s in ("BTC/USDT:USDT", ETH, "DOGE/USDT:USDT")]
    assert (btc.market_type, btc.max_leverage, btc.taker_fee) == (MarketType.FUTURES, D(125), D("0.0005"))
    assert (eth.base, eth.quote, doge.max_leverage) == ("ETH", "USDT", D(75))
    assert (await venue.market("ADA/USDT:USDT")).max_leverage == D(50)  # Binance's common table
    harness.market.set_price("ETH/USDT", D(3000))
    ticker = await venue.ticker(ETH)
    assert ticker.symbol == ETH and ticker.last == D(3000)
    assert await venue.position_mode() is PositionMode.ONE_WAY


async def test_a_leveraged_short_holds_its_margin_and_a_reduce_only_buy_closes_it(harness: Harness) -> None:
    venue = await futures_venue(harness)
    harness.market.set_price("ETH/USDT", D(3000))
    await venue.set_margin_mode(ETH, MarginMode.ISOLATED)
    await venue.set_leverage(ETH, D(10))
    sold = await venue.create_order(order("s1", Side.SELL, "1"))
    assert sold.status is OrderStatus.FILLED and sold.filled == D(1)
    [short] = await venue.positions()
    assert (short.side, short.size, short.leverage, short.margin_mode) == (
        PositionSide.SHORT,
        D(1),
        D(10),
        MarginMode.ISOLATED,
    )
    assert (
        short.margin == (short.entry_price / 10).quantize(short.margin)
        and short.liquidation_price is not None
    )
    assert short.liquidation_price > short.entry_price
    usdt = (await venue.balances())["USDT"]
    assert usdt.total == D(10_000) - sold.fee and usdt.free == usdt.total - short.margin

    with pytest.raises(InvalidOrder, match="has no position to reduce"):
        await venue.create_order(order("r0", Side.SELL, "1", reduce_only=True))  # it would add to the short
    closed = await venue.create_order(order("r1", Side.BUY, "3", reduce_only=True))  # shrunk to the position
    assert closed.quantity == D(1) and closed.filled == D(1)
    assert await venue.positions() == []


async def test_leverage_is_refused_past_the_ceiling_and_while_a_position_keeps_another(
    harness: Harness,
) -> None:
    venue = await futures_venue(harness)
    with pytest.raises(InvalidOrder, match="from 1x to 125x, not 150x"):
        await venue.set_leverage(ETH, D(150))
    await venue.set_leverage(ETH, D(5))
    await venue.create_order(order("l1", Side.BUY, "0.5"))
    with pytest.raises(InvalidOrder, match="open at 5x isolated"):
        await venue.set_leverage(ETH, D(20))
    await venue.set_leverage(ETH, D(5))  # the same: nothing to change


async def test_an_order_the_margin_does_not_cover_is_refused_with_both_figures(harness: Harness) -> None:
    venue = await futures_venue(harness)
    harness.market.set_price("ETH/USDT", D(3000))
    await venue.set_leverage(ETH, D(2))
    with pytest.raises(InsufficientFunds, match=r"needs .* of margin"):
        await venue.create_order(order("big", Side.BUY, "7"))  # 10,500 of margin at 2x
    assert await venue.positions() == []


async def test_a_client_order_id_is_placed_once_and_found_again_after_a_restart(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    account = await futures_account(harness)
    venue = await venue_of(harness, account)
    await venue.set_leverage(ETH, D(3))
    first = await venue.create_order(order("c1", Side.BUY, "0.2"))
    again = await venue.create_order(order("c1", Side.BUY, "0.2"))  # a retry: the first placement's report
    assert again == first
    [position] = await venue.positions()
    assert position.size == D("0.2")

    other = await venue_of(harness_factory(), account)  # a restart: nothing cached
    assert await other.fetch_order(ETH, "c1") == first
    assert await other.fetch_order(ETH, "never") is None
    assert [p.size for p in await other.positions()] == [D("0.2")]


async def test_a_limit_holds_margin_while_it_rests_and_a_reduce_only_stop_fills_when_reached(
    harness: Harness,
) -> None:
    venue = await futures_venue(harness)
    harness.market.set_price("ETH/USDT", D(3000))
    await venue.set_leverage(ETH, D(10))
    resting = await venue.create_order(order("lim", Side.BUY, "1", order_type=OrderType.LIMIT, price=D(2900)))
    assert resting.status is OrderStatus.OPEN
    usdt = (await venue.balances())["USDT"]
    assert usdt.total == D(10_000) and usdt.free == D(10_000) - D(290) - D(2900) * D("0.0005")

    harness.market.set_price("ETH/USDT", D(2890))
    harness.clock.advance(1)
    assert (await venue.fetch_order(ETH, "lim")).status is OrderStatus.FILLED  # type: ignore[union-attr]
    stop = order("stp", Side.SELL, "1", order_type=OrderType.STOP, price=D(2800), reduce_only=True)
    assert (await venue.create_order(stop)).status is OrderStatus.OPEN
    harness.market.set_price("ETH/USDT", D(2790))
    harness.clock.advance(1)
    stopped = await venue.fetch_order(ETH, "stp")
    assert stopped is not None and stopped.status is OrderStatus.FILLED and stopped.filled == D(1)
    assert await venue.positions() == []


async def test_funding_is_settled_at_each_funding_time_the_position_meets(harness: Harness) -> None:
    venue = await futures_venue(harness)
    harness.market.set_price("ETH/USDT", D(3000))
    await venue.set_leverage(ETH, D(5))
    await venue.create_order(order("f1", Side.BUY, "2"))
    assert await venue.account_events(None) == []
    harness.clock.advance(7 * HOURS)  # from 09:30 past 16:00, the next funding time
    harness.market.set_price("ETH/USDT", D(3100))
    rate = (await venue.funding_rate(ETH)).rate
    wallet = (await venue.balances())["USDT"].total
    [event] = await venue.account_events(None)
    assert isinstance(event.detail, FundingPayment) and event.event_id
    payment = event.detail
    assert (payment.symbol, payment.rate, payment.timestamp.hour) == (ETH, rate, 16)
    assert payment.amount == funding_payment(PositionSide.LONG, D(2), D(3100), rate)
    harness.clock.advance(1)
    assert (await venue.balances())["USDT"].total == wallet  # settled once
    assert len(await venue.account_events(payment.timestamp)) == 1


async def test_a_mark_past_the_liquidation_price_closes_the_position_for_its_margin(harness: Harness) -> None:
    venue = await futures_venue(harness)
    harness.market.set_price("ETH/USDT", D(3000))
    await venue.set_leverage(ETH, D(20))
    await venue.create_order(order("x1", Side.BUY, "1"))
    [long] = await venue.positions()
    assert long.liquidation_price is not None
    wallet = (await venue.balances())["USDT"].total
    harness.market.set_price("ETH/USDT", long.liquidation_price - 1)
    harness.clock.advance(1)
    assert await venue.positions() == []
    [event] = await venue.account_events(None)
    assert isinstance(event.detail, Liquidated)
    gone = event.detail
    assert (gone.symbol, gone.side, gone.size) == (ETH, PositionSide.LONG, D(1))
    assert gone.loss == long.margin
    assert (await venue.balances())["USDT"].total == wallet - long.margin
