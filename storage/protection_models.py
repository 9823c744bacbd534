"""Tables of the protections of automatic following and of the kill switch: a user's own protections, the
pauses on automatic following (who paused it, why, until when), and the kill switch's previews to confirm."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class ProtectionSettingsRow(Base):
    """A user's own protections; a null column keeps the operator's."""

    __tablename__ = "protection_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    max_drawdown: Mapped[Decimal | None] = mapped_column(Money)
    drawdown_hours: Mapped[int | None] = mapped_column(Integer)
    stoploss_guard: Mapped[int | None] = mapped_column(Integer)
    stoploss_guard_hours: Mapped[int | None] = mapped_column(Integer)
    cooldown_hours: Mapped[int | None] = mapped_column(Integer)
    losing_streak: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FollowPauseRow(Base):
    """A pause of automatic following, of all of a user's sources (source_id null) or of one."""

    __tablename__ = "follow_pauses"
    __table_args__ = (
        Index("ix_follow_pauses_user_id_ended_at", "user_id", "ended_at"),
        # The sweep that tells cooldowns over reads the unlifted pauses whose end has come.
        Index("ix_follow_pauses_ended_at_until", "ended_at", "until"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("signal_sources.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "user:kind:source" while the pause is not lifted, null once it is: unique, so that two bookings at once
    # (a stop filled in two processes) start one pause, not two.
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class KillSwitchConfirmationRow(Base):
    """A preview of closing every position or cancelling every order, confirmed once (compare-and-set on
    used_at) before it expires."""

    __tablename__ = "kill_switch_confirmations"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
