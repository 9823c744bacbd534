"""The order path on real storage: draft, preview, confirm, fill, cancel, and every refusal writing nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.harness import Harness
from tests.metrics import sample
from trading.domain.enums import AmountUnit, OrderStatus, OrderType, Side
from trading.domain.errors import (
    BelowMinimum,
    DraftAlreadyUsed,
    DraftExpired,
    InsufficientFunds,
    InvalidInput,
    NotFound,
    OrderNotFound,
    RiskRejected,
    UnknownSymbol,
)
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderRequest
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft, cancel_order, confirm_draft
from trading.usecases.portfolio import portfolio
from trading.usecases.tracking import sync_open_orders


def buy(symbol: str, amount: str, unit: AmountUnit = AmountUnit.BASE, **more: object) -> OrderIntent:
    return OrderIntent(symbol=symbol, side=Side.BUY, amount=Decimal(amount), amount_unit=unit, **more)  # type: ignore[arg-type]


def _order_counts() -> list[float]:
    return [
        sample(name, venue="paper")
        for name in (
            "tsbot_orders_placed_total",
            "tsbot_orders_filled_total",
            "tsbot_order_ack_seconds_count",
            "tsbot_order_fill_seconds_count",
            "tsbot_fill_slippage_bps_count",
        )
    ]


async def test_market_buy_from_draft_to_filled_position(harness: Harness) -> None:
    user, account = await harness.user()
    ticker = await harness.market.ticker("ETH/USDT")

    draft = await draft_order(
        harness.core, user, buy("eth", "500", AmountUnit.QUOTE, stop_loss=Decimal(3000))
    )
    assert draft.symbol == "ETH/USDT"
    assert draft.preview.price == ticker.ask
    assert draft.preview.quantity * ticker.ask * Decimal("1.001") <= Decimal(500)
    assert draft.preview.fee == draft.preview.cost * Decimal("0.001")
    assert draft.preview.stop_distance == ticker.ask - 3000
    assert len(draft.id) == 8

    counted = _order_counts()
    order = await confirm_draft(harness.core, user, draft.id)
    assert order.status is OrderStatus.FILLED
    assert order.filled == draft.quantity
    assert order.exchange_order_id is not None
    # placed, filled, the acknowledgement's and the fill's times, the slippage against the preview: one each
    assert [after - before for after, before in zip(_order_counts(), counted, strict=True)] == [1] * 5

    view = await portfolio(harness.core, user)
    [position] = view.positions
    assert position.symbol == "ETH/USDT" and position.quantity == draft.quantity
    assert view.cash == Decimal(10_000) - order.filled * (order.average_price or 0) - order.fee
    assert view.fees_paid == order.fee
    exchange_balances = await (await harness.exchanges.gateway(account)).balances()
    assert exchange_balances["ETH"].total == draft.quantity
    assert exchange_balances["USDT"].total == view.cash


async def test_a_stop_and_targets_given_as_distances_are_priced_from_the_order_price(
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    tick = (await harness.market.market("ETH/USDT")).price_tick

    market_buy = buy("eth", "0.1", stop_loss_percent=Decimal(5), take_profit_percents=(Decimal(10),))
    draft = await draft_order(harness.core, user, market_buy)
    assert draft.stop_loss is not None and abs(draft.stop_loss - ask * Decimal("0.95")) <= tick / 2
    [target] = draft.take_profits
    assert abs(target - ask * Decimal("1.1")) <= tick / 2
    assert draft.preview.stop_distance == ask - draft.stop_loss
    assert draft.preview.stop_distance_pct is not None and abs(draft.preview.stop_distance_pct - 5) < Decimal(
        "0.01"
    )

    # A limit order's distances are from its own price; a stop given as a price is kept as given.
    limit = buy("eth", "0.1", order_type=OrderType.LIMIT, price=Decimal(3000), stop_loss_percent=Decimal(2))
    assert (await draft_order(harness.core, user, limit)).stop_loss == Decimal(2940)
    both = buy("eth", "0.1", stop_loss=Decimal(2000), stop_loss_percent=Decimal(2))
    assert (await draft_order(harness.core, user, both)).stop_loss == Decimal(2000)

    order = await confirm_draft(harness.core, user, draft.id)
    async with harness.core.uow() as uow:
        legs = await uow.orders.children(order.id)
    assert sorted((leg.role.value, leg.price) for leg in legs) == [
        ("stop_loss", draft.stop_loss),
        ("take_profit", draft.take_profits[0]),
    ]


async def test_limit_order_rests_then_fills_when_the_market_comes_through(harness: Harness) -> None:
    user, _ = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    limit = (ask * Decimal("0.95")).quantize(Decimal("0.01"))
    draft = await draft_order(harness.core, user, buy("SOL", "3", order_type=OrderType.LIMIT, price=limit))
    order = await confirm_draft(harness.core, user, draft.id)
    assert order.status is OrderStatus.OPEN and order.filled == 0

    harness.market.set_price("SOL/USDT", limit * Decimal("0.99"))
    harness.clock.advance(1)
    assert await sync_open_orders(harness.core) == 1

    async with harness.core.uow() as uow:
        filled = await uow.orders.get(order.id)
    assert filled is not None and filled.status is OrderStatus.FILLED
    assert filled.average_price == limit  # a resting limit fills at its own price
    assert (await portfolio(harness.core, user)).positions[0].quantity == Decimal(3)


async def test_the_venues_balances_let_the_market_through_resting_orders_first(harness: Harness) -> None:
    """Asking the paper venue for balances only reads, unless the market has reached a resting order: then that
    order fills first, so the balances answered include it."""
    user, account = await harness.user()
    ask = (await harness.market.ticker("SOL/USDT")).ask
    limit = (ask * Decimal("0.95")).quantize(Decimal("0.01"))
    draft = await draft_order(harness.core, user, buy("SOL", "3", order_type=OrderType.LIMIT, price=limit))
    await confirm_draft(harness.core, user, draft.id)
    venue = await harness.exchanges.gateway(account)
    resting = await venue.balances()
    assert "SOL" not in resting and resting["USDT"].free < resting["USDT"].total  # reserved for the bid

    harness.market.set_price("SOL/USDT", limit * Decimal("0.99"))
    harness.clock.advance(1)
    filled = await venue.balances()
    assert filled["SOL"].total == Decimal(3)
    assert filled["USDT"].free == filled["USDT"].total  # nothing reserved any more
    assert filled["USDT"].total == resting["USDT"].total - 3 * limit - draft.preview.fee


async def test_large_order_fills_partially_against_depth_then_over_time(harness: Harness) -> None:
    user, _ = await harness.user()
    from trading.usecases.accounts import deposit

    await deposit(harness.core, user, None, "USDT", Decimal(2_000_000))
    book = await harness.market.order_book("DOGE/USDT", 20)
    limit = book.asks[2].price  # only the first three levels are at or better than this
    depth = sum(level.amount for level in book.asks[:3])
    draft = await draft_order(
        harness.core, user, buy("DOGE", str(depth * 3), order_type=OrderType.LIMIT, price=limit)
    )
    order = await confirm_draft(harness.core, user, draft.id)
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.filled == depth

    harness.clock.advance(1)  # the book replenishes; the price has not run away in one second
    harness.market.set_price("DOGE/USDT", book.asks[0].price)
    await sync_open_orders(harness.core)
    async with harness.core.uow() as uow:
        later = await uow.orders.get(order.id)
        fills = await uow.fills.for_order(order.id)
    assert later is not None and later.filled > depth
    assert sum(f.quantity for f in fills) == later.filled


async def test_cancel_releases_the_reservation(harness: Harness) -> None:
    user, account = await harness.user()
    ask = (await harness.market.ticker("BTC/USDT")).ask
    draft = await draft_order(
        harness.core,
        user,
        buy("BTC", "0.1", order_type=OrderType.LIMIT, price=(ask * Decimal("0.8")).quantize(Decimal(1))),
    )
    order = await confirm_draft(harness.core, user, draft.id)
    gateway = await harness.exchanges.gateway(account)
    assert (await gateway.balances())["USDT"].free < Decimal(10_000)

    cancelled = await cancel_order(harness.core, user, order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert (await gateway.balances())["USDT"].free == Decimal(10_000)
    with pytest.raises(InvalidInput, match="cancelled"):
        await cancel_order(harness.core, user, order.id)


async def test_sell_realises_pnl_by_day(harness: Harness) -> None:
    user, _ = await harness.user()
    bought = await confirm_draft(
        harness.core, user, (await draft_order(harness.core, user, buy("LINK", "100"))).id
    )
    harness.market.set_price("LINK/USDT", Decimal(20))
    harness.clock.advance(1)
    sell = OrderIntent("LINK", Side.SELL, Decimal(100), AmountUnit.PERCENT)
    sold = await harness.placed(user, sell)
    assert sold.filled == bought.filled

    view = await portfolio(harness.core, user)
    expected = sold.filled * (sold.average_price or 0) - bought.filled * (bought.average_price or 0)
    assert view.realised_pnl == expected
    assert view.positions == ()
    assert view.cash + view.fees_paid == view.deposits + view.realised_pnl


@pytest.mark.parametrize(
    ("intent", "error", "words"),
    [
        (buy("NOPE", "1"), UnknownSymbol, "NOPE/USDT is not traded"),
        (buy("BTC", "0"), InvalidInput, "more than zero"),
        (buy("BTC", "-1"), InvalidInput, "more than zero"),
        (buy("BTC", "0.00001"), BelowMinimum, "minimum of 5 USDT"),
        (buy("BTC", "1"), InsufficientFunds, "10,000.00 is available"),
        (buy("ETH", "1", order_type=OrderType.LIMIT), InvalidInput, "needs a price"),
        (buy("ETH", "1", stop_loss=Decimal(99_999)), InvalidInput, "stop loss for a buy must be below"),
        (buy("ETH", "1", take_profits=(Decimal(1),)), InvalidInput, "must be above the price"),
        (buy("ETH", "150", AmountUnit.PERCENT), InvalidInput, "more than 100%"),
        (buy("ETH", "0.1", stop_loss_percent=Decimal(100)), InvalidInput, "below 100%"),
        (
            buy("ETH", "0.1", leverage=Decimal(10)),
            RiskRejected,
            r"A leveraged trade \(10x\) needs a stop loss",
        ),
        (
            buy("ETH", "0.1", order_type=OrderType.STOP, price=Decimal(100)),
            InvalidInput,
            r"A stop to buy at 100\.00 is not above the price now \(\d{1,3},\d{3}\.\d{2}\): it would buy at once",
        ),
        (
            OrderIntent("ETH", Side.SELL, Decimal("0.1"), stop_loss=Decimal(9_000)),
            InvalidInput,
            "A stop loss or take-profit goes with a buy",
        ),
        (
            OrderIntent("ETH", Side.SELL, Decimal("0.1"), take_profit_percents=(Decimal(5),)),
            InvalidInput,
            "goes with a buy",
        ),
        (buy("ETH", "0.1", stop_loss_percent=Decimal(0)), InvalidInput, "above 0%"),
        (buy("ETH", "0.1", take_profit_percents=(Decimal(-5),)), InvalidInput, "above 0%"),
        (OrderIntent("ETH", Side.SELL, Decimal(1)), InsufficientFunds, "0 ETH free"),
        (
            OrderIntent("ETH", Side.SELL, Decimal(50), AmountUnit.PERCENT),
            InsufficientFunds,
            "You have no ETH free to sell",
        ),
    ],
)
async def test_bad_orders_are_refused_with_a_reason_and_write_nothing(
    harness: Harness, intent: OrderIntent, error: type[Exception], words: str
) -> None:
    user, _ = await harness.user()
    before = await harness.counts()
    with pytest.raises(error, match=words):
        await draft_order(harness.core, user, intent)
    assert await harness.counts() == before


async def test_drafts_expire_belong_to_their_user_and_are_single_use(harness: Harness) -> None:
    alice, _ = await harness.user("alice", 1)
    bob, _ = await harness.user("bob", 2)
    draft = await draft_order(harness.core, alice, buy("ETH", "0.01"))
    before = await harness.counts()

    with pytest.raises(NotFound):
        await confirm_draft(harness.core, bob, draft.id)
    with pytest.raises(NotFound):
        await confirm_draft(harness.core, alice, "unknown1")
    harness.clock.advance(timedelta(minutes=3).total_seconds())
    with pytest.raises(DraftExpired, match="expired"):
        await confirm_draft(harness.core, alice, draft.id)
    assert await harness.counts() == before

    fresh = await draft_order(harness.core, alice, buy("ETH", "0.01"))
    await cancel_draft(harness.core, alice, fresh.id)
    with pytest.raises(DraftAlreadyUsed, match="cancelled"):
        await confirm_draft(harness.core, alice, fresh.id)
    assert await harness.count("orders") == 0


async def test_a_draft_on_a_named_account_is_only_the_owners(harness: Harness) -> None:
    alice, alices = await harness.user("alice", 1)
    bob, _ = await harness.user("bob", 2)
    before = await harness.counts()
    with pytest.raises(NotFound, match="account was not found"):
        await draft_order(harness.core, bob, buy("ETH", "0.01"), alices.id)
    assert await harness.counts() == before

    draft = await draft_order(harness.core, alice, buy("ETH", "0.01"), alices.id)
    assert draft.account_id == alices.id


async def test_a_restart_keeps_open_orders_and_balances(harness: Harness, harness_factory) -> None:  # type: ignore[no-untyped-def]
    user, account = await harness.user()
    ask = (await harness.market.ticker("ETH/USDT")).ask
    limit = (ask * Decimal("0.9")).quantize(Decimal("0.01"))
    draft = await draft_order(harness.core, user, buy("ETH", "1", order_type=OrderType.LIMIT, price=limit))
    order = await confirm_draft(harness.core, user, draft.id)
    before = await (await harness.exchanges.gateway(account)).balances()
    await harness.close()

    restarted = harness_factory()
    gateway = await restarted.exchanges.gateway(account)
    assert await gateway.balances() == before
    resting = await gateway.fetch_order("ETH/USDT", order.client_order_id)
    assert resting is not None and resting.status is OrderStatus.OPEN
    restarted.market.set_price("ETH/USDT", limit - 1)
    restarted.clock.advance(1)
    assert await sync_open_orders(restarted.core) == 1


async def test_equity_is_recorded_for_every_account_and_pnl_by_day_adds_up(harness: Harness) -> None:
    from datetime import timedelta

    from trading.usecases.portfolio import equity_history, pnl_by_day, record_all_equity

    alice, _ = await harness.user("alice", 1)
    bob, _ = await harness.user("bob", 2)
    await harness.placed(alice, buy("ETH", "1"))
    start = harness.clock.now()
    assert await record_all_equity(harness.core) == 4  # each has a spot and a futures account
    harness.market.set_price("ETH/USDT", Decimal(4000))
    harness.clock.advance(timedelta(days=1).total_seconds())
    sell = OrderIntent("ETH", Side.SELL, Decimal(100), AmountUnit.PERCENT)
    sold = await harness.placed(alice, sell)
    assert await record_all_equity(harness.core) == 4

    curve = await equity_history(harness.core, alice, start)
    assert [at for at, _ in curve] == [start, harness.clock.now()]
    assert curve[1][1] > curve[0][1]  # ETH went up while held
    assert [equity for _, equity in await equity_history(harness.core, bob, start)] == [Decimal(10_000)] * 2
    days = await pnl_by_day(harness.core, alice)
    assert list(days) == [harness.clock.now().date()]
    assert days[harness.clock.now().date()] == (await portfolio(harness.core, alice)).realised_pnl
    assert sold.filled == Decimal(1)


async def test_the_paper_venue_places_a_client_order_id_once_and_finds_it_whatever_its_status(
    harness: Harness,
) -> None:
    """A retried request (the core's answer lost in between) gets the first placement's report, and moves no
    more money; a filled order is fetched and cannot be cancelled, a resting one can, an unknown one is not."""
    _, account = await harness.user()
    gateway = await harness.exchanges.gateway(account)
    bought = OrderRequest("c-once", "ETH/USDT", Side.BUY, OrderType.MARKET, Decimal("0.5"), None)
    first = await gateway.create_order(bought)
    after_first = await gateway.balances()
    assert first.status is OrderStatus.FILLED and len(first.trades) >= 1
    assert await gateway.create_order(bought) == first
    assert await gateway.balances() == after_first

    assert await gateway.fetch_order("ETH/USDT", "c-once") == first
    assert await gateway.cancel_order("ETH/USDT", "c-once") == first
    assert await gateway.fetch_order("ETH/USDT", "c-unknown") is None
    with pytest.raises(OrderNotFound):
        await gateway.cancel_order("ETH/USDT", "c-unknown")

    bid = (await gateway.ticker("ETH/USDT")).bid
    resting = OrderRequest(
        "c-rest", "ETH/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.1"), bid * Decimal("0.9")
    )
    placed = await gateway.create_order(resting)
    assert placed.status is OrderStatus.OPEN
    assert (await gateway.balances())["USDT"].free < after_first[
        "USDT"
    ].free  # the resting buy holds its cost
    cancelled = await gateway.cancel_order("ETH/USDT", "c-rest")
    assert (
        cancelled.status is OrderStatus.CANCELLED and cancelled.exchange_order_id == placed.exchange_order_id
    )
    assert await gateway.balances() == after_first
    assert await harness.count("paper_orders") == 2
