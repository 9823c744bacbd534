"""Linear perpetual futures: the words the core, the paper venue and the ccxt gateway share.

A position has a side; its size is in the base asset and always positive. Margin, P&L and funding are in the
market's settle currency (the quote of a linear contract: USDT or USDC). The arithmetic (margins, liquidation
price, funding) lives beside these types in trading/domain/futures_math.py.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trading.domain.enums import Side


class MarketType(StrEnum):
    """What an exchange account trades: spot coins, or linear perpetual contracts."""

    SPOT = "spot"
    FUTURES = "futures"


class MarginMode(StrEnum):
    ISOLATED = "isolated"
    CROSS = "cross"


class PositionSide(StrEnum):
    LONG = "long"
    SHORT = "short"

    @property
    def opening_side(self) -> Side:
        """The order side that opens or adds to a position of this side."""
        return Side.BUY if self is PositionSide.LONG else Side.SELL

    @property
    def closing_side(self) -> Side:
        return self.opening_side.opposite

    @classmethod
    def opened_by(cls, side: Side) -> "PositionSide":
        return cls.LONG if side is Side.BUY else cls.SHORT


class PositionMode(StrEnum):
    """One-way: one position per symbol, an opposite order reduces it. Hedge: a long and a short side by side
    (refused: the core keeps one position per symbol)."""

    ONE_WAY = "one_way"
    HEDGE = "hedge"


@dataclass(frozen=True, slots=True)
class FuturesPosition:
    """An open perpetual position as the venue reports it (or the paper venue computes it)."""

    symbol: str
    side: PositionSide
    size: Decimal
    entry_price: Decimal
    leverage: Decimal
    margin_mode: MarginMode
    margin: Decimal
    mark_price: Decimal
    liquidation_price: Decimal | None
    unrealised_pnl: Decimal
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class FundingRate:
    symbol: str
    rate: Decimal
    mark_price: Decimal
    next_funding_at: datetime | None


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """Funding settled on a position: `amount` is what the account paid (negative: received); `rate` where the
    venue tells it (Binance's income records do not)."""

    symbol: str
    rate: Decimal | None
    amount: Decimal
    timestamp: datetime
