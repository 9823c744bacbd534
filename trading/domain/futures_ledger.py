"""The book of one futures account: linear perpetuals in one-way mode, margined in their settle currency.

Pure arithmetic on Decimal; every operation returns a new book. Per settle currency the wallet holds
    wallet == deposits + realised P&L - fees - funding
so that equity, the wallet plus the unrealised P&L at the marks, equals
    deposits + realised P&L + unrealised P&L - fees - funding.
Margin is no payment: it is the part of the wallet a position holds, isolated margin in the position itself.

Rules (Binance USDⓈ-M's, where the book follows a venue):
- One position per symbol: a fill on the other side reduces it, closes it, or past its size closes it and opens
  the rest the other way (a flip). Adding at another leverage or margin mode is refused: the book keeps the
  terms a position was opened on.
- What opens needs its initial margin (notional / leverage) and the fee out of the available balance, the wallet
  less the margin in use; a fill knows no marks, so unrealised P&L is not counted. The symbol's bracket caps the
  leverage and the notional.
- Reduce-only: refused when it would open, add or go past the position. Venues shrink a reduce-only order to the
  position before it fills, so a reduce-only fill larger than the position is an inconsistency; the book refuses
  it rather than guess which part to drop. It never opens nor flips.
- Isolated margin is set aside at opening, released in proportion as the position shrinks, and pays or receives
  the position's funding (down to zero; past that the wallet pays). Liquidated, the position takes its whole margin
  and no more: the loss at the mark, and what is left of the margin as the venue's clearance, booked as a fee.
- A cross liquidation closes the position at the mark and realises its loss up to what the cross wallet holds;
  a deficit beyond it is the venue's insurance fund's.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.futures import FundingPayment, FuturesPosition, MarginMode, PositionSide
from trading.domain.futures_math import (
    ISOLATED,
    CrossRest,
    brackets_for,
    direction,
    funding_payment,
    initial_margin,
    liquidates,
    liquidation_price,
    settle_currency,
)
from trading.domain.ledger import SCALE, ZERO, add_to
from trading.domain.money import canonical, price_text
from trading.domain.perpetual_positions import PerpetualPosition, check_leverage, check_reduces

Marks = Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class FuturesFill:
    book: "FuturesBook"
    realised_pnl: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class FundingEffect:
    book: "FuturesBook"
    payment: FundingPayment


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A liquidation's effect: `loss` left the wallet, made of the P&L realised at the mark and the clearance."""

    book: "FuturesBook"
    realised_pnl: Decimal
    clearance_fee: Decimal

    @property
    def loss(self) -> Decimal:
        return self.clearance_fee - self.realised_pnl


@dataclass(frozen=True, slots=True)
class FuturesBook:
    wallets: Mapping[str, Decimal] = field(default_factory=dict)
    positions: Mapping[str, PerpetualPosition] = field(default_factory=dict)
    deposits: Mapping[str, Decimal] = field(default_factory=dict)
    realised_pnl: Mapping[str, Decimal] = field(default_factory=dict)
    fees_paid: Mapping[str, Decimal] = field(default_factory=dict)
    funding_paid: Mapping[str, Decimal] = field(default_factory=dict)

    def wallet(self, currency: str) -> Decimal:
        return self.wallets.get(currency, ZERO)

    def held_in(self, currency: str) -> list[PerpetualPosition]:
        return [p for p in self.positions.values() if settle_currency(p.symbol) == currency]

    def margin_in_use(self, currency: str) -> Decimal:
        return sum((p.margin for p in self.held_in(currency)), ZERO)

    def available(self, currency: str) -> Decimal:
        return self.wallet(currency) - self.margin_in_use(currency)

    def equity(self, currency: str, marks: Marks) -> Decimal:
        """The wallet plus every position's unrealised P&L at its mark."""
        return self.wallet(currency) + sum(
            (p.unrealised_pnl(_mark_of(marks, p.symbol)) for p in self.held_in(currency)), ZERO
        )

    def deposit(self, currency: str, amount: Decimal) -> "FuturesBook":
        if amount <= 0:
            raise InvalidInput("A deposit must be a positive amount.")
        return replace(
            self,
            wallets=add_to(self.wallets, currency, amount),
            deposits=add_to(self.deposits, currency, amount),
        )

    def withdraw(self, currency: str, amount: Decimal) -> "FuturesBook":
        """A transfer out of what margin does not hold, taken off the deposits."""
        if amount <= 0:
            raise InvalidInput("A withdrawal must be a positive amount.")
        available = self.available(currency)
        if amount > available:
            raise InsufficientFunds(
                f"Cannot withdraw {canonical(amount)} {currency}: {canonical(available)} is available."
            )
        return replace(
            self,
            wallets=add_to(self.wallets, currency, -amount),
            deposits=add_to(self.deposits, currency, -amount),
        )

    def apply_fill(
        self,
        symbol: str,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        *,
        leverage: Decimal,
        margin_mode: MarginMode,
        reduce_only: bool = False,
    ) -> FuturesFill:
        """Book one trade: it opens, adds, reduces, closes or flips the symbol's position (see the rules above).
        Raises InsufficientFunds where the margin to open is not available, InvalidInput for the refusals."""
        if quantity <= 0 or price <= 0 or fee < 0:
            raise InvalidInput("A fill needs a positive quantity and price and a fee of zero or more.")
        currency = settle_currency(symbol)
        position = self.positions.get(symbol)
        if reduce_only:
            check_reduces(symbol, side, quantity, position)
        book, realised, opening = self, ZERO, quantity
        if position is not None and position.side.closing_side is side:
            closing = min(quantity, position.size)
            book, realised = book._reduced(position, closing, price)
            opening = quantity - closing
        if opening:
            book = book._opened(
                symbol, PositionSide.opened_by(side), opening, price, fee, leverage, margin_mode
            )
        book = replace(
            book,
            wallets=add_to(book.wallets, currency, -fee),
            fees_paid=add_to(book.fees_paid, currency, fee),
        )
        return FuturesFill(book, realised, currency)

    def _reduced(
        self, position: PerpetualPosition, quantity: Decimal, price: Decimal
    ) -> tuple["FuturesBook", Decimal]:
        """The position less `quantity`, closed at `price`: its cost and margin leave in proportion."""
        left = position.size - quantity
        cost, margin = position.cost, position.isolated_margin
        if left:
            cost = (cost * quantity / position.size).quantize(SCALE)
            margin = (margin * quantity / position.size).quantize(SCALE)
        realised = direction(position.side) * (quantity * price - cost)
        positions = dict(self.positions)
        if left:
            positions[position.symbol] = replace(
                position,
                size=left,
                cost=position.cost - cost,
                isolated_margin=position.isolated_margin - margin,
            )
        else:
            del positions[position.symbol]
        currency = settle_currency(position.symbol)
        book = replace(
            self,
            positions=positions,
            wallets=add_to(self.wallets, currency, realised),
            realised_pnl=add_to(self.realised_pnl, currency, realised),
        )
        return book, realised

    def _opened(
        self,
        symbol: str,
        side: PositionSide,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        leverage: Decimal,
        margin_mode: MarginMode,
    ) -> "FuturesBook":
        """The position opened or added to, once its margin and the fee are found available."""
        position = self.positions.get(symbol) or PerpetualPosition(
            symbol, side, ZERO, ZERO, leverage, margin_mode
        )
        if (position.leverage, position.margin_mode) != (leverage, margin_mode):
            raise InvalidInput(
                f"{symbol} is open at {position.leverage}x {position.margin_mode}: an add must keep its leverage "
                f"and margin mode."
            )
        notional = quantity * price
        check_leverage(symbol, position.cost + notional, leverage)
        margin = initial_margin(notional, leverage).quantize(SCALE)
        currency = settle_currency(symbol)
        if margin + fee > self.available(currency):
            raise InsufficientFunds(
                f"Opening {quantity} {symbol} at {price} with {leverage}x needs {margin:.2f} {currency} of margin "
                f"and a fee of {fee} {currency}; {self.available(currency):.2f} {currency} is available."
            )
        isolated = margin if margin_mode is MarginMode.ISOLATED else ZERO
        positions = dict(self.positions)
        positions[symbol] = replace(
            position,
            size=position.size + quantity,
            cost=position.cost + notional,
            isolated_margin=position.isolated_margin + isolated,
        )
        return replace(self, positions=positions)

    def apply_funding(self, symbol: str, rate: Decimal, mark: Decimal, timestamp: datetime) -> FundingEffect:
        """Settle one funding interval on the symbol's position at the mark."""
        position = self._position(symbol)
        if mark <= 0:
            raise InvalidInput("Funding needs a positive mark price.")
        amount = funding_payment(position.side, position.size, mark, rate).quantize(SCALE)
        return self.settle_funding(FundingPayment(symbol, rate, amount, timestamp))

    def settle_funding(self, payment: FundingPayment) -> FundingEffect:
        """Book a funding payment as the venue settled it (what apply_funding computes): the wallet pays it,
        an isolated position's margin first."""
        symbol, amount = payment.symbol, payment.amount
        position = self._position(symbol)
        currency = settle_currency(symbol)
        positions = dict(self.positions)
        if position.margin_mode is MarginMode.ISOLATED:
            positions[symbol] = replace(
                position, isolated_margin=max(position.isolated_margin - amount, ZERO)
            )
        book = replace(
            self,
            positions=positions,
            wallets=add_to(self.wallets, currency, -amount),
            funding_paid=add_to(self.funding_paid, currency, amount),
        )
        return FundingEffect(book, payment)

    def _position(self, symbol: str) -> PerpetualPosition:
        position = self.positions.get(symbol)
        if position is None:
            raise InvalidInput(f"There is no open {symbol} position.")
        return position

    def _backing(self, position: PerpetualPosition, other_marks: Marks) -> tuple[Decimal, CrossRest]:
        """The wallet balance behind a position and the rest of its cross wallet (Binance's WB, TMM1, UPNL1)."""
        if position.margin_mode is MarginMode.ISOLATED:
            return position.isolated_margin, ISOLATED
        currency = settle_currency(position.symbol)
        held = self.held_in(currency)
        isolated = sum((p.isolated_margin for p in held), ZERO)
        others = [p for p in held if p.margin_mode is MarginMode.CROSS and p.symbol != position.symbol]
        marks = {p.symbol: _mark_of(other_marks, p.symbol) for p in others}
        rest = CrossRest(
            sum((p.maintenance_margin(marks[p.symbol]) for p in others), ZERO),
            sum((p.unrealised_pnl(marks[p.symbol]) for p in others), ZERO),
        )
        return self.wallet(currency) - isolated, rest

    def liquidation_price(self, symbol: str, other_marks: Marks | None = None) -> Decimal | None:
        """Binance's liquidation price of the symbol's position; a cross one needs the marks of the other cross
        positions in its settle currency."""
        position = self._position(symbol)
        balance, rest = self._backing(position, other_marks or {})
        table = brackets_for(symbol)
        return liquidation_price(position.side, position.size, position.entry_price, balance, table, rest)

    def liquidates(self, symbol: str, mark: Decimal, other_marks: Marks | None = None) -> bool:
        position = self._position(symbol)
        balance, rest = self._backing(position, other_marks or {})
        table = brackets_for(symbol)
        return liquidates(position.side, position.size, position.entry_price, balance, mark, table, rest)

    def liquidate(self, symbol: str, mark: Decimal, other_marks: Marks | None = None) -> Liquidation:
        """Close the position as the venue's liquidation does; refused where the mark does not liquidate it."""
        position = self._position(symbol)
        if not self.liquidates(symbol, mark, other_marks):
            price = self.liquidation_price(symbol, other_marks)
            raise InvalidInput(
                f"A mark of {price_text(mark)} does not liquidate the {symbol} {position.side}: its liquidation "
                f"price is {'none' if price is None else price_text(price)}."
            )
        return self.liquidated_at(symbol, mark, other_marks)

    def liquidated_at(self, symbol: str, price: Decimal, other_marks: Marks | None = None) -> Liquidation:
        """Book a liquidation a venue reports at `price` (where its own engine, not the book's, decided it): the
        P&L there realised, an isolated position's whole margin taken and no more, a cross one's loss no more
        than its cross wallet."""
        position = self._position(symbol)
        at_price = position.unrealised_pnl(price)
        if position.margin_mode is MarginMode.ISOLATED:
            realised = max(at_price, -position.isolated_margin)
            clearance = position.isolated_margin + realised
        else:
            cross_wallet, _ = self._backing(position, other_marks or {})
            realised, clearance = max(at_price, -max(cross_wallet, ZERO)), ZERO
        return self.liquidated(symbol, realised, clearance)

    def liquidated(self, symbol: str, realised_pnl: Decimal, clearance_fee: Decimal) -> Liquidation:
        """Book a liquidation as the venue made it (what liquidate computes): the position gone, its P&L at the
        mark realised and the clearance paid as a fee."""
        self._position(symbol)
        currency = settle_currency(symbol)
        positions = dict(self.positions)
        del positions[symbol]
        book = replace(
            self,
            positions=positions,
            wallets=add_to(self.wallets, currency, realised_pnl - clearance_fee),
            realised_pnl=add_to(self.realised_pnl, currency, realised_pnl),
            fees_paid=add_to(self.fees_paid, currency, clearance_fee),
        )
        return Liquidation(book, realised_pnl, clearance_fee)

    def view(self, symbol: str, marks: Marks, timestamp: datetime) -> FuturesPosition:
        """The symbol's position as a venue reports it, at the marks (its own, and the other cross positions')."""
        position = self._position(symbol)
        mark = _mark_of(marks, symbol)
        return FuturesPosition(
            symbol=symbol,
            side=position.side,
            size=position.size,
            entry_price=position.entry_price,
            leverage=position.leverage,
            margin_mode=position.margin_mode,
            margin=position.margin,
            mark_price=mark,
            liquidation_price=self.liquidation_price(symbol, marks),
            unrealised_pnl=position.unrealised_pnl(mark),
            timestamp=timestamp,
        )


def _mark_of(marks: Marks, symbol: str) -> Decimal:
    mark = marks.get(symbol)
    if mark is None or mark <= 0:
        raise InvalidInput(f"A positive mark price of {symbol} is needed.")
    return mark
