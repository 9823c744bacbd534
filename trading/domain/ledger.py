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


# Ledger amounts keep 18 decimal places, the scale the database stores exactly.
SCALE = Decimal("1e-18")


@dataclass(frozen=True, slots=True)
class Position:
    """A holding of a market's base asset and what it cost, in its quote currency.

    The cost is kept as a sum, not an average, so that buying adds exactly and value is conserved to the digit.
    """

    symbol: str
    quantity: Decimal
    cost: Decimal
    realised_pnl: Decimal = ZERO

    @property
    def average_cost(self) -> Decimal:
        return self.cost / self.quantity if self.quantity else ZERO


@dataclass(frozen=True, slots=True)
class FillEffect:
    ledger: "Ledger"
    realised_pnl: Decimal
    quote: str


def add_to(mapping: Mapping[str, Decimal], key: str, delta: Decimal) -> dict[str, Decimal]:
    """A copy of the amounts by asset with `delta` added to `key`'s."""
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
            self, balances=add_to(self.balances, asset, amount), deposits=add_to(self.deposits, asset, amount)
        )

    def open_position(self, symbol: str, quantity: Decimal, cost: Decimal) -> "Ledger":
        """Coins brought into the account (held at the venue when the account was added, or transferred in
        later), at `cost` in the quote: their value then, booked as that much deposited in the quote and spent
        on them, so the invariant holds and P&L counts from the moment they came in."""
        if quantity <= 0 or cost < 0:
            raise InvalidInput("Coins brought in need a positive quantity and a cost of zero or more.")
        base, quote = parse_symbol(symbol)
        position = self.positions.get(symbol, Position(symbol, ZERO, ZERO))
        positions = dict(self.positions)
        positions[symbol] = replace(
            position, quantity=position.quantity + quantity, cost=position.cost + cost
        )
        return replace(
            self,
            balances=add_to(self.balances, base, quantity),
            positions=positions,
            deposits=add_to(self.deposits, quote, cost),
        )

    def withdraw(self, asset: str, amount: Decimal, symbol: str | None = None) -> "Ledger":
        """A transfer out. What the position in `symbol` (base `asset`) holds leaves at its average cost, taken
        off the quote's deposits; the rest (or all, with no position) is taken off the asset's own deposits."""
        if amount <= 0:
            raise InvalidInput("A withdrawal must be a positive amount.")
        if amount > self.balance(asset):
            raise InsufficientFunds(
                f"Cannot withdraw {amount} {asset}: the balance is {self.balance(asset)}."
            )
        ledger = replace(self, balances=add_to(self.balances, asset, -amount))
        position = self.positions.get(symbol) if symbol else None
        if position is None or not position.quantity:
            return replace(ledger, deposits=add_to(self.deposits, asset, -amount))
        base, quote = parse_symbol(position.symbol)
        if base != asset:
            raise InvalidInput(f"{position.symbol} is not a position in {asset}.")
        taken = min(amount, position.quantity)
        left = position.quantity - taken
        released = (position.cost * taken / position.quantity).quantize(SCALE) if left else position.cost
        positions = dict(self.positions)
        positions[position.symbol] = replace(position, quantity=left, cost=position.cost - released)
        deposits = add_to(self.deposits, quote, -released)
        if amount > taken:
            deposits = add_to(deposits, asset, taken - amount)
        return replace(ledger, positions=positions, deposits=deposits)

    def apply_fill(
        self, symbol: str, side: Side, quantity: Decimal, price: Decimal, fee: Decimal, fee_currency: str
    ) -> FillEffect:
        """Book one trade. Raises InsufficientFunds where a balance would go below zero."""
        if quantity <= 0 or price <= 0 or fee < 0:
            raise InvalidInput("A fill needs a positive quantity and price and a fee of zero or more.")
        base, quote = parse_symbol(symbol)
        notional = quantity * price
        balances = settle(self.balances, symbol, side, quantity, price, fee, fee_currency)
        position = self.positions.get(symbol, Position(symbol, ZERO, ZERO))
        realised = ZERO
        if side is Side.BUY:
            position = replace(position, quantity=position.quantity + quantity, cost=position.cost + notional)
        else:
            if quantity > position.quantity:
                raise InsufficientFunds(
                    f"Cannot sell {quantity} {base}: the position holds {position.quantity}."
                )
            left = position.quantity - quantity
            released = (
                (position.cost * quantity / position.quantity).quantize(SCALE) if left else position.cost
            )
            realised = notional - released
            position = replace(
                position,
                quantity=left,
                cost=position.cost - released,
                realised_pnl=position.realised_pnl + realised,
            )
        positions = dict(self.positions)
        positions[symbol] = position
        ledger = replace(
            self,
            balances=balances,
            positions=positions,
            fees_paid=add_to(self.fees_paid, fee_currency, fee),
            realised_pnl=add_to(self.realised_pnl, quote, realised),
        )
        return FillEffect(ledger, realised, quote)

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.quantity > 0]


def settle(
    balances: Mapping[str, Decimal],
    symbol: str,
    side: Side,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    fee_currency: str,
) -> dict[str, Decimal]:
    """Balances after one trade. Raises InsufficientFunds where one would go below zero."""
    base, quote = parse_symbol(symbol)
    sign = 1 if side is Side.BUY else -1
    updated = dict(balances)
    updated[base] = updated.get(base, ZERO) + sign * quantity
    updated[quote] = updated.get(quote, ZERO) - sign * quantity * price
    updated[fee_currency] = updated.get(fee_currency, ZERO) - fee
    short = [asset for asset in (base, quote, fee_currency) if updated[asset] < 0]
    if short:
        raise InsufficientFunds(f"Not enough {short[0]} for this trade.")
    return updated


def reservation(
    side: Side, symbol: str, remaining: Decimal, price: Decimal, fee_rate: Decimal
) -> tuple[str, Decimal]:
    """What a resting order holds back: the quote it may spend (with fee), or the base it may sell."""
    base, quote = parse_symbol(symbol)
    if side is Side.BUY:
        return quote, remaining * price * (1 + fee_rate)
    return base, remaining
