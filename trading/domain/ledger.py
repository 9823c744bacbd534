"""The book of one account: what it holds, at what cost, what it has paid and earned.

Pure arithmetic on Decimal. Every operation returns a new Ledger; nothing is mutated.
Invariant, per quote currency when fees are paid in it:
    cash + positions at cost + fees paid == deposits + realised P&L
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.market import parse_symbol

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Position:
    """A holding of a market's base asset, at average cost in its quote currency."""

    symbol: str
    quantity: Decimal
    average_cost: Decimal
    realised_pnl: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.average_cost


@dataclass(frozen=True, slots=True)
class FillEffect:
    ledger: "Ledger"
    realised_pnl: Decimal
    quote: str


def _add(mapping: Mapping[str, Decimal], key: str, delta: Decimal) -> dict[str, Decimal]:
    updated = dict(mapping)
    updated[key] = updated.get(key, ZERO) + delta
    return updated


@dataclass(frozen=True, slots=True)
class Ledger:
    balances: Mapping[str, Decimal] = field(default_factory=dict)
    positions: Mapping[str, Position] = field(default_factory=dict)
    fees_paid: Mapping[str, Decimal] = field(default_factory=dict)
    deposits: Mapping[str, Decimal] = field(default_factory=dict)
    realised_pnl: Mapping[str, Decimal] = field(default_factory=dict)

    def balance(self, asset: str) -> Decimal:
        return self.balances.get(asset, ZERO)

    def deposit(self, asset: str, amount: Decimal) -> "Ledger":
        if amount <= 0:
            raise InvalidInput("A deposit must be a positive amount.")
        return replace(
            self, balances=_add(self.balances, asset, amount), deposits=_add(self.deposits, asset, amount)
        )

    def apply_fill(
        self, symbol: str, side: Side, quantity: Decimal, price: Decimal, fee: Decimal, fee_currency: str
    ) -> FillEffect:
        """Book one trade. Raises InsufficientFunds where a balance would go below zero."""
        if quantity <= 0 or price <= 0 or fee < 0:
            raise InvalidInput("A fill needs a positive quantity and price and a fee of zero or more.")
        base, quote = parse_symbol(symbol)
        notional = quantity * price
        balances = dict(self.balances)
        position = self.positions.get(symbol, Position(symbol, ZERO, ZERO))
        realised = ZERO
        if side is Side.BUY:
            balances[quote] = balances.get(quote, ZERO) - notional
            balances[base] = balances.get(base, ZERO) + quantity
            new_quantity = position.quantity + quantity
            average = (position.cost + notional) / new_quantity
            position = replace(position, quantity=new_quantity, average_cost=average)
        else:
            if quantity > position.quantity:
                raise InsufficientFunds(f"Cannot sell {quantity} {base}: the position holds {position.quantity}.")
            balances[base] = balances.get(base, ZERO) - quantity
            balances[quote] = balances.get(quote, ZERO) + notional
            realised = (price - position.average_cost) * quantity
            left = position.quantity - quantity
            position = replace(
                position,
                quantity=left,
                average_cost=position.average_cost if left else ZERO,
                realised_pnl=position.realised_pnl + realised,
            )
        balances[fee_currency] = balances.get(fee_currency, ZERO) - fee
        short = [asset for asset in (base, quote, fee_currency) if balances.get(asset, ZERO) < 0]
        if short:
            raise InsufficientFunds(f"Not enough {short[0]} for this trade.")
        positions = dict(self.positions)
        positions[symbol] = position
        ledger = replace(
            self,
            balances=balances,
            positions=positions,
            fees_paid=_add(self.fees_paid, fee_currency, fee),
            realised_pnl=_add(self.realised_pnl, quote, realised),
        )
        return FillEffect(ledger, realised, quote)

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.quantity > 0]


def reservation(
    side: Side, symbol: str, remaining: Decimal, price: Decimal, fee_rate: Decimal
) -> tuple[str, Decimal]:
    """What a resting order holds back: the quote it may spend (with fee), or the base it may sell."""
    base, quote = parse_symbol(symbol)
    if side is Side.BUY:
        return quote, remaining * price * (1 + fee_rate)
    return base, remaining
