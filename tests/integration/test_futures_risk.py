"""The futures risk limits through the core on the paper venue: a cap on the margin in use, counting the
positions the order path opened, refuses a preview or a signal plan past it and writes nothing; a signal
source's market choice routes its signals (a short from one set to spot refused, never a sale of coins held)
and its risk sizes their plans."""

from decimal import Decimal

import pytest

from tests.harness import Harness
from trading.domain.enums import OrderStatus, Side
from trading.domain.errors import InvalidInput, NotFound, RiskRejected
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.risk import RiskOverrides
from trading.domain.signal_records import SourceMarket, SourceSettings
from trading.domain.signals import SignalSpec
from trading.usecases.drafting import draft_order
from trading.usecases.portfolio import portfolio
from trading.usecases.risk_settings import LimitName, change_risk_limits
from trading.usecases.signal_plans import draft_signal_plan
from trading.usecases.signal_workflow import Planned, follow_signal, receive_post
from trading.usecases.signals import link_channel, set_source_settings, signal_source

D = Decimal


def short(amount: str) -> OrderIntent:
    return OrderIntent(
        "ETH", Side.SELL, D(amount), position=PositionSide.SHORT, leverage=D(5), stop_loss=D(3200)
    )


async def test_the_margin_cap_counts_open_positions_and_refuses_past_it(harness: Harness) -> None:
    user, _ = await harness.user()
    await change_risk_limits(harness.core, user, RiskOverrides(max_margin_share=D("0.05")))
    harness.market.set_price("ETH/USDT", D(3000))
    first = await harness.placed(user, short("0.5"))  # 300 USDT of margin: within 5% of 10,000
    async with harness.core.uow(read_only=True) as uow:
        in_use = (await uow.futures_books.load(first.account_id)).margin_in_use("USDT")
    assert D(290) < in_use < D(310)
    before = await harness.counts()
    with pytest.raises(RiskRejected) as refused:
        await draft_order(harness.core, user, short("0.5"))
    sentence = str(refused.value)
    assert sentence.startswith("This needs 29") and f"on top of the {in_use:,.2f} USDT in use" in sentence
    assert "past your cap of 5% of your futures equity (49" in sentence and sentence.endswith("USDT).")
    harness.market.set_price("BTC/USDT", D(60000))
    spec = SignalSpec("BTC", Side.SELL, (D(59900),), targets=(D(58000),), stop_loss=D(61000), leverage=D(10))
    with pytest.raises(RiskRejected, match="in use, past your cap of 5%"):
        await draft_signal_plan(harness.core, user, spec, D(300))
    assert await harness.counts() == before

    back: tuple[LimitName, ...] = ("max_margin_share",)
    await change_risk_limits(harness.core, user, RiskOverrides(), restore=back)
    assert (await draft_order(harness.core, user, short("0.5"))).futures is not None


SHORT_SPEC = SignalSpec("ETH", Side.SELL, (D(2990),), targets=(D(2800),), stop_loss=D(3100), leverage=D(5))
LONG_SPEC = SignalSpec("ETH", Side.BUY, (D(3010),), targets=(D(3300),), stop_loss=D(2900))


async def _source(harness: Harness, user: int, settings: SourceSettings) -> int:
    source = await link_channel(harness.core, user, "-100", "Calls")
    await set_source_settings(harness.core, user, source.id, settings)
    return source.id


async def test_a_short_signal_from_a_source_set_to_spot_is_refused_and_sells_no_coin(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    await harness.placed(user, OrderIntent("ETH", Side.BUY, D("0.5")))
    source_id = await _source(harness, user, SourceSettings(SourceMarket.SPOT))
    orders, drafts = await harness.count("orders"), await harness.count("order_drafts")
    with pytest.raises(InvalidInput) as refused:
        await receive_post(harness.core, user, "-100", "Calls", "ETH short", SHORT_SPEC, D(100))
    assert str(refused.value) == (
        f"Calls is set to spot, where a short would sell coins you hold, so its short signal is not followed: "
        f"/source {source_id} market futures (or auto) follows its shorts on futures."
    )
    assert (await harness.count("orders"), await harness.count("order_drafts")) == (orders, drafts)
    assert (await portfolio(harness.core, user)).positions[0].quantity == D("0.5")
    spot_long = await receive_post(harness.core, user, "-100", "Calls", "ETH long", LONG_SPEC, D(100))
    assert isinstance(spot_long, Planned) and spot_long.plan.futures is None


async def test_a_source_set_to_futures_plans_a_plain_long_on_futures_and_it_is_placed(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    await _source(harness, user, SourceSettings(SourceMarket.FUTURES))
    planned = await receive_post(harness.core, user, "-100", "Calls", "ETH long", LONG_SPEC, D(100))
    assert isinstance(planned, Planned) and planned.plan.futures is not None
    assert planned.plan.futures.leverage == 1 and planned.plan.plan.symbol == "ETH/USDT:USDT"
    followed = await follow_signal(harness.core, user, planned.signal.id, planned.plan.group_id)
    assert followed.followed and followed.result.orders[0].status is OrderStatus.FILLED


@pytest.mark.parametrize("market", [SourceMarket.AUTO, SourceMarket.FUTURES])
async def test_a_sources_risk_sizes_its_plans_to_lose_that_share_at_the_stop(
    harness: Harness, market: SourceMarket
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    await _source(harness, user, SourceSettings(market, D(1)))
    planned = await receive_post(harness.core, user, "-100", "Calls", "ETH long", LONG_SPEC, D(100))
    assert isinstance(planned, Planned) and planned.plan.risk_percent == D(1)
    assert D(95) < planned.plan.plan.at_risk <= D(100)  # 1% of 10,000, fees in
    no_stop = SignalSpec("ETH", Side.BUY, (D(3010),), targets=(D(3300),))
    with pytest.raises(InvalidInput, match="A stop is needed to size from risk"):
        await receive_post(harness.core, user, "-100", "Calls", "ETH long, no stop", no_stop, D(100))


async def test_a_risk_out_of_range_or_another_users_source_is_refused(harness: Harness) -> None:
    user, _ = await harness.user()
    other, _ = await harness.user("other")
    source_id = await _source(harness, user, SourceSettings())
    with pytest.raises(InvalidInput, match="at most 10%"):
        await set_source_settings(harness.core, user, source_id, SourceSettings(risk_percent=D(20)))
    with pytest.raises(NotFound):
        await set_source_settings(harness.core, other, source_id, SourceSettings(SourceMarket.SPOT))
    assert (await signal_source(harness.core, user, source_id)).settings == SourceSettings()
