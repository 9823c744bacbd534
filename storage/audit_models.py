"""Tables of channel audits: the candles kept for them (and for charts), and each user's audit reports."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class CandleRow(Base):
    """A venue's candle, fetched once and reused by every later audit."""

    __tablename__ = "candles"
    venue: Mapped[str] = mapped_column(String(32), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    timeframe: Mapped[str] = mapped_column(String(8), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    open: Mapped[Decimal] = mapped_column(Money)
    high: Mapped[Decimal] = mapped_column(Money)
    low: Mapped[Decimal] = mapped_column(Money)
    close: Mapped[Decimal] = mapped_column(Money)
    volume: Mapped[Decimal] = mapped_column(Money)


class AuditRow(Base):
    """An audit's report: its headline figures in columns (the leaderboard sorts on them), the whole of it and
    the posts not read as JSON."""

    __tablename__ = "audits"
    __table_args__ = (Index("ix_audits_user_id_created_at", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    signals: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer)
    wins: Mapped[int] = mapped_column(Integer)
    pnl: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    report: Mapped[str] = mapped_column(Text)
    unread: Mapped[str] = mapped_column(Text)
