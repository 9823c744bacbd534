"""Any sequence of deposits, orders, partial fills, market moves and cancels keeps the books right.

After every step: no balance below zero; value conserved to the digit (cash + positions at cost + fees paid ==
deposits + realised P&L); the core's balances equal a small reference model replayed from the recorded fills,
and equal the paper exchange's own books.
"""

import asyncio
from collections.abc import Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from storage.models import FillRow, OrderRow
from tests.databases import sqlite_copy, truncate_postgres
from tests.fakes import ManualClock
from tests.harness import Harness, make_harness
from trading.domain.enums import AmountUnit, OrderStatus, OrderType, Side
from trading.domain.errors import TradingError
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO
from trading.usecases.accounts import deposit
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_order, confirm_draft
from trading.usecases.tracking import sync_open_orders

T = TypeVar("T")
SYMBOLS = ("ETH", "DOGE", "SOL")
QUOTE = "USDT"


class ReferenceBooks:
    """Balances replayed from deposits and the fills, with nothing shared with the code under test."""

    def __init__(self) -> None:
        self.balances: dict[str, Decimal] = {}

    def add(self, asset: str, amount: Decimal) -> None:
        self.balances[asset] = self.balances.get(asset, ZERO) + amount

    def trade(self, symbol: str, side: str, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        base, quote = symbol.split("/")
        sign = 1 if side == "buy" else -1
        self.add(base, sign * quantity)
        self.add(quote, -sign * quantity * price - fee)


def ledger_machine(new_harness: Callable[[], Harness]) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.new_event_loop()
            self.h = new_harness()
            self.user, self.account = self.run(self.h.user())
            # Enough to take more than a level of the book, so that orders fill in parts.
            self.run(deposit(self.h.core, self.user, None, QUOTE, Decimal(1_000_000)))
            self.deposits = {QUOTE: self.h.core.config.paper_start_balance + 1_000_000}

        def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
            return self.loop.run_until_complete(coroutine)

        def teardown(self) -> None:
            self.run(self.h.close())
            self.loop.close()

        def attempt(self, intent: OrderIntent) -> None:
            async def place() -> None:
                draft = await draft_order(self.h.core, self.user, intent)
                order = await confirm_draft(self.h.core, self.user, draft.id)
                event(f"{order.order_type.value} {order.side.value}: {order.status.value}")

            before = self.run(self.books())
            try:
                self.run(place())
            except TradingError as error:
                event(f"{intent.order_type.value} {intent.side.value} refused: {error.code}")
                assert self.run(self.books()) == before  # a refusal leaves the books as they were

        async def books(self) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
            async with self.h.core.uow() as uow:
                ledger = await uow.ledgers.load(self.account.id)
            gateway = await self.h.exchanges.gateway(self.account)
            exchange = {asset: b.total for asset, b in (await gateway.balances()).items()}
            return dict(ledger.balances), exchange

        async def price(self, symbol: str) -> Decimal:
            return (await self.h.market.ticker(f"{symbol}/{QUOTE}")).last

        @rule(amount=st.integers(1, 500_000))
        def deposit(self, amount: int) -> None:
            self.run(deposit(self.h.core, self.user, None, QUOTE, Decimal(amount)))
            self.deposits[QUOTE] += amount

        @rule(symbol=st.sampled_from(SYMBOLS), spend=st.integers(5, 400_000))
        def market_buy(self, symbol: str, spend: int) -> None:
            self.attempt(OrderIntent(symbol, Side.BUY, Decimal(spend), AmountUnit.QUOTE))

        @rule(symbol=st.sampled_from(SYMBOLS), percent=st.integers(1, 100))
        def market_sell(self, symbol: str, percent: int) -> None:
            self.attempt(OrderIntent(symbol, Side.SELL, Decimal(percent), AmountUnit.PERCENT))

        @rule(
            symbol=st.sampled_from(SYMBOLS),
            side=st.sampled_from(Side),
            size=st.integers(1, 100),
            # Basis points: a few either side of the touch make the partial fills; the rest rest or sweep.
            offset=st.one_of(st.integers(-2, 2), st.integers(-300, 300)),
        )
        def limit_order(self, symbol: str, side: Side, size: int, offset: int) -> None:
            """Near the market, either side of it: some rest, some fill at once, large ones partly."""
            price = self.run(self.price(symbol)) * (1 + Decimal(offset) / 10_000)
            unit, amount = (
                (AmountUnit.QUOTE, Decimal(size) * 1_500)
                if side is Side.BUY
                else (AmountUnit.PERCENT, Decimal(size))
            )
            self.attempt(OrderIntent(symbol, side, amount, unit, OrderType.LIMIT, price=price))

        @rule(symbol=st.sampled_from(SYMBOLS), move=st.integers(-300, 300))
        def market_moves(self, symbol: str, move: int) -> None:
            price = self.run(self.price(symbol))
            self.h.market.set_price(f"{symbol}/{QUOTE}", price * (1 + Decimal(move) / 10_000))
            self.h.clock.advance(1)
            self.run(sync_open_orders(self.h.core))

        @rule(pick=st.integers(0, 50))
        def cancel(self, pick: int) -> None:
            async def cancel_one() -> None:
                async with self.h.core.uow() as uow:
                    live = await uow.orders.for_user(
                        self.user, [OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED]
                    )
                if live:
                    await cancel_order(self.h.core, self.user, live[pick % len(live)].id)

            self.run(cancel_one())

        @invariant()
        def books_agree(self) -> None:
            async def check() -> None:
                async with self.h.core.uow() as uow:
                    ledger = await uow.ledgers.load(self.account.id)
                async with self.h.engine.connect() as connection:
                    rows = (
                        await connection.execute(
                            select(
                                OrderRow.symbol, OrderRow.side, FillRow.quantity, FillRow.price, FillRow.fee
                            )
                            .join(OrderRow, OrderRow.id == FillRow.order_id)
                            .order_by(FillRow.id)
                        )
                    ).all()
                reference = ReferenceBooks()
                for asset, amount in self.deposits.items():
                    reference.add(asset, amount)
                for row in rows:
                    reference.trade(row.symbol, row.side, row.quantity, row.price, row.fee)

                assert all(amount >= 0 for amount in ledger.balances.values()), ledger.balances
                held = {asset: amount for asset, amount in ledger.balances.items() if amount}
                assert held == {asset: amount for asset, amount in reference.balances.items() if amount}
                at_cost = sum((p.cost for p in ledger.positions.values()), ZERO)
                assert ledger.balance(QUOTE) + at_cost + ledger.fees_paid.get(QUOTE, ZERO) == ledger.deposits[
                    QUOTE
                ] + ledger.realised_pnl.get(QUOTE, ZERO)
                gateway = await self.h.exchanges.gateway(self.account)
                exchange = await gateway.balances()
                assert all(b.free >= 0 for b in exchange.values()), exchange
                assert {a: b.total for a, b in exchange.items() if b.total} == held

            self.run(check())

    return LedgerMachine


def test_ledger_stays_right_under_any_sequence(
    database_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    counter = iter(range(10_000))

    def new_harness() -> Harness:
        url = database_url
        if url.startswith("sqlite"):
            url = sqlite_copy(sqlite_template, tmp_path, f"machine{next(counter)}")
        else:
            asyncio.run(truncate_postgres(url))
        return make_harness(url, ManualClock())

    run_state_machine_as_test(
        ledger_machine(new_harness),
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
