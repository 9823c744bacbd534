"""Stop modes on the paper venue along scripted price paths: a trailing stop follows a long up and sells it on
the way down, a gap through the stop sells at the gap, a short's stop follows it down; break-even and moving
targets after targets; a trailing take-profit; the extreme kept over a restart."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.harness import Harness, signal_plan
from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind
from trading.usecases.portfolio import portfolio
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import source_stats
from trading.usecases.source_stop_modes import set_source_stop_mode
from trading.usecases.stop_mode_setting import (
    StopModeRequest,
    confirm_stop_mode,
    preview_stop_mode,
    stop_modes_of,
)
from trading.usecases.tracking import watch_brackets
from trading.usecases.trailing import TrailingStops

D = Decimal
ETH = "ETH/USDT"


async def stop_of(harness: Harness, user: int) -> Order:
    async with harness.core.uow(read_only=True) as uow:
        orders = await uow.orders.for_user(user)
    [stop] = [o for o in orders if o.role is OrderRole.STOP_LOSS and not o.status.is_final]
    return stop


async def tick(harness: Harness, trailing: TrailingStops, price: str, symbol: str = ETH) -> list[Order]:
    """The market at `price`: the armed legs it reaches sent, then the stop modes stepped (as the price watch
    does); the legs sent."""
    harness.market.set_price(symbol, D(price))
    harness.clock.advance(1)
    sent = list(await watch_brackets(harness.core))
    await trailing.refresh()
    await trailing.on_price(await harness.market.ticker(symbol))
    return sent


async def set_mode(
    harness: Harness, user: int, request: StopModeRequest, symbol: str = "ETH", account_id: int | None = None
) -> None:
    preview = await preview_stop_mode(harness.core, user, symbol, None, request, account_id)
    await confirm_stop_mode(harness.core, user, preview.record.id)


async def long_eth(
    harness: Harness, stop: str = "3000", targets: tuple[Decimal, ...] = ()
) -> tuple[int, Order]:
    user, _ = await harness.user()
    harness.market.set_price(ETH, D(3400))
    entry = await harness.placed(
        user, OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(stop), take_profits=targets)
    )
    return user, entry


async def test_a_trailing_stop_follows_the_price_up_and_sells_on_the_way_down(harness: Harness) -> None:
    user, _ = await long_eth(harness)
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.TRAILING, D(5)))
    first = (await stop_of(harness, user)).price
    assert first is not None and D(3200) < first < D(3400)  # 5% below the high at once

    await tick(harness, trailing, "3600")
    high = await stop_of(harness, user)
    bid = (await harness.market.ticker(ETH)).bid
    assert high.status is OrderStatus.ARMED and high.price == (bid * D("0.95")).quantize(
        D("0.01"), "ROUND_FLOOR"
    )
    assert await tick(harness, trailing, "3500") == []
    assert (await stop_of(harness, user)).price == high.price  # a long's stop never moves down

    [sold] = await tick(harness, trailing, "3410")
    assert (sold.role, sold.status, sold.price) == (OrderRole.STOP_LOSS, OrderStatus.FILLED, high.price)
    assert (await portfolio(harness.core, user)).positions == ()
    await trailing.refresh()
    await trailing.refresh()  # no stop at two reads running: the mode is over
    assert await stop_modes_of(harness.core, user) == []


async def test_a_gap_through_the_trailing_stop_sells_at_the_gap_without_moving_it(harness: Harness) -> None:
    user, _ = await long_eth(harness)
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.TRAILING, D(5)))
    await tick(harness, trailing, "3600")
    stop = await stop_of(harness, user)
    [sold] = await tick(harness, trailing, "2800")
    assert sold.id == stop.id and sold.price == stop.price and sold.status is OrderStatus.FILLED
    assert sold.average_price is not None and sold.average_price < D(2850)  # the gap's price, not the stop's


async def test_the_extreme_survives_a_restart(harness: Harness) -> None:
    user, _ = await long_eth(harness)
    await set_mode(harness, user, StopModeRequest(StopModeKind.TRAILING, D(5)))
    await tick(harness, TrailingStops(harness.core, harness.container.prices), "3700")
    moved = (await stop_of(harness, user)).price
    restarted = TrailingStops(harness.core, harness.container.prices)
    await tick(harness, restarted, "3650")  # below the high seen before the restart
    assert (await stop_of(harness, user)).price == moved
    [record] = await stop_modes_of(harness.core, user)
    assert record.mode.extreme == (await harness.market.ticker(ETH)).bid or record.mode.extreme > D(3690)


async def test_a_shorts_trailing_stop_follows_it_down_and_buys_it_back_on_the_way_up(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    harness.market.set_price(ETH, D(3000))
    intent = OrderIntent(
        "ETH", Side.SELL, D("0.5"), position=PositionSide.SHORT, leverage=D(3), stop_loss=D(3300)
    )
    entry = await harness.placed(user, intent)
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.TRAILING, D(4)), account_id=entry.account_id)
    await tick(harness, trailing, "2800")
    stop = await stop_of(harness, user)
    assert stop.side is Side.BUY and stop.price is not None and D(2900) < stop.price < D(2920)
    await tick(harness, trailing, "2850")
    assert (await stop_of(harness, user)).price == stop.price  # a short's stop never moves up
    [bought] = await tick(harness, trailing, "2950")
    assert (bought.role, bought.side, bought.status) == (OrderRole.STOP_LOSS, Side.BUY, OrderStatus.FILLED)


async def test_a_moving_target_steps_the_stop_behind_each_target(harness: Harness) -> None:
    user, entry = await long_eth(harness, targets=(D(3500), D(3600), D(3700)))
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.MOVING_TARGET))
    await tick(harness, trailing, "3510")
    assert (await stop_of(harness, user)).price == (entry.average_price or D(0)).quantize(
        D("0.01"), "ROUND_FLOOR"
    )
    await tick(harness, trailing, "3610")
    stop = await stop_of(harness, user)
    assert (stop.price, stop.status) == (D(3500), OrderStatus.ARMED)
    [sold] = await tick(harness, trailing, "3490")
    assert (sold.role, sold.price) == (OrderRole.STOP_LOSS, D(3500))


async def test_break_even_after_the_second_target_only(harness: Harness) -> None:
    user, entry = await long_eth(harness, targets=(D(3500), D(3600), D(3700)))
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.BREAK_EVEN, after_target=2))
    await tick(harness, trailing, "3510")
    assert (await stop_of(harness, user)).price == D(3000)
    await tick(harness, trailing, "3610")
    moved_to = (entry.average_price or D(0)).quantize(D("0.01"), "ROUND_FLOOR")
    assert (await stop_of(harness, user)).price == moved_to
    async with harness.core.uow(read_only=True) as uow:
        told = [n.text for n in await uow.notices.unsent(10) if n.user_id == user]
    assert told == [f"🛡 ETH/USDT: your stop moved to {moved_to:,} (break-even after target 2)."]


async def test_a_trailing_take_profit_sells_the_rest_on_the_fall_back_past_the_first_target(
    harness: Harness,
) -> None:
    user, _ = await long_eth(harness, targets=(D(3500), D(3900)))
    trailing = TrailingStops(harness.core, harness.container.prices)
    await set_mode(harness, user, StopModeRequest(StopModeKind.TRAILING_TAKE_PROFIT, D(3)))
    [target] = await tick(harness, trailing, "3510")
    assert target.role is OrderRole.TAKE_PROFIT
    await tick(harness, trailing, "3700")
    assert await tick(harness, trailing, "3650") == []
    await tick(harness, trailing, "3580")  # 3% below the high: the rest is sold through the stop
    assert (await portfolio(harness.core, user)).positions == ()
    assert await stop_modes_of(harness.core, user) == []


async def test_a_mode_is_refused_without_a_stop_and_a_preview_confirms_once(harness: Harness) -> None:
    user, _ = await harness.user()
    await harness.placed(user, OrderIntent("ETH", Side.BUY, D(1)))
    with pytest.raises(InvalidInput, match="No stop guards your ETH"):
        await preview_stop_mode(harness.core, user, "ETH", None, StopModeRequest(StopModeKind.TRAILING, D(3)))
    other, _ = await long_eth(harness)
    preview = await preview_stop_mode(
        harness.core, other, "ETH", None, StopModeRequest(StopModeKind.TRAILING, D(3))
    )
    await confirm_stop_mode(harness.core, other, preview.record.id)
    with pytest.raises(DraftAlreadyUsed, match="already in force"):
        await confirm_stop_mode(harness.core, other, preview.record.id)


async def test_a_sources_default_mode_is_given_to_the_positions_its_signals_open(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("SOL/USDT", D(150))
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(160), D(170)), stop_loss=D(140))
    await signal_plan(harness.core, user, replace(spec, leverage=None, stop_loss=D(139)), D(1500))
    [stats] = await source_stats(harness.core, user)
    with pytest.raises(InvalidInput, match="at most 50"):
        await set_source_stop_mode(harness.core, user, stats.source.id, StopModeKind.TRAILING, D(70))
    await set_source_stop_mode(harness.core, user, stats.source.id, StopModeKind.TRAILING, D(4))

    signal_id, _ = await signal_plan(harness.core, user, spec, D(1500))
    [entry] = (await follow_signal(harness.core, user, signal_id)).result.orders
    [record] = await stop_modes_of(harness.core, user)
    assert (record.symbol, record.mode.kind, record.mode.percent, record.mode.targets) == (
        "SOL/USDT",
        StopModeKind.TRAILING,
        D(4),
        (D(160), D(170)),
    )
    assert record.confirmed_at is not None and record.mode.entry == entry.average_price
    trailing = TrailingStops(harness.core, harness.container.prices)
    await tick(harness, trailing, "158", "SOL/USDT")
    stop = await stop_of(harness, user)
    assert stop.price is not None and D(151) < stop.price < D(152)  # 4% below the bid of about 158
