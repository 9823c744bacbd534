"""The futures risk limits through the core on the paper venue: a cap on the margin in use, counting the
positions the order path opened, refuses a preview or a signal plan past it and writes nothing."""

from decimal import Decimal

import pytest

from tests.harness import Harness
from trading.domain.enums import Side
from trading.domain.errors import RiskRejected
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.risk import RiskOverrides
from trading.domain.signals import SignalSpec
from trading.usecases.drafting import draft_order
from trading.usecases.risk_settings import LimitName, change_risk_limits
from trading.usecases.signal_plans import draft_signal_plan

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
