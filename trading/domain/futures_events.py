"""What a futures venue does to an account on its own, which the core books as the venue reports it: funding
settled on a position every funding interval, and a position liquidated when its margin ran out."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.futures import FundingPayment, PositionSide


@dataclass(frozen=True, slots=True)
class Liquidated:
    """A position the venue closed at the mark: its P&L there realised, and what was left of its margin taken as
    the venue's clearance fee (FuturesBook.liquidate computes both)."""

    symbol: str
    side: PositionSide
    size: Decimal
    mark_price: Decimal
    realised_pnl: Decimal
    clearance_fee: Decimal
    timestamp: datetime

    @property
    def loss(self) -> Decimal:
        """What left the wallet."""
        return self.clearance_fee - self.realised_pnl


@dataclass(frozen=True, slots=True)
class LiquidationFill:
    """A liquidation as a ccxt venue reports it: what its engine closed, at what average price. What that realised
    and took, the core reckons from its own book of the position (FuturesBook.liquidated_at)."""

    symbol: str
    size: Decimal
    price: Decimal
    timestamp: datetime


EventDetail = FundingPayment | Liquidated | LiquidationFill


@dataclass(frozen=True, slots=True)
class FuturesEvent:
    """One such event under the venue's id for it, unique within the account: booked once by that id."""

    event_id: str
    detail: EventDetail

    @property
    def symbol(self) -> str:
        return self.detail.symbol

    @property
    def timestamp(self) -> datetime:
        return self.detail.timestamp
