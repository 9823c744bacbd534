"""What the tracker tells is derived from the database: a leg filled or a signal closed is told by the next
report after it happened, whatever crashed in between, once; its notice and its mark commit together."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import pytest

from bot.server import report
from tests.harness import Harness
from trading.domain.channels import EventKind
from trading.domain.enums import OrderRole, Side
from trading.domain.intents import OrderIntent
from trading.domain.signals import SignalSpec
from trading.ports import UnitOfWork
from trading.usecases.reporting import NOTHING
from trading.usecases.signal_plans import draft_signal_plan
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import receive_signal
from trading.usecases.tracking import track_once

D = Decimal


async def _unsent(harness: Harness) -> list[tuple[int, str]]:
    async with harness.core.uow(read_only=True) as uow:
        return [(notice.user_id, notice.text) for notice in await uow.notices.unsent(100)]


async def _unreported(harness: Harness) -> tuple[list[int], list[int]]:
    async with harness.core.uow(read_only=True) as uow:
        legs = [leg.id for leg in await uow.orders.unreported_legs(100)]
        signals = [signal.id for signal in await uow.signals.unreported_closed(100)]
    return legs, signals


async def _target_hit_unreported(harness: Harness) -> int:
    """A bought ETH position whose target the market reached, booked by a pass that died before its report."""
    user, _ = await harness.user()
    intent = OrderIntent("ETH", Side.BUY, D(1), stop_loss=D(3000), take_profits=(D(4000),))
    await harness.placed(user, intent)
    harness.market.set_price("ETH/USDT", D(4010))
    harness.clock.advance(1)
    await track_once(harness.core)
    return user


async def test_a_target_booked_by_a_pass_that_crashed_is_told_once_after_the_restart(
    harness: Harness, harness_factory: Callable[[], Harness]
) -> None:
    user = await _target_hit_unreported(harness)
    assert await harness.count("notices") == 0  # the process died here: nothing was told yet
    legs, _ = await _unreported(harness)
    assert len(legs) == 2  # the target filled, the stop cancelled with it

    restarted = harness_factory()
    [fill] = (await report(restarted.core)).fills
    assert (fill.role, fill.quantity, fill.closed) == (OrderRole.TAKE_PROFIT, D(1), True)
    [(told, text)] = await _unsent(restarted)
    assert told == user and text.startswith("🎯 ETH/USDT target 1 of 1 hit at 4,")
    assert await _unreported(restarted) == ([], [])  # the stop that ended unfilled is marked, told nothing

    assert await report(restarted.core) == NOTHING
    assert await report(harness.core) == NOTHING  # the other process, still running, tells nothing either
    assert await restarted.count("notices") == 1


class _NoticesDown:
    """A unit of work whose notices cannot be written (a full disk, a constraint broken): the rest works."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    @property
    def notices(self) -> "_NoticesDown":
        return self

    async def add(
        self,
        user_id: int,
        text: str,
        now: datetime,
        kind: EventKind = EventKind.ORDERS,
        with_chart: bool = False,
    ) -> None:
        raise OSError("no space left on device")

    async def __aenter__(self) -> "_NoticesDown":
        await self._uow.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._uow.__aexit__(exc_type, exc, tb)


async def test_when_the_notices_cannot_be_written_the_legs_stay_unreported(harness: Harness) -> None:
    await _target_hit_unreported(harness)
    before = await _unreported(harness)

    def failing(*, read_only: bool = False, durable: bool = True) -> Any:
        return _NoticesDown(harness.core.uow(read_only=read_only, durable=durable))

    with pytest.raises(OSError, match="no space left"):
        await report(replace(harness.core, uow=failing))
    assert await _unreported(harness) == before and len(before[0]) == 2  # the marks went back with them
    assert await harness.count("notices") == 0

    [fill] = (await report(harness.core)).fills  # told once the notices can be written
    assert fill.role is OrderRole.TAKE_PROFIT and len(await _unsent(harness)) == 1


async def test_a_closed_signal_is_told_once(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, entries=(ask + 1,), targets=(D(160),), stop_loss=D(140))
    received = await receive_signal(harness.core, user, "-100500", "Crypto Calls", "signal", spec)
    await draft_signal_plan(harness.core, user, spec, D(1500), signal_id=received.signal.id)
    await follow_signal(harness.core, user, received.signal.id)
    harness.market.set_price("SOL/USDT", D(161))
    harness.clock.advance(1)
    await track_once(harness.core)  # the target fills and the signal closes; no report yet
    legs, signals = await _unreported(harness)
    assert len(legs) == 2 and signals == [received.signal.id]

    events = await report(harness.core)
    [closed] = events.closed
    assert (closed.signal.id, closed.source_title, closed.symbol) == (
        received.signal.id,
        "Crypto Calls",
        "SOL/USDT",
    )
    assert closed.pnl == events.fills[0].pnl > 0
    texts = [text for _, text in await _unsent(harness)]
    assert len(texts) == 2 and texts[0].startswith("🎯 SOL/USDT target") and "Crypto Calls" in texts[1]

    harness.clock.advance(1)
    await track_once(harness.core)
    assert await report(harness.core) == NOTHING
    assert await harness.count("notices") == 2
