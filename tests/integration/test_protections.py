"""Automatic following paused and resumed by the trader, and by each protection along a scripted sequence of
prices: stop-outs within a period (a cooldown, told when it starts and when it ends), a drawdown of the
equity from its peak (until resumed), a source's losing streak (that source only). Posts of a source covered
by a pause are planned for the trader's tap, never followed on their own and never dropped."""

from decimal import Decimal

import pytest

from bot.jobs import JobServices, job_functions
from tests.harness import Harness, track_and_report
from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InvalidInput
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.protections import PauseKind, ProtectionOverrides
from trading.domain.signals import SignalSpec
from trading.jobs.local import LocalJobQueue
from trading.usecases.follow_pauses import (
    COOLDOWNS_JOB,
    finish_cooldowns,
    following_paused,
    following_state,
    pause_following,
    resume_following,
)
from trading.usecases.portfolio import record_all_equity
from trading.usecases.protection_settings import change_protection_settings, set_protection_settings
from trading.usecases.signal_workflow import AutoFollowed, Planned, PostReceived, receive_post
from trading.usecases.signals import set_auto_follow

D = Decimal
HOUR = 3600.0


async def notices(harness: Harness, user: int) -> list[str]:
    async with harness.core.uow(read_only=True) as uow:
        return [n.text for n in await uow.notices.unsent(500) if n.user_id == user]


async def post(harness: Harness, user: int, text: str, channel: str = "-100500") -> PostReceived:
    """A long on SOL entered at the market, its stop 10% below: a post of `channel`."""
    ask = (await harness.market.ticker("SOL/USDT")).ask
    spec = SignalSpec("SOL", Side.BUY, (ask + 1,), (ask * 2,), stop_loss=(ask * D("0.9")).quantize(D("0.01")))
    return await receive_post(harness.core, user, channel, f"Calls {channel}", text, spec, D(500))


async def auto_followed_source(harness: Harness, user: int, channel: str = "-100500") -> int:
    first = await post(harness, user, f"the first post of {channel}", channel)
    assert isinstance(first, Planned)
    await set_auto_follow(harness.core, user, first.signal.source_id, True)
    return first.signal.source_id


async def stop_out(harness: Harness, symbol: str, price: Decimal) -> None:
    """The market falls through the stops on `symbol`: the tracker sells them, then the price comes back."""
    before = (await harness.market.ticker(symbol)).last
    harness.market.set_price(symbol, price)
    harness.clock.advance(60)
    await track_and_report(harness.core)
    harness.market.set_price(symbol, before)


async def test_the_trader_pauses_and_resumes_automatic_following(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("SOL/USDT", D(150))
    await auto_followed_source(harness, user)
    state = await pause_following(harness.core, user)
    assert state.paused and [p.kind for p in state.pauses] == [PauseKind.MANUAL]
    assert (await pause_following(harness.core, user)).pauses == state.pauses  # paused once

    held = await post(harness, user, "while paused")
    assert isinstance(held, Planned) and held.held_back == "automatic following is paused: you paused it"
    assert await harness.count("orders") == 0
    lifted = await resume_following(harness.core, user)
    assert [p.kind for p in lifted] == [PauseKind.MANUAL]
    assert not (await following_state(harness.core, user)).paused
    assert isinstance(await post(harness, user, "after resuming"), AutoFollowed)
    assert await notices(harness, user) == []  # the trader's own pause is answered, not noticed


async def test_stop_outs_within_the_period_cool_automatic_following_down(harness: Harness) -> None:
    user, _ = await harness.user()
    await change_protection_settings(
        harness.core, user, ProtectionOverrides(stoploss_guard=2, cooldown_hours=6)
    )
    harness.market.set_price("SOL/USDT", D(150))
    harness.market.set_price("ETH/USDT", D(3000))
    source = await auto_followed_source(harness, user)
    await harness.placed(user, OrderIntent("ETH", Side.BUY, D("0.1"), stop_loss=D(2900)))
    await stop_out(harness, "ETH/USDT", D(2890))
    assert await following_paused(harness.core, user, source) is None  # one stop is not yet the guard's count

    harness.clock.advance(2 * HOUR)
    await harness.placed(user, OrderIntent("ETH", Side.BUY, D("0.1"), stop_loss=D(2900)))
    await stop_out(harness, "ETH/USDT", D(2890))
    [pause] = (await following_state(harness.core, user)).pauses
    assert (
        pause.kind is PauseKind.STOPLOSS_GUARD
        and pause.until is not None
        and (pause.until - pause.started_at).total_seconds() == 6 * HOUR
    )
    [started] = [n for n in await notices(harness, user) if n.startswith("⏸")]
    assert "2 stops were hit within 24 hours" in started and "until" in started
    held = await post(harness, user, "during the cooldown")
    assert isinstance(held, Planned) and held.held_back is not None and "stops were hit" in held.held_back

    harness.clock.advance(6 * HOUR)
    queue = LocalJobQueue(harness.clock, {})  # the periodic sweep, as the job queue runs it
    queue.add_functions(job_functions(JobServices(harness.core, queue)))
    await queue.enqueue(COOLDOWNS_JOB, "sweep")
    await queue.run_due()
    status = await queue.status("sweep")
    assert status is not None and status.result == 1
    assert await finish_cooldowns(harness.core) == 0  # told once
    [ended] = [n for n in await notices(harness, user) if n.startswith("▶️")]
    assert ended.startswith("▶️ Automatic following resumes")
    assert isinstance(await post(harness, user, "after the cooldown"), AutoFollowed)


async def test_a_drawdown_past_the_limit_pauses_until_the_trader_resumes(harness: Harness) -> None:
    user, _ = await harness.user()
    await change_protection_settings(harness.core, user, ProtectionOverrides(max_drawdown=D("0.1")))
    harness.market.set_price("SOL/USDT", D(150))
    harness.market.set_price("ETH/USDT", D(3000))
    await auto_followed_source(harness, user)
    await record_all_equity(harness.core)  # the curve's peak: about 10,000 USDT
    await harness.placed(user, OrderIntent("ETH", Side.BUY, D(2)))
    harness.clock.advance(HOUR)
    harness.market.set_price("ETH/USDT", D(2700))  # -600: 6% down, within the limit
    await harness.placed(user, OrderIntent("ETH", Side.SELL, D("0.5")))
    assert (await following_state(harness.core, user)).pauses == ()

    harness.clock.advance(HOUR)
    harness.market.set_price("ETH/USDT", D(2400))  # -1,050 from the peak in all: past 10%
    await harness.placed(user, OrderIntent("ETH", Side.SELL, D("0.5")))
    [pause] = (await following_state(harness.core, user)).pauses
    assert pause.kind is PauseKind.DRAWDOWN and pause.until is None
    assert pause.reason.startswith("your equity fell 10.") and "(the limit is 10%)" in pause.reason
    [told] = await notices(harness, user)
    assert told.startswith("⏸ Automatic following is paused: your equity fell")
    assert "Say 'resume auto follow'" in told
    assert isinstance(await post(harness, user, "while down"), Planned)

    harness.clock.advance(HOUR)
    await resume_following(harness.core, user)
    await harness.placed(user, OrderIntent("ETH", Side.SELL, D("0.5")))  # no further fall since resuming
    assert (await following_state(harness.core, user)).pauses == ()


async def test_a_futures_close_past_the_limit_pauses_on_the_futures_accounts_equity(harness: Harness) -> None:
    user, _ = await harness.user()
    await change_protection_settings(harness.core, user, ProtectionOverrides(max_drawdown=D("0.1")))
    harness.market.set_price("ETH/USDT", D(3000))
    await record_all_equity(harness.core)  # each account's peak: 10,000 USDT
    await harness.placed(
        user,
        OrderIntent("ETH", Side.SELL, D(3), leverage=D(5), stop_loss=D(3500), position=PositionSide.SHORT),
    )
    harness.clock.advance(HOUR)
    harness.market.set_price("ETH/USDT", D(3400))  # -1,200 on the short, and its fees: past 10%
    close = OrderIntent("ETH", Side.BUY, D(100), AmountUnit.PERCENT, position=PositionSide.SHORT)
    await harness.placed(user, close)
    [pause] = (await following_state(harness.core, user)).pauses
    assert pause.kind is PauseKind.DRAWDOWN
    assert pause.reason.startswith("your equity fell 12.") and "(the limit is 10%)" in pause.reason


async def test_a_losing_streak_pauses_that_source_only(harness: Harness) -> None:
    user, _ = await harness.user()
    await change_protection_settings(harness.core, user, ProtectionOverrides(losing_streak=2))
    harness.market.set_price("SOL/USDT", D(150))
    await auto_followed_source(harness, user, "-100500")
    await auto_followed_source(harness, user, "-100600")
    for number in (1, 2):
        followed = await post(harness, user, f"loser {number}")
        assert isinstance(followed, AutoFollowed)
        await stop_out(harness, "SOL/USDT", D(130))
        await track_and_report(harness.core)  # the plan is over: its outcome recorded
        if number == 1:
            assert (await following_state(harness.core, user)).pauses == ()
    [pause] = (await following_state(harness.core, user)).pauses
    assert pause.kind is PauseKind.LOSING_STREAK and pause.source_id is not None
    assert pause.reason == "the last 2 signals of Calls -100500 closed at a loss"
    told = [n for n in await notices(harness, user) if n.startswith("⏸")]
    assert told == [
        "⏸ Automatic following of Calls -100500 is paused: the last 2 signals of Calls -100500 closed at a "
        "loss. Signals of Calls -100500 are shown to you to follow or not, never followed on their own. "
        "Say 'resume auto follow' when you want it back."
    ]
    held = await post(harness, user, "a third", "-100500")
    assert isinstance(held, Planned) and held.held_back is not None and "-100500 is paused" in held.held_back
    assert isinstance(await post(harness, user, "from the other source", "-100600"), AutoFollowed)

    await resume_following(harness.core, user)
    assert isinstance(await post(harness, user, "after resuming", "-100500"), AutoFollowed)


async def test_a_user_may_only_make_the_protections_stricter(harness: Harness) -> None:
    user, _ = await harness.user()
    strict = await set_protection_settings(harness.core, user, ProtectionOverrides(stoploss_guard=2))
    assert strict.limits.stoploss_guard == 2 and strict.operator.stoploss_guard == 0
    with pytest.raises(InvalidInput, match="must be from 24 hours"):
        await change_protection_settings(harness.core, user, ProtectionOverrides(stoploss_guard_hours=2))
    with pytest.raises(InvalidInput, match="below 100%"):
        await change_protection_settings(harness.core, user, ProtectionOverrides(max_drawdown=D("1.5")))
    restored = await change_protection_settings(harness.core, user, ProtectionOverrides(), ["stoploss_guard"])
    assert restored.overrides.empty and restored.limits == restored.operator
