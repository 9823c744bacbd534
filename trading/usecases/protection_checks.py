"""The protections' checks, each run when what it counts happens, never by polling: a stop's fill (stop-outs
within a period cool automatic following down), a sale's or a close's fill (the account's drawdown from its
equity's peak pauses it), a signal closed at a loss (its source's losing streak pauses that source). A check
that acts pauses automatic following and tells the trader why (trading.usecases.follow_pauses)."""

import logging

from trading.domain.enums import OrderRole, OrderType, Side
from trading.domain.errors import TradingError
from trading.domain.orders import Order
from trading.domain.perpetuals import is_perpetual
from trading.domain.protections import (
    FollowPause,
    PauseKind,
    drawdown,
    drawdown_reason,
    losing_streak_reason,
    stoploss_guard_reason,
)
from trading.domain.signal_records import SignalOutcome, SignalRecord
from trading.ports import UnitOfWork
from trading.usecases.booking import opens
from trading.usecases.core import Core
from trading.usecases.follow_pauses import lifted_since, start_pause
from trading.usecases.portfolio import record_equity
from trading.usecases.protection_settings import limits_of

log = logging.getLogger(__name__)


def is_stop_out(order: Order) -> bool:
    """A stop that takes a position off: its stop loss, or a stop sale of spot coins held ("set my eth stop to
    3000")."""
    stop_sale = (
        order.order_type is OrderType.STOP and order.side is Side.SELL and not is_perpetual(order.symbol)
    )
    return order.role is OrderRole.STOP_LOSS or (order.role is OrderRole.ENTRY and stop_sale)


async def after_fill(core: Core, before: Order, after: Order) -> None:
    """A booking of `before` that left it `after`: a stop's first fill counts a stop-out, and every fill that
    takes off some of a position (a trade closing, in part or whole) looks at the account's drawdown."""
    if after.filled <= before.filled or opens(after):
        return
    try:
        if before.filled == 0 and is_stop_out(after):
            await _guard_stop_outs(core, after.user_id)
        await _watch_drawdown(core, after)
    except TradingError as error:  # the fill is booked whatever a check meets (a venue down, say)
        log.warning("protections not checked after order %s: %s", after.id, error.message)


async def _guard_stop_outs(core: Core, user_id: int) -> None:
    """Stoploss guard: this many stops hit within the period cool automatic following down for a while."""
    now = core.clock.now()
    async with core.uow() as uow:
        limits = await limits_of(core, uow, user_id)
        last = await uow.protections.last_pause(user_id, PauseKind.STOPLOSS_GUARD)
        if not limits.stoploss_guard or (last is not None and last.active(now)):
            return
        stop_outs = await uow.protections.stop_outs(
            user_id, lifted_since(last, now - limits.stoploss_guard_period)
        )
        if stop_outs < limits.stoploss_guard:
            return
        if last is not None:  # a cooldown over whose end is not told yet: the new one's start tells it
            await uow.protections.lift(last.id, now)
        reason = stoploss_guard_reason(stop_outs, limits)
        pause = FollowPause(0, user_id, PauseKind.STOPLOSS_GUARD, reason, now, until=now + limits.cooldown)
        await start_pause(uow, pause)
        await uow.commit()


async def _watch_drawdown(core: Core, order: Order) -> None:
    """Maximum drawdown: the account's equity now (recorded as a point of its curve) against its peak over the
    window; a fall past the limit pauses automatic following until the trader resumes it."""
    now = core.clock.now()
    async with core.uow(read_only=True) as uow:
        limits = await limits_of(core, uow, order.user_id)
        last = await uow.protections.last_pause(order.user_id, PauseKind.DRAWDOWN)
        if not limits.max_drawdown or (last is not None and last.active(now)):
            return
        since = lifted_since(last, now - limits.drawdown_lookback)
        history = await uow.ledgers.equity_history(order.account_id, since)
    # A perpetual's order is a futures account's, as its booking takes it to be (booking.books_of).
    futures = is_perpetual(order.symbol)
    equity = await record_equity(core, order.user_id, order.account_id, futures=futures)
    peak = max([equity, *(value for _, value in history)])
    fall = drawdown(peak, equity)
    if fall <= limits.max_drawdown:
        return
    reason = drawdown_reason(fall, peak, core.config.paper_quote, limits)
    async with core.uow() as uow:
        await start_pause(uow, FollowPause(0, order.user_id, PauseKind.DRAWDOWN, reason, now))
        await uow.commit()


async def after_signal_closed(
    core: Core, uow: UnitOfWork, signal: SignalRecord, outcome: SignalOutcome | None
) -> None:
    """In the transaction that records a signal's outcome: a loss that makes its source's losing streak pauses
    the source (one followed automatically), until the trader resumes it."""
    if outcome is not SignalOutcome.LOSS:
        return
    limits = await limits_of(core, uow, signal.user_id)
    source = await uow.signals.source_by_id(signal.source_id)
    last = await uow.protections.last_pause(signal.user_id, PauseKind.LOSING_STREAK, signal.source_id)
    now = core.clock.now()
    if not limits.losing_streak or source is None or not source.auto_follow:
        return
    if last is not None and last.active(now):
        return
    since = None if last is None else last.ended_at or last.started_at
    outcomes = await uow.protections.source_outcomes(source.id, since, limits.losing_streak)
    if len(outcomes) < limits.losing_streak or any(o != SignalOutcome.LOSS for o in outcomes):
        return
    reason = losing_streak_reason(source.title, len(outcomes))
    pause = FollowPause(0, signal.user_id, PauseKind.LOSING_STREAK, reason, now, source_id=source.id)
    await start_pause(uow, pause, source.title)
