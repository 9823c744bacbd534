"""Stop loss and take-profit legs held by the core, break-even, and signal plans over several entries."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.harness import FailingExchanges, Harness, answer_lost, signal_plan
from tests.metrics import sample
from trading.domain.enums import AmountUnit, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import InvalidInput, RiskRejected
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.domain.signals import SignalSpec
from trading.usecases.brackets import fire_leg
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.signal_plans import draft_signal_plan
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.stop_moves import draft_stop_move
from trading.usecases.tracking import sync_open_orders, watch_brackets

D = Decimal


async def legs(
    harness: Harness, user: int
) -> dict[tuple[OrderRole, Decimal | None], tuple[OrderStatus, Decimal]]:
    """Bracket legs by role and price: their status and their quantity summed over the entries they guard."""
    async with harness.core.uow() as uow:
        orders = await uow.orders.for_user(user)
    found: dict[tuple[OrderRole, Decimal | None], tuple[OrderStatus, Decimal]] = {}
    for o in sorted(orders, key=lambda o: o.id):
        if o.role is not OrderRole.ENTRY:
            _, quantity = found.get((o.role, o.price), (o.status, D(0)))
            found[(o.role, o.price)] = (o.status, quantity + o.quantity)
    return found


async def move(harness: Harness, symbol: str, price: Decimal) -> list[object]:
    harness.market.set_price(symbol, price)
    harness.clock.advance(1)
    await sync_open_orders(harness.core)
    return list(await watch_brackets(harness.core))


async def test_targets_take_their_shares_and_break_even_moves_the_stop(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    signal_id, _ = await signal_plan(
        harness.core,
        user,
        SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(160), D(170)), stop_loss=D(140)),
        D(1500),
        move_stop_to_entry=True,
    )
    [entry] = (await follow_signal(harness.core, user, signal_id)).result.orders
    assert entry.status is OrderStatus.FILLED  # an entry the market is already below is taken at market
    assert entry.order_type is OrderType.MARKET
    half = (entry.filled / 2).quantize(D("0.001"), rounding="ROUND_DOWN")  # whole steps of SOL: no dust
    assert await legs(harness, user) == {
        (OrderRole.STOP_LOSS, D(140)): (OrderStatus.ARMED, entry.filled),
        (OrderRole.TAKE_PROFIT, D(160)): (OrderStatus.ARMED, half),
        (OrderRole.TAKE_PROFIT, D(170)): (OrderStatus.ARMED, entry.filled - half),
    }

    [first] = await move(harness, "SOL/USDT", D(161))
    assert first.status is OrderStatus.FILLED and first.filled == half  # type: ignore[attr-defined]
    after_first = await legs(harness, user)
    assert after_first[(OrderRole.STOP_LOSS, entry.average_price)] == (OrderStatus.ARMED, entry.filled - half)

    [stopped] = await move(harness, "SOL/USDT", (entry.average_price or D(0)) - D("0.5"))
    assert stopped.role is OrderRole.STOP_LOSS  # type: ignore[attr-defined]
    final = await legs(harness, user)
    assert final[(OrderRole.TAKE_PROFIT, D(170))][0] is OrderStatus.CANCELLED
    view = await portfolio(harness.core, user)
    assert view.positions == ()
    assert view.realised_pnl > 0  # half sold at 161, half near the entry


async def test_a_stop_closes_everything_and_cancels_the_targets(harness: Harness) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000), take_profits=(D(4000),))
    entry = await harness.placed(user, intent)
    [stop] = await move(harness, "ETH/USDT", D(2990))
    assert stop.filled == entry.filled  # type: ignore[attr-defined]
    assert (await legs(harness, user))[(OrderRole.TAKE_PROFIT, D(4000))][0] is OrderStatus.CANCELLED
    assert await move(harness, "ETH/USDT", D(4100)) == []  # nothing left armed to fire
    assert (await portfolio(harness.core, user)).positions == ()


async def test_a_stop_after_half_was_sold_by_hand_sells_the_half_still_held(harness: Harness) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    half = OrderIntent("ETH", Side.SELL, D("0.5"))
    await harness.placed(user, half)
    assert (await legs(harness, user))[(OrderRole.STOP_LOSS, D(3000))] == (OrderStatus.ARMED, D("0.5"))
    [stop] = await move(harness, "ETH/USDT", D(2990))
    assert (stop.role, stop.status, stop.quantity, stop.filled) == (  # type: ignore[attr-defined]
        OrderRole.STOP_LOSS,
        OrderStatus.FILLED,
        D("0.5"),
        D("0.5"),
    )
    assert (await portfolio(harness.core, user)).positions == ()


async def _coins_at_the_venue(harness: Harness, account_id: int, eth: str) -> None:
    """What the venue holds changed behind the bot's back (a withdrawal, a trade elsewhere)."""
    async with harness.engine.begin() as connection:
        await connection.execute(
            text("UPDATE paper_balances SET total = :eth WHERE account_id = :id AND asset = 'ETH'"),
            {"id": account_id, "eth": eth},
        )


async def test_a_stop_finding_fewer_coins_at_the_venue_sells_those_and_none_ends_unsent(
    harness: Harness,
) -> None:
    user, account = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    await _coins_at_the_venue(harness, account.id, "0.4")
    [stop] = await move(harness, "ETH/USDT", D(2990))
    assert (stop.status, stop.quantity, stop.filled) == (OrderStatus.FILLED, D("0.4"), D("0.4"))  # type: ignore[attr-defined]

    harness.market.set_price("ETH/USDT", D(3400))
    other, account = await harness.user("second")
    await harness.placed(other, intent)
    await _coins_at_the_venue(harness, account.id, "0")
    [unsent] = await move(harness, "ETH/USDT", D(2990))
    assert (unsent.status, unsent.filled, unsent.error) == (  # type: ignore[attr-defined]
        OrderStatus.CANCELLED,
        D(0),
        "Not sent: the coins it was to sell were no longer held when the market reached it.",
    )


async def test_selling_by_hand_disarms_the_legs(harness: Harness) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    sell = OrderIntent("ETH", Side.SELL, D(100), amount_unit=AmountUnit.PERCENT)
    await harness.placed(user, sell)
    assert (await legs(harness, user))[(OrderRole.STOP_LOSS, D(3000))][0] is OrderStatus.CANCELLED
    assert await move(harness, "ETH/USDT", D(2900)) == []


async def test_a_stop_moved_after_the_tracker_read_it_is_not_fired_at_its_old_price(harness: Harness) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    async with harness.core.uow() as uow:  # what the tracker read, before the trader moved the stop
        [armed] = await uow.orders.with_status([OrderStatus.ARMED])
    harness.market.set_price("ETH/USDT", D(2990))  # through the stop as it was read
    moving = await draft_stop_move(harness.core, user, "ETH", None, D(2900))
    assert moving is not None and moving[1] == armed
    moved = await confirm_draft(harness.core, user, moving[0].id)
    assert (moved.id, moved.status, moved.price) == (armed.id, OrderStatus.ARMED, D(2900))
    async with harness.core.uow() as uow:
        assert await fire_leg(uow, armed, harness.clock.now()) is None
    assert (await legs(harness, user))[(OrderRole.STOP_LOSS, D(2900))] == (OrderStatus.ARMED, D(1))
    assert await move(harness, "ETH/USDT", D(2950)) == []  # above the stop where it now is
    [sold] = await move(harness, "ETH/USDT", D(2890))
    assert (sold.role, sold.price) == (OrderRole.STOP_LOSS, D(2900))  # type: ignore[attr-defined]


async def _limit_sell(harness: Harness, user: int, quantity: Decimal, price: Decimal) -> Order:
    intent = OrderIntent("ETH", Side.SELL, quantity, order_type=OrderType.LIMIT, price=price)
    order = await harness.placed(user, intent)
    assert order.status is OrderStatus.OPEN  # resting at the venue, holding the coins there
    return order


async def test_a_stop_sells_coins_a_limit_sell_by_hand_held_and_the_limit_sell_is_cancelled_and_told(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, intent)
    limit = await _limit_sell(harness, user, D(1), D(4000))
    [stop] = await move(harness, "ETH/USDT", D(2990))
    assert (stop.role, stop.status, stop.filled) == (OrderRole.STOP_LOSS, OrderStatus.FILLED, D(1))  # type: ignore[attr-defined]
    async with harness.core.uow() as uow:
        assert (await uow.orders.get(limit.id)).status is OrderStatus.CANCELLED  # type: ignore[union-attr]
        assert [n.text for n in await uow.notices.unsent(10) if n.user_id == user] == [
            f"Your sell order #{limit.id} (limit at 4,000.00) was cancelled: your stop loss on ETH/USDT sold the "
            "coins it held."
        ]
    assert (await portfolio(harness.core, user)).positions == ()


async def test_a_stop_for_part_of_the_coins_rests_the_limit_sell_again_for_the_rest(harness: Harness) -> None:
    user, _ = await harness.user()
    guarded = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000))
    await harness.placed(user, guarded)
    unguarded = OrderIntent("ETH", Side.BUY, D(1))
    await harness.placed(user, unguarded)
    limit = await _limit_sell(harness, user, D(2), D(4000))
    [stop] = await move(harness, "ETH/USDT", D(2990))
    assert stop.filled == D(1)  # type: ignore[attr-defined]
    async with harness.core.uow() as uow:
        live = await uow.orders.for_user(user, [OrderStatus.OPEN])
        assert (await uow.orders.get(limit.id)).status is OrderStatus.CANCELLED  # type: ignore[union-attr]
        assert [n for n in await uow.notices.unsent(10) if n.user_id == user] == []
    assert [(o.side, o.order_type, o.price, o.quantity) for o in live] == [
        (Side.SELL, OrderType.LIMIT, D(4000), D(1))
    ]


async def test_a_plan_splits_the_amount_over_entries_and_is_confirmed_once(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    low = (ask * D("0.97")).quantize(D("0.01"))
    signal_id, plan = await signal_plan(
        harness.core,
        user,
        SignalSpec("ETH", Side.BUY, entries=(ask + 10, low), targets=(ask * 2,), stop_loss=low - 100),
        D(2000),
    )
    assert [e.order_type for e in plan.plan.entries] == [OrderType.MARKET, OrderType.LIMIT]
    assert all(e.quantity * e.price <= D(1000) for e in plan.plan.entries)
    assert plan.plan.at_risk < D(2000)

    result = (await follow_signal(harness.core, user, signal_id)).result
    assert [o.status for o in result.orders] == [OrderStatus.FILLED, OrderStatus.OPEN] and not result.failures
    with pytest.raises(InvalidInput, match="followed already"):
        await follow_signal(harness.core, user, signal_id)

    await move(harness, "ETH/USDT", low - 1)
    view = await portfolio(harness.core, user)
    assert view.positions[0].quantity == sum(e.quantity for e in plan.plan.entries)
    stop = (await legs(harness, user))[(OrderRole.STOP_LOSS, low - 100)]
    assert stop == (OrderStatus.ARMED, view.positions[0].quantity)  # the legs grew with the second entry


async def test_a_leveraged_signal_is_planned_and_followed_on_futures_at_its_leverage(
    harness: Harness,
) -> None:
    """The amount is the margin put up, fees included; the plan's orders go to the futures account at 10x."""
    user, spot = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    spec = SignalSpec("ETH", Side.BUY, (ask + 10,), targets=(ask * 2,), stop_loss=ask - 100, leverage=D(10))
    signal_id, plan = await signal_plan(harness.core, user, spec, D(500))
    assert plan.plan.leverage_asked == D(10) and plan.futures is not None and plan.futures.leverage == D(10)
    assert plan.plan.margin + plan.plan.fees <= D(500) and plan.plan.cost == plan.plan.margin * 10
    assert [draft.leverage for draft in plan.drafts] == [D(10)]
    assert plan.plan.symbol == "ETH/USDT:USDT" and plan.drafts[0].account_id != spot.id

    [order] = (await follow_signal(harness.core, user, signal_id)).result.orders
    assert order.status is OrderStatus.FILLED and order.quantity == plan.plan.entries[0].quantity
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(order.account_id)
    assert book.positions["ETH/USDT:USDT"].size == order.quantity
    assert (await portfolio(harness.core, user)).positions == ()  # nothing bought on spot


@pytest.mark.parametrize("asked", [None, D(1)])
async def test_a_signal_at_1x_or_without_leverage_asks_for_none(harness: Harness, asked: D | None) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    plan = await draft_signal_plan(
        harness.core, user, SignalSpec("ETH", Side.BUY, (ask,), leverage=asked), D(100)
    )
    assert plan.plan.leverage_asked is None


async def test_plan_entries_the_exchange_did_not_answer_for_are_unconfirmed_not_refused(
    harness: Harness,
) -> None:
    """Sent, with the answer lost: perhaps placed, so not reported as "not placed"; the tracker looks them up."""
    user, _ = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    low = (ask * D("0.97")).quantize(D("0.01"))
    spec = SignalSpec("ETH", Side.BUY, entries=(ask + 10, low), targets=(ask * 2,), stop_loss=low - 100)
    signal_id, plan = await signal_plan(harness.core, user, spec, D(2000))
    unanswering = replace(harness.core, exchanges=FailingExchanges(harness, answer_lost, after_sending=True))
    failed = sample("tsbot_orders_failed_total", venue="paper", reason="ExchangeUnavailable")

    result = (await follow_signal(unanswering, user, signal_id)).result
    assert result.orders == () and result.failures == ()
    assert sample("tsbot_orders_failed_total", venue="paper", reason="ExchangeUnavailable") == failed + 2
    assert [draft.id for draft, _ in result.unconfirmed] == [draft.id for draft in plan.drafts]
    assert all("It may have been placed" in told for _, told in result.unconfirmed)
    async with harness.core.uow(read_only=True) as uow:
        assert {o.status for o in await uow.orders.for_user(user)} == {OrderStatus.SUBMITTED}


@pytest.mark.parametrize(
    ("spec", "error", "words"),
    [
        (SignalSpec("ETH", Side.BUY, (D(3000),), stop_loss=D(3100)), InvalidInput, "stop 3100 is not below"),
        (
            SignalSpec("ETH", Side.BUY, (D(3000),), targets=(D(2900),)),
            InvalidInput,
            "Target 2900 is not above",
        ),
        (SignalSpec("ETH", Side.BUY, ()), InvalidInput, "no entry price"),
        (  # a short's stop above it, which the liquidation at 20x would beat
            SignalSpec("ETH", Side.SELL, (D(3400),), stop_loss=D(3700), leverage=D(20)),
            RiskRejected,
            "before its stop at 3,700.00 could close it",
        ),
    ],
)
async def test_plans_the_bot_cannot_follow_say_why_and_write_nothing(
    harness: Harness, spec: SignalSpec, error: type[Exception], words: str
) -> None:
    user, _ = await harness.user()
    before = await harness.counts()
    with pytest.raises(error, match=words):
        await draft_signal_plan(harness.core, user, spec, D(1000))
    assert await harness.counts() == before
