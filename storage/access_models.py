"""Models of a user's access and own settings: personal API tokens and one-time grants (only hashes of secrets
are stored), and the risk limits a user has set."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginGrantRow(Base):
    """A refresh token or a log-in link: used once (compare-and-set on used_at), then worthless."""

    __tablename__ = "login_grants"
    __table_args__ = (Index("ix_login_grants_user_kind", "user_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RiskSettingsRow(Base):
    """A user's own risk limits; a null column keeps the operator's default for that limit."""

    __tablename__ = "risk_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    max_order_value: Mapped[Decimal | None] = mapped_column(Money)
    max_position_share: Mapped[Decimal | None] = mapped_column(Money)
    max_open_positions: Mapped[int | None] = mapped_column(Integer)
    daily_loss_limit: Mapped[Decimal | None] = mapped_column(Money)
    require_stop_for_leverage: Mapped[bool | None] = mapped_column(Boolean)
    max_leverage: Mapped[Decimal | None] = mapped_column(Money)
    max_margin_share: Mapped[Decimal | None] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
