"""One symbol's position in a futures book (trading.domain.futures_ledger), and the limits a fill on it is held
to: a reduce-only fill may only shrink it; the symbol's bracket caps its notional and the leverage."""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import Side
from trading.domain.errors import InvalidInput
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_math import brackets_for, direction
from trading.domain.ledger import SCALE, ZERO


@dataclass(frozen=True, slots=True)
class PerpetualPosition:
    """One symbol's position. The entry is kept as a cost sum (notional at entry), as the spot Position does, so
    that adding is exact and the entry price is its average."""

    symbol: str
    side: PositionSide
    size: Decimal
    cost: Decimal
    leverage: Decimal
    margin_mode: MarginMode
    isolated_margin: Decimal = ZERO

    @property
    def entry_price(self) -> Decimal:
        return self.cost / self.size

    @property
    def margin(self) -> Decimal:
        """The wallet this position holds: its isolated margin, or its initial margin at entry when cross."""
        if self.margin_mode is MarginMode.ISOLATED:
            return self.isolated_margin
        return (self.cost / self.leverage).quantize(SCALE)

    def unrealised_pnl(self, mark: Decimal) -> Decimal:
        return direction(self.side) * (self.size * mark - self.cost)

    def maintenance_margin(self, mark: Decimal) -> Decimal:
        return brackets_for(self.symbol).maintenance_margin(self.size * mark)


def check_reduces(symbol: str, side: Side, quantity: Decimal, position: PerpetualPosition | None) -> None:
    if position is None or position.side.closing_side is not side or quantity > position.size:
        held = f"{position.size} {position.side}" if position else "nothing"
        raise InvalidInput(
            f"A reduce-only {side} of {quantity} {symbol} may only shrink the position, which is {held}."
        )


def check_leverage(symbol: str, notional: Decimal, leverage: Decimal) -> None:
    table = brackets_for(symbol)
    if notional > table.limit:
        raise InvalidInput(
            f"A {symbol} position is limited to a notional of {table.limit}; this one would be {notional}."
        )
    if leverage > table.max_leverage(notional):
        raise InvalidInput(
            f"A {symbol} position of {notional:.2f} allows at most {table.max_leverage(notional)}x, not {leverage}x."
        )
