"""A draft is claimed and its order written in one step of the unit of work: one statement on PostgreSQL, the
order stored as OrderDraft.order makes it, and nothing for a second claim."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.harness import Harness
from tests.statements import statements_sent
from trading.domain.enums import DraftStatus, OrderRole, OrderType, Side
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_orders import FuturesTerms
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderDraft, Preview
from trading.usecases.drafting import draft_order
from trading.usecases.execution import claim_draft

D = Decimal
CLOSE_SHORT = FuturesTerms(PositionSide.SHORT, D(3), MarginMode.ISOLATED, D(0), reduce_only=True)


async def drafted(
    harness: Harness, futures: FuturesTerms | None = None, replaces_order_id: int | None = None
) -> OrderDraft:
    user, account = await harness.user()
    now = harness.core.clock.now()
    preview = Preview(D(3000), D("0.5"), D(1500), D("1.5"), D(1500), futures=futures)
    draft = OrderDraft(
        id=f"d{user}",
        user_id=user,
        account_id=account.id,
        symbol="ETH/USDT",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        quantity=D("0.5"),
        price=D(3000),
        preview=preview,
        created_at=now,
        expires_at=now + timedelta(minutes=5),
        replaces_order_id=replaces_order_id,
    )
    async with harness.core.uow() as uow:
        await uow.drafts.add(draft)
        await uow.commit()
    return draft


@pytest.mark.parametrize("futures", [None, CLOSE_SHORT], ids=["entry", "futures close"])
async def test_the_one_claim_writes_the_order_the_draft_makes(
    harness: Harness, futures: FuturesTerms | None
) -> None:
    draft = await drafted(harness, futures)
    now = harness.core.clock.now()
    async with harness.core.uow() as uow:
        claimed = await uow.orders.add_claimed(draft.id, draft.user_id, now, "tsbclaimed")
        again = await uow.orders.add_claimed(draft.id, draft.user_id, now, "tsbagain")
        await uow.commit()
    assert claimed is not None and again is None
    won, order = claimed
    assert won == replace(draft, status=DraftStatus.SUBMITTED)
    assert order is not None and order == replace(draft.order("tsbclaimed", now), id=order.id)
    assert order.role is (OrderRole.ENTRY if futures is None else OrderRole.CLOSE)
    async with harness.core.uow(read_only=True) as uow:
        assert await uow.orders.get(order.id) == order
    assert await harness.count("orders") == 1


async def test_a_draft_that_moves_a_stop_is_claimed_with_no_order(harness: Harness) -> None:
    draft = await drafted(harness, replaces_order_id=7)
    async with harness.core.uow() as uow:
        claimed = await uow.orders.add_claimed(draft.id, draft.user_id, harness.core.clock.now(), "tsbmove")
        await uow.commit()
    assert claimed == (replace(draft, status=DraftStatus.SUBMITTED), None)
    assert await harness.count("orders") == 0


async def test_another_users_or_an_expired_draft_is_not_claimed(harness: Harness) -> None:
    draft = await drafted(harness)
    async with harness.core.uow() as uow:
        assert await uow.orders.add_claimed(draft.id, draft.user_id + 1, draft.created_at, "tsbother") is None
        assert await uow.orders.add_claimed(draft.id, draft.user_id, draft.expires_at, "tsblate") is None
    assert await harness.count("orders") == 0


async def test_a_confirmation_claims_and_writes_its_order_in_one_statement_on_postgresql(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    draft = await draft_order(harness.core, user, OrderIntent("ETH", Side.BUY, D("0.5")))
    async with harness.core.uow() as uow:
        with statements_sent(harness) as sent:
            claimed = await claim_draft(uow, user, draft.id, harness.core.clock.now())
        await uow.commit()
    assert claimed.order is not None and claimed.order.draft_id == draft.id
    # SQLite has no data-modifying CTE: there the claim and the insert are two statements.
    assert len(sent) == (1 if harness.engine.dialect.name == "postgresql" else 2), sent
