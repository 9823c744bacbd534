"""Futures through the core on the paper venue: a short or a leveraged request goes to the futures account and
never sells spot coins; its preview margins it and refuses a stop the liquidation would beat; it is placed once
with its leverage set, booked in the core's book as the venue books it, its stop and targets reduce-only."""

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.fakes import ManualClock
from tests.harness import FailingExchanges, Harness, ProcessDied, make_harness
from trading.domain.enums import AmountUnit, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import InvalidInput, NoFuturesAccount, RiskRejected
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.domain.risk import RiskOverrides
from trading.domain.signals import SignalSpec
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.routing import NO_FUTURES_ACCOUNT
from trading.usecases.signal_plans import draft_signal_plan
from trading.usecases.tracking import reconcile_submitted, track_once

D = Decimal
ETH = "ETH/USDT:USDT"
SHORT, LONG = PositionSide.SHORT, PositionSide.LONG


def short(amount: str, **more: object) -> OrderIntent:
    return OrderIntent("ETH", Side.SELL, D(amount), position=SHORT, **more)  # type: ignore[arg-type]


def close(position: PositionSide, percent: int = 100) -> OrderIntent:
    return OrderIntent("ETH", position.closing_side, D(percent), AmountUnit.PERCENT, position=position)


async def futures_id(harness: Harness, user: int) -> int:
    async with harness.core.uow(read_only=True) as uow:
        [_, account] = await uow.accounts.for_user(user)
    return account.id


async def orders_of(harness: Harness, user: int) -> list[Order]:
    async with harness.core.uow(read_only=True) as uow:
        return sorted(await uow.orders.for_user(user), key=lambda order: order.id)


async def test_a_leveraged_short_is_previewed_placed_and_booked_as_the_venue_books_it(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    intent = short("0.5", leverage=D(5), stop_loss=D(3200), take_profits=(D(2800), D(2600)))
    draft = await draft_order(harness.core, user, intent)
    terms = draft.futures
    assert terms is not None and draft.account_id == await futures_id(harness, user)
    assert (draft.symbol, draft.side, terms.position_side, terms.leverage) == (ETH, Side.SELL, SHORT, D(5))
    assert terms.margin == draft.preview.cost / 5 and terms.margin_mode is MarginMode.ISOLATED
    assert terms.liquidation_price is not None and terms.liquidation_price > D(3200) * D("1.01")
    assert terms.funding_rate is not None and not terms.reduce_only and not terms.capped

    entry = await confirm_draft(harness.core, user, draft.id)
    assert entry.status is OrderStatus.FILLED and entry.role is OrderRole.ENTRY
    gateway = await harness.exchanges.gateway_of(draft.account_id)
    [venue] = await gateway.positions()  # type: ignore[attr-defined]
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(draft.account_id)
    position = book.positions[ETH]
    assert (position.side, position.size, position.leverage) == (SHORT, D("0.5"), D(5))
    assert (venue.side, venue.size, venue.entry_price, venue.margin) == (
        SHORT,
        position.size,
        position.entry_price,
        position.margin,
    )
    assert book.wallet("USDT") == (await gateway.balances())["USDT"].total
    legs = [o for o in await orders_of(harness, user) if o.parent_id == entry.id]
    assert {(leg.role, leg.side, leg.price, leg.quantity) for leg in legs} == {
        (OrderRole.STOP_LOSS, Side.BUY, D(3200), D("0.5")),
        (OrderRole.TAKE_PROFIT, Side.BUY, D(2800), D("0.25")),
        (OrderRole.TAKE_PROFIT, Side.BUY, D(2600), D("0.25")),
    }


async def test_a_short_with_no_futures_account_is_refused_and_sells_no_coin_held(database_url: str) -> None:
    harness = make_harness(database_url, ManualClock(), paper_futures=False)
    try:
        user, _ = await harness.user("spot only", 9)
        await harness.placed(user, OrderIntent("ETH", Side.BUY, D("0.5")))
        before = await harness.counts()
        for intent in (short("0.1"), OrderIntent("ETH", Side.BUY, D("0.1"), leverage=D(3))):
            with pytest.raises(NoFuturesAccount, match="add one with /accounts") as refused:
                await draft_order(harness.core, user, intent)
            assert str(refused.value) == NO_FUTURES_ACCOUNT
        assert await harness.counts() == before
        assert (await portfolio(harness.core, user)).positions[0].quantity == D("0.5")
    finally:
        await harness.close()


async def test_the_leverage_is_capped_at_the_users_most_and_the_preview_says_what_was_asked(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    async with harness.core.uow() as uow:
        await uow.risk_settings.save(user, RiskOverrides(max_leverage=D(10)), harness.clock.now())
        await uow.commit()
    harness.market.set_price("ETH/USDT", D(3000))
    draft = await draft_order(harness.core, user, short("0.2", leverage=D(50), stop_loss=D(3100)))
    assert draft.futures is not None
    assert (draft.futures.leverage, draft.futures.leverage_asked, draft.leverage) == (D(10), D(50), D(10))


async def test_a_stop_the_liquidation_would_beat_is_refused_with_both_prices(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("BTC/USDT", D(67000))
    long = OrderIntent(
        "BTC", Side.BUY, D(200), AmountUnit.QUOTE, leverage=D(10), stop_loss=D(60000), position=LONG
    )
    with pytest.raises(RiskRejected, match=r"liquidated at 60,5\d\d\.\d\d, before its stop at 60,000\.00"):
        await draft_order(harness.core, user, long)
    with pytest.raises(RiskRejected, match="needs a stop loss"):
        await draft_order(harness.core, user, replace(long, stop_loss=None))
    fine = await draft_order(harness.core, user, replace(long, stop_loss=D(63000)))
    assert fine.futures is not None and fine.futures.margin + fine.preview.fee <= D(200)


async def test_closing_and_reducing_are_reduce_only_and_take_the_legs_with_them(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    await harness.placed(user, short("1", leverage=D(3), stop_loss=D(3300)))
    with pytest.raises(InvalidInput, match="no ETH long to reduce or close"):
        await draft_order(harness.core, user, close(LONG))
    with pytest.raises(
        InvalidInput, match=r"Your ETH short of 1 is open: close it first \('close my eth short'\)"
    ):
        await draft_order(
            harness.core, user, OrderIntent("ETH", Side.BUY, D(1), leverage=D(3), position=LONG)
        )

    halved = await harness.placed(user, close(SHORT, 50))
    assert (halved.role, halved.side, halved.filled) == (OrderRole.CLOSE, Side.BUY, D("0.5"))
    [entry, stop, *_] = await orders_of(harness, user)
    async with harness.core.uow(read_only=True) as uow:
        stop = await uow.orders.get(stop.id)  # type: ignore[assignment]
    assert stop is not None and (stop.status, stop.quantity) == (OrderStatus.ARMED, D("0.5"))

    closing = await draft_order(harness.core, user, close(SHORT))
    assert closing.futures is not None and closing.futures.closes and closing.quantity == D("0.5")
    await confirm_draft(harness.core, user, closing.id)
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(entry.account_id)
        left = await uow.orders.get(stop.id)
    assert book.positions == {} and book.realised_pnl and left is not None
    assert left.status is OrderStatus.CANCELLED


async def test_the_stop_of_a_short_buys_it_back_reduce_only_when_the_market_rises(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    entry = await harness.placed(user, short("1", leverage=D(2), stop_loss=D(3100), take_profits=(D(2700),)))
    harness.market.set_price("ETH/USDT", D(3150))
    harness.clock.advance(1)
    await track_once(harness.core)
    legs = {o.role: o for o in await orders_of(harness, user) if o.parent_id == entry.id}
    assert legs[OrderRole.STOP_LOSS].status is OrderStatus.FILLED
    assert legs[OrderRole.TAKE_PROFIT].status is OrderStatus.CANCELLED
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(entry.account_id)
    assert book.positions == {} and book.realised_pnl["USDT"] < 0


async def test_a_crash_after_sending_is_found_by_client_order_id_and_booked_once(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    draft = await draft_order(harness.core, user, short("0.4", leverage=D(4), stop_loss=D(3200)))
    dying = replace(harness.core, exchanges=FailingExchanges(harness, ProcessDied, after_sending=True))
    with pytest.raises(ProcessDied):
        await confirm_draft(dying, user, draft.id)
    [written] = await orders_of(harness, user)
    assert written.status is OrderStatus.SUBMITTED

    restarted = harness_factory()
    report = await reconcile_submitted(restarted.core)
    assert (report.found, report.never_arrived) == (1, 0)
    async with restarted.core.uow(read_only=True) as uow:
        found = await uow.orders.by_client_id(written.client_order_id)
        book = await uow.futures_books.load(draft.account_id)
        legs = await uow.orders.children(written.id)
    assert found is not None and found.status is OrderStatus.FILLED
    assert book.positions[ETH].size == D("0.4")
    assert [(leg.role, leg.status) for leg in legs] == [(OrderRole.STOP_LOSS, OrderStatus.ARMED)]
    assert await reconcile_submitted(restarted.core) == type(report)(0, 0, 0)


async def test_a_limit_short_rests_and_is_booked_when_the_market_reaches_it(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    intent = short("1", leverage=D(5), order_type=OrderType.LIMIT, price=D(3050), stop_loss=D(3300))
    resting = await harness.placed(user, intent)
    assert resting.status is OrderStatus.OPEN
    harness.market.set_price("ETH/USDT", D(3060))
    harness.clock.advance(1)
    await track_once(harness.core)
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(resting.account_id)
    assert book.positions[ETH].size == D(1) and book.positions[ETH].entry_price == D(3050)


async def test_a_short_signal_with_no_futures_account_is_refused_and_keeps_every_coin(
    database_url: str,
) -> None:
    """Found when tried as a new user would: a followed short signal sold the spot coins held. It is refused."""
    harness = make_harness(database_url, ManualClock(), paper_futures=False)
    try:
        user, _ = await harness.user("spot only", 10)
        await harness.placed(user, OrderIntent("BTC", Side.BUY, D("0.01")))
        before = await harness.counts()
        bid = (await harness.market.ticker("BTC/USDT")).bid
        spec = SignalSpec("BTC", Side.SELL, (bid,), targets=(bid * D("0.9"),), stop_loss=bid * D("1.05"))
        for asked in (None, D(10)):
            with pytest.raises(NoFuturesAccount, match="Nothing was sold"):
                await draft_signal_plan(harness.core, user, replace(spec, leverage=asked), D(100))
        assert await harness.counts() == before
        assert (await portfolio(harness.core, user)).positions[0].quantity == D("0.01")
    finally:
        await harness.close()
