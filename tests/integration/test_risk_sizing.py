"""Sizing from risk through the core on the paper venue, spot and futures: the size is the equity's share over the
stop's distance, the preview's loss at the stop comes to that share and no more, and the order placed is that
size; with no stop, or a risk past the most, it is refused and nothing is written."""

from decimal import Decimal

import pytest

from tests.harness import Harness
from trading.domain.enums import AmountUnit, OrderStatus, Side
from trading.domain.errors import InvalidInput
from trading.domain.futures import PositionSide
from trading.domain.intents import OrderIntent
from trading.domain.risk_sizing import NEEDS_A_STOP, loss_at_stop
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft
from trading.usecases.portfolio import portfolio

D = Decimal
RISK = AmountUnit.RISK


async def test_a_spot_buy_sized_from_one_percent_loses_that_at_its_stop(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    equity = (await portfolio(harness.core, user)).cash  # all in cash yet
    intent = OrderIntent("ETH", Side.BUY, D(1), RISK, stop_loss=D(2900))
    draft = await draft_order(harness.core, user, intent)
    preview, budget = draft.preview, equity / 100
    assert preview.risk_percent == D(1) and draft.futures is None and budget == D(100)
    market = await (await harness.exchanges.gateway_of(draft.account_id)).market(draft.symbol)
    fee, step = market.taker_fee, market.amount_step
    assert preview.at_risk == loss_at_stop(draft.quantity, preview.price, D(2900), fee) <= budget
    assert loss_at_stop(draft.quantity + step, preview.price, D(2900), fee) > budget
    order = await confirm_draft(harness.core, user, draft.id)
    assert order.status is OrderStatus.FILLED and order.quantity == draft.quantity
    assert (await portfolio(harness.core, user)).positions[0].quantity == draft.quantity


async def test_a_futures_short_sized_from_risk_is_placed_at_that_size(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    intent = OrderIntent(
        "ETH", Side.SELL, D(2), RISK, stop_loss=D(3100), leverage=D(5), position=PositionSide.SHORT
    )
    draft = await draft_order(harness.core, user, intent)
    terms, preview = draft.futures, draft.preview
    assert terms is not None and preview.risk_percent == D(2)
    assert D(199) < preview.at_risk <= D(200)  # 2% of the futures account's 10,000
    order = await confirm_draft(harness.core, user, draft.id)
    assert order.status is OrderStatus.FILLED
    async with harness.core.uow(read_only=True) as uow:
        book = await uow.futures_books.load(draft.account_id)
    position = book.positions["ETH/USDT:USDT"]
    assert (position.side, position.size) == (PositionSide.SHORT, draft.quantity)


async def test_a_stop_as_a_distance_sizes_too(harness: Harness) -> None:
    user, _ = await harness.user()
    harness.market.set_price("BTC/USDT", D(60000))
    intent = OrderIntent("BTC", Side.BUY, D(1), RISK, leverage=D(10), stop_loss_percent=D(2))
    draft = await draft_order(harness.core, user, intent)
    assert draft.stop_loss is not None and draft.preview.at_risk <= D(100)
    assert draft.quantity * (draft.preview.price - draft.stop_loss) > D(90)


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        (OrderIntent("ETH", Side.BUY, D(1), RISK), NEEDS_A_STOP),
        (OrderIntent("ETH", Side.BUY, D(1), RISK, leverage=D(5)), NEEDS_A_STOP),
        (OrderIntent("ETH", Side.BUY, D(25), RISK, stop_loss=D(2900)), "at most 10%"),
        (OrderIntent("ETH", Side.BUY, D(1), RISK, stop_loss=D(3100)), "must be below the price"),
    ],
)
async def test_what_cannot_be_sized_from_risk_is_refused_and_writes_nothing(
    harness: Harness, intent: OrderIntent, reason: str
) -> None:
    user, _ = await harness.user()
    harness.market.set_price("ETH/USDT", D(3000))
    before = await harness.counts()
    with pytest.raises(InvalidInput, match=reason):
        await draft_order(harness.core, user, intent)
    assert await harness.counts() == before
