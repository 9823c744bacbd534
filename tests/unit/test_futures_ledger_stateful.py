"""Any sequence of deposits, longs and shorts opened, added to, reduced, closed and flipped at any leverage and
margin mode, funding, marks moving and the liquidations they cause keeps the futures book right.

After every step: equity == deposits + realised P&L + unrealised P&L - fees - funding, exactly, per settle
currency, with deposits and fees as the machine gave them and the realised P&L checked against each fill's own
prices; an isolated liquidation took that position's margin and no more; a reduce-only fill never opened nor
flipped a position; no position is left that the marks liquidate.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from functools import partial

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput, TradingError
from trading.domain.futures import MarginMode
from trading.domain.futures_ledger import FuturesBook, FuturesFill, Liquidation
from trading.domain.futures_math import direction, settle_currency
from trading.domain.perpetual_positions import PerpetualPosition

ZERO = Decimal(0)
START_MARKS = {
    "BTC/USDT:USDT": Decimal(60_000),
    "ETH/USDT:USDT": Decimal(3_000),
    "SOL/USDC:USDC": Decimal(150),
}
SYMBOLS = sorted(START_MARKS)
CURRENCIES = ("USDT", "USDC")
NOW = datetime(2025, 1, 1, tzinfo=UTC)
# Rounding of the cost released on a partial close: 1e-18 a fill, far below this.
ROUNDING = Decimal("1e-12")

symbols = st.sampled_from(SYMBOLS)
sides = st.sampled_from(Side)


class Totals:
    """What the machine itself put in and was told came out, per currency."""

    def __init__(self) -> None:
        self.deposits = dict.fromkeys(CURRENCIES, ZERO)
        self.fees = dict.fromkeys(CURRENCIES, ZERO)
        self.realised = dict.fromkeys(CURRENCIES, ZERO)
        self.funding = dict.fromkeys(CURRENCIES, ZERO)


class FuturesBookMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = FuturesBook()
        self.marks = dict(START_MARKS)
        self.totals = Totals()
        for currency in CURRENCIES:
            self.deposit(currency, 10_000)

    @rule(currency=st.sampled_from(CURRENCIES), amount=st.integers(1, 20_000))
    def deposit(self, currency: str, amount: int) -> None:
        self.book = self.book.deposit(currency, Decimal(amount))
        self.totals.deposits[currency] += amount

    @rule(
        symbol=symbols,
        side=sides,
        share=st.integers(1, 110),
        leverage=st.one_of(st.integers(1, 20), st.sampled_from([25, 50, 75, 100, 125])),
        mode=st.sampled_from(MarginMode),
        keep_terms=st.sampled_from([True, True, True, False]),
        slip=st.integers(-20, 20),
        fee_bps=st.integers(0, 10),
    )
    def trade(
        self,
        symbol: str,
        side: Side,
        share: int,
        leverage: int,
        mode: MarginMode,
        keep_terms: bool,
        slip: int,
        fee_bps: int,
    ) -> None:
        """Opens or adds (or reduces) near the mark, taking a share of what the available margin allows at that
        leverage (past 100%: refused), mostly on the position's own terms."""
        price = (self.marks[symbol] * (1 + Decimal(slip) / 10_000)).quantize(Decimal("0.01"))
        position = self.book.positions.get(symbol)
        terms = (Decimal(leverage), mode)
        if position and keep_terms:
            terms = (position.leverage, position.margin_mode)
        room = max(self.book.available(settle_currency(symbol)), Decimal(10)) * terms[0]
        quantity = (room * share / 100 / price).quantize(Decimal("0.001"), ROUND_DOWN)
        if quantity > 0:
            self.fill(symbol, side, quantity, price, fee_bps, terms, reduce_only=False)

    @rule(
        symbol=symbols,
        side=sides,
        percent=st.integers(1, 250),
        reduce_only=st.booleans(),
        fee_bps=st.integers(0, 10),
    )
    def reduce(self, symbol: str, side: Side, percent: int, reduce_only: bool, fee_bps: int) -> None:
        """A share of the position (past it: a close and a flip), on either side, reduce-only or not."""
        position = self.book.positions.get(symbol)
        size = position.size if position else Decimal(1)
        quantity = (size * percent / 100).quantize(Decimal("0.001"), ROUND_DOWN)
        terms = (position.leverage, position.margin_mode) if position else (Decimal(5), MarginMode.CROSS)
        if quantity > 0:
            self.fill(symbol, side, quantity, self.marks[symbol], fee_bps, terms, reduce_only)

    def fill(
        self,
        symbol: str,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        fee_bps: int,
        terms: tuple[Decimal, MarginMode],
        reduce_only: bool,
    ) -> None:
        fee = (quantity * price * fee_bps / 10_000).quantize(Decimal("1e-8"))
        before = self.book.positions.get(symbol)
        effect = self.attempt(
            lambda: self.book.apply_fill(
                symbol,
                side,
                quantity,
                price,
                fee,
                leverage=terms[0],
                margin_mode=terms[1],
                reduce_only=reduce_only,
            )
        )
        if effect is None:  # refused; but never a reduction that only shrinks the position
            assert not (reduce_only and _only_shrinks(before, side, quantity))
            return
        after = effect.book.positions.get(symbol)
        if reduce_only:
            event("reduced only")
            assert before is not None and _only_shrinks(before, side, quantity)
            assert after is None or (after.side is before.side and after.size == before.size - quantity)
        closed = min(quantity, before.size) if before and before.side.closing_side is side else ZERO
        expected = (
            direction(before.side) * closed * (price - before.entry_price) if before and closed else ZERO
        )
        assert abs(effect.realised_pnl - expected) <= ROUNDING, (effect.realised_pnl, expected)
        if after and (before is None or after.side is not before.side or after.size > before.size):
            event("opened" if before is None or after.side is before.side else "flipped")
            assert effect.book.available(effect.currency) >= 0
        self.book = effect.book
        self.totals.fees[effect.currency] += fee
        self.totals.realised[effect.currency] += effect.realised_pnl
        self.liquidate_what_the_marks_reach()

    def attempt(self, book_it: Callable[[], FuturesFill]) -> FuturesFill | None:
        try:
            return book_it()
        except TradingError as error:
            event(f"refused: {error.code}")
            return None

    @rule(symbol=symbols, rate_bps=st.integers(-75, 75))
    def funding(self, symbol: str, rate_bps: int) -> None:
        position = self.book.positions.get(symbol)
        rate, mark = Decimal(rate_bps) / 10_000, self.marks[symbol]
        if position is None:
            with pytest.raises(InvalidInput, match="no open"):
                self.book.apply_funding(symbol, rate, mark, NOW)
            return
        effect = self.book.apply_funding(symbol, rate, mark, NOW)
        expected = direction(position.side) * position.size * mark * rate
        assert effect.payment.amount == expected.quantize(Decimal("1e-18"))
        self.book = effect.book
        self.totals.funding[settle_currency(symbol)] += effect.payment.amount
        self.liquidate_what_the_marks_reach()

    @rule(symbol=symbols, move=st.one_of(st.integers(-5, 5), st.integers(-60, 60)))
    def mark_moves(self, symbol: str, move: int) -> None:
        """Percent: small steps, and jumps that go past the bankruptcy price."""
        mark = (self.marks[symbol] * (100 + move) / 100).quantize(Decimal("0.01"))
        if mark > 0:
            self.marks[symbol] = mark
            self.liquidate_what_the_marks_reach()

    @rule(symbol=symbols, move=st.integers(-60, 60))
    def venue_liquidates(self, symbol: str, move: int) -> None:
        """A venue's own engine liquidates at a price of its own (its brackets, its mark), which the book takes
        as reported: the same limits hold."""
        if symbol not in self.book.positions:
            return
        price = (self.marks[symbol] * (100 + move) / 100).quantize(Decimal("0.01"))
        self.book_liquidation(symbol, partial(self.book.liquidated_at, symbol, price, self.marks))
        self.liquidate_what_the_marks_reach()

    def liquidate_what_the_marks_reach(self) -> None:
        while reached := [
            s for s in sorted(self.book.positions) if self.book.liquidates(s, self.marks[s], self.marks)
        ]:
            symbol = reached[0]
            self.book_liquidation(
                symbol, partial(self.book.liquidate, symbol, self.marks[symbol], self.marks)
            )

    def book_liquidation(self, symbol: str, liquidate: Callable[[], Liquidation]) -> None:
        position, currency = self.book.positions[symbol], settle_currency(symbol)
        wallet = self.book.wallet(currency)
        cross_wallet = wallet - sum((p.isolated_margin for p in self.book.held_in(currency)), ZERO)
        effect = liquidate()
        assert wallet - effect.book.wallet(currency) == effect.loss
        if position.margin_mode is MarginMode.ISOLATED:
            event("liquidated isolated")
            assert effect.loss == position.isolated_margin  # all of its margin, never more
            # A position whose margin funding drained may be liquidated in profit: that profit is realised
            # and goes with the margin to the venue's clearance, so the loss is still the margin.
            assert 0 <= effect.clearance_fee <= position.isolated_margin + max(effect.realised_pnl, ZERO)
        else:
            event("liquidated cross")
            assert effect.loss <= max(cross_wallet, ZERO)
        self.book = effect.book
        self.totals.realised[currency] += effect.realised_pnl
        self.totals.fees[currency] += effect.clearance_fee

    @invariant()
    def equity_is_what_came_in_and_went_out(self) -> None:
        for currency in CURRENCIES:
            unrealised = sum(
                (p.unrealised_pnl(self.marks[p.symbol]) for p in self.book.held_in(currency)), ZERO
            )
            t = self.totals
            expected = (
                t.deposits[currency]
                + t.realised[currency]
                + unrealised
                - t.fees[currency]
                - t.funding[currency]
            )
            assert self.book.equity(currency, self.marks) == expected
            assert self.book.fees_paid.get(currency, ZERO) == t.fees[currency]
            assert self.book.funding_paid.get(currency, ZERO) == t.funding[currency]

    @invariant()
    def positions_are_whole(self) -> None:
        for position in self.book.positions.values():
            assert position.size > 0 and position.cost > 0 and position.isolated_margin >= 0
            assert position.margin_mode is MarginMode.ISOLATED or position.isolated_margin == 0
            assert not self.book.liquidates(position.symbol, self.marks[position.symbol], self.marks)


def _only_shrinks(position: PerpetualPosition | None, side: Side, quantity: Decimal) -> bool:
    return position is not None and position.side.closing_side is side and quantity <= position.size


def test_the_futures_book_stays_right_under_any_sequence() -> None:
    run_state_machine_as_test(
        FuturesBookMachine, settings=settings(max_examples=150, stateful_step_count=40, deadline=None)
    )
