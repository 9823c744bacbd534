"""The kill switch through the core on the paper venue: every position closed (spot sold, futures closed
reduce-only, the orders on their markets cancelled first) and every order cancelled, each previewed then
confirmed once; a position that fails is told and the rest go on."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.harness import ExchangesAround, Harness
from tests.metrics import sample
from trading.domain.enums import OPEN_STATUSES, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import DraftAlreadyUsed, DraftExpired, InvalidOrder, NotFound
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.orders import ExchangeOrder, Order, OrderRequest
from trading.ports import ExchangeGateway
from trading.usecases.kill_switch import cancel_all, close_all, preview_cancel_all, preview_close_all

D = Decimal
SPOT_ETH, SPOT_BTC, PERP_ETH = "ETH/USDT", "BTC/USDT", "ETH/USDT:USDT"


async def open_orders(harness: Harness, user: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        return sorted(await uow.orders.for_user(user, OPEN_STATUSES), key=lambda o: o.id)


async def trade_everything(harness: Harness) -> tuple[int, list[Order]]:
    """A trader with ETH bought with a stop and a target, BTC bought bare, a buy limit resting below ETH's
    price, a SOL limit resting (no position), and a short on the futures account with its stop and target."""
    user, _ = await harness.user()
    harness.market.set_price(SPOT_ETH, D(3000))
    harness.market.set_price(SPOT_BTC, D(60000))
    eth = OrderIntent("ETH", Side.BUY, D("0.5"), stop_loss=D(2800), take_profits=(D(3300),))
    await harness.placed(user, eth)
    await harness.placed(user, OrderIntent("BTC", Side.BUY, D("0.01")))
    await harness.placed(
        user, OrderIntent("ETH", Side.BUY, D("0.1"), order_type=OrderType.LIMIT, price=D(2500))
    )
    await harness.placed(user, OrderIntent("SOL", Side.BUY, D(1), order_type=OrderType.LIMIT, price=D(10)))
    short = OrderIntent(
        "ETH", Side.SELL, D("0.5"), position=PositionSide.SHORT, leverage=D(5), stop_loss=D(3200),
        take_profits=(D(2800),),
    )  # fmt: skip
    await harness.placed(user, short)
    return user, await open_orders(harness, user)


async def test_close_all_is_previewed_then_closes_every_position_once(harness: Harness) -> None:
    user, before = await trade_everything(harness)
    preview = await preview_close_all(harness.core, user)
    by_symbol = {c.symbol: c for c in preview.closings}
    assert set(by_symbol) == {SPOT_ETH, SPOT_BTC, PERP_ETH}
    eth, btc, perp = by_symbol[SPOT_ETH], by_symbol[SPOT_BTC], by_symbol[PERP_ETH]
    assert (eth.quantity, eth.side, eth.position) == (D("0.5"), Side.SELL, None)
    assert (perp.quantity, perp.side, perp.position) == (D("0.5"), Side.BUY, PositionSide.SHORT)
    assert eth.value is not None and D(1400) < eth.value < D(1600)
    assert btc.value is not None and D(590) < btc.value < D(610) and btc.cancels == ()
    # The ETH stop, target and resting buy, and the short's stop and target; the SOL limit is no position's.
    assert {o.role for o in eth.cancels} == {OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT, OrderRole.ENTRY}
    assert len(eth.cancels) == 3 and {o.role for o in perp.cancels} == {
        OrderRole.STOP_LOSS,
        OrderRole.TAKE_PROFIT,
    }
    assert preview.totals["USDT"] == eth.value + btc.value + (perp.value or 0)
    assert preview.confirmation_id is not None and await open_orders(harness, user) == before

    done = await close_all(harness.core, user, preview.confirmation_id)
    assert [d.error for d in done] == [None, None, None]
    assert all(d.order is not None and d.order.status is OrderStatus.FILLED for d in done)
    closes = {d.closing.symbol: d.order for d in done if d.order is not None}
    assert closes[PERP_ETH].role is OrderRole.CLOSE and closes[PERP_ETH].side is Side.BUY
    assert closes[SPOT_ETH].side is Side.SELL and closes[SPOT_ETH].filled == D("0.5")
    async with harness.core.uow(read_only=True) as uow:
        [spot, futures] = await uow.accounts.for_user(user)
        assert (await uow.ledgers.load(spot.id)).open_positions() == []
        assert (await uow.futures_books.load(futures.id)).positions == {}
    [left] = await open_orders(harness, user)
    assert (left.symbol, left.price) == ("SOL/USDT", D(10))
    with pytest.raises(DraftAlreadyUsed):
        await close_all(harness.core, user, preview.confirmation_id)


class RefusesBtc(ExchangesAround):
    """The venue refusing every BTC order: one position that cannot be closed."""

    def around(self, account_id: int, gateway: ExchangeGateway) -> ExchangeGateway:
        return _RefusingBtc(gateway)  # type: ignore[return-value]


class _RefusingBtc:
    def __init__(self, inner: ExchangeGateway) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        if request.symbol == SPOT_BTC:
            raise InvalidOrder("BTC/USDT is halted for trading.")
        return await self._inner.create_order(request)


async def test_a_position_that_cannot_be_closed_is_told_and_the_rest_are_closed(harness: Harness) -> None:
    user, _ = await trade_everything(harness)
    core = replace(harness.core, exchanges=RefusesBtc(harness.exchanges))
    preview = await preview_close_all(core, user)
    assert preview.confirmation_id is not None
    refusals = sample("tsbot_orders_refused_total", venue="paper", reason="InvalidOrder")
    done = {d.closing.symbol: d for d in await close_all(core, user, preview.confirmation_id)}
    assert done[SPOT_BTC].order is None and done[SPOT_BTC].error == "BTC/USDT is halted for trading."
    assert sample("tsbot_orders_refused_total", venue="paper", reason="InvalidOrder") == refusals + 1
    async with harness.core.uow(read_only=True) as uow:
        [refused] = await uow.orders.for_user(user, [OrderStatus.REJECTED])
    assert (refused.symbol, refused.side) == (SPOT_BTC, Side.SELL)  # written before the venue was called
    assert done[SPOT_ETH].error is None and done[PERP_ETH].error is None
    again = await preview_close_all(harness.core, user)
    assert [c.symbol for c in again.closings] == [SPOT_BTC]


async def test_nothing_held_is_nothing_to_confirm(harness: Harness) -> None:
    user, _ = await harness.user()
    empty = await preview_close_all(harness.core, user)
    assert empty.closings == () and empty.confirmation_id is None
    assert (await preview_cancel_all(harness.core, user)).confirmation_id is None


async def test_cancel_all_says_which_stops_protect_a_position_and_cancels_every_order(
    harness: Harness,
) -> None:
    user, before = await trade_everything(harness)
    preview = await preview_cancel_all(harness.core, user)
    assert [o.id for o in preview.orders] == [o.id for o in before] and len(before) == 6
    assert {(o.symbol, o.role) for o in preview.protecting} == {
        (SPOT_ETH, OrderRole.STOP_LOSS),
        (PERP_ETH, OrderRole.STOP_LOSS),
    }
    assert preview.confirmation_id is not None
    with pytest.raises(NotFound):  # another trader's preview is none of this one's
        other, _ = await harness.user("other")
        await cancel_all(harness.core, other, preview.confirmation_id)
    done = await cancel_all(harness.core, user, preview.confirmation_id)
    assert done.refused == () and len(done.cancelled) == 6
    assert all(o.status is OrderStatus.CANCELLED for o in done.cancelled)
    assert await open_orders(harness, user) == []
    async with harness.core.uow(read_only=True) as uow:
        [spot, _] = await uow.accounts.for_user(user)
        positions = (await uow.ledgers.load(spot.id)).open_positions()
    assert {p.symbol for p in positions} == {SPOT_ETH, SPOT_BTC}  # cancelling sells nothing


async def test_a_preview_confirmed_late_or_twice_does_nothing_more(harness: Harness) -> None:
    user, before = await trade_everything(harness)
    late = await preview_cancel_all(harness.core, user)
    harness.clock.advance(harness.core.config.draft_ttl.total_seconds() + 1)
    assert late.confirmation_id is not None
    with pytest.raises(DraftExpired):
        await cancel_all(harness.core, user, late.confirmation_id)
    assert await open_orders(harness, user) == before
    with pytest.raises(NotFound):  # a close-all confirmation does not cancel, nor the other way round
        fresh = await preview_cancel_all(harness.core, user)
        assert fresh.confirmation_id is not None
        await close_all(harness.core, user, fresh.confirmation_id)
