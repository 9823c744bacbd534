"""The table of stop modes set on positions (trading.domain.stop_modes)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class StopModeRow(Base):
    """A position's stop mode, previewed (confirmed_at null) or in force. `targets`: the position's, nearest
    first, as decimal text separated by spaces."""

    __tablename__ = "stop_modes"
    __table_args__ = (
        Index("ix_stop_modes_symbol_confirmed_at", "symbol", "confirmed_at"),
        # The leader's sweep of previews left unconfirmed: few rows, among all the modes in force.
        Index(
            "ix_stop_modes_lapsing_previews",
            "expires_at",
            sqlite_where=text("confirmed_at IS NULL"),
            postgresql_where=text("confirmed_at IS NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    symbol: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    long: Mapped[bool] = mapped_column(Boolean)
    entry: Mapped[Decimal] = mapped_column(Money)
    extreme: Mapped[Decimal] = mapped_column(Money)
    percent: Mapped[Decimal | None] = mapped_column(Money)
    after_target: Mapped[int] = mapped_column(Integer)
    targets: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "account:symbol" once confirmed, null while previewed: unique, so that a position has one mode in force.
    active_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    # The signal plan a trailing entry is an entry of (the group of its draft), or null.
    group_id: Mapped[str | None] = mapped_column(String(16), index=True)
