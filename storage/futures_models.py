"""Models of futures accounts: the core's book of each (its positions and the venue's events it booked; its
wallet is in balances), and the paper futures venue's own books (paper_*), kept apart from the core's."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class PaperPerpetualRow(Base):
    """A paper futures account's settings for a symbol, and its position there (side empty: none), which keeps
    those settings while it is open. Its wallet is in paper_balances, as a spot account's coins are."""

    __tablename__ = "paper_perpetuals"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    leverage: Mapped[Decimal] = mapped_column(Money)
    margin_mode: Mapped[str] = mapped_column(String(8))
    # The funding time the open position was last settled at.
    funded_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    side: Mapped[str | None] = mapped_column(String(5))
    size: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal] = mapped_column(Money)
    isolated_margin: Mapped[Decimal] = mapped_column(Money)


class PaperFuturesEventRow(Base):
    """What the paper futures venue did on its own: funding settled, a position liquidated."""

    __tablename__ = "paper_futures_events"
    __table_args__ = (Index("ix_paper_futures_events_account_at", "account_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # funding | liquidation
    symbol: Mapped[str] = mapped_column(String(40))
    # Funding: the rate and what the account paid (negative: received). Liquidation: the side, size and mark,
    # the P&L realised and the clearance fee.
    rate: Mapped[Decimal | None] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    side: Mapped[str | None] = mapped_column(String(5))
    size: Mapped[Decimal | None] = mapped_column(Money)
    price: Mapped[Decimal | None] = mapped_column(Money)
    fee: Mapped[Decimal | None] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class FuturesPositionRow(Base):
    """An open position in the core's book of a futures account."""

    __tablename__ = "futures_positions"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    side: Mapped[str] = mapped_column(String(5))
    size: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal] = mapped_column(Money)
    leverage: Mapped[Decimal] = mapped_column(Money)
    margin_mode: Mapped[str] = mapped_column(String(8))
    isolated_margin: Mapped[Decimal] = mapped_column(Money)


class FuturesEventRow(Base):
    """An event of the venue's (funding, a liquidation) booked into the core's book: once, by its id."""

    __tablename__ = "futures_events"
    __table_args__ = (
        UniqueConstraint("account_id", "event_id"),
        Index("ix_futures_events_account_at", "account_id", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # funding | liquidation
    symbol: Mapped[str] = mapped_column(String(40))
    # Funding: what the account paid (negative: received). Liquidation: what left the wallet.
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
