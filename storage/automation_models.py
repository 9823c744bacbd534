"""Tables of the automations: plans (recurring orders, DCA, TWAP, reports, rebalances) and their runs, one row per
due time."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class PlanRow(Base):
    __tablename__ = "plans"
    # The tick reads the active plans due, soonest first, every few seconds.
    __table_args__ = (Index("ix_plans_status_next_due_at", "status", "next_due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(4))
    symbol: Mapped[str] = mapped_column(String(32))
    quote: Mapped[str | None] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str] = mapped_column(String(8))
    every: Mapped[str] = mapped_column(String(8))
    interval: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)
    at_minute: Mapped[int | None] = mapped_column(Integer)  # minutes past midnight, UTC
    step_seconds: Mapped[int | None] = mapped_column(Integer)
    runs: Mapped[int | None] = mapped_column(Integer)
    runs_done: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A rebalance's targets, {"BTC": "50", ...} (percent, as exact decimal strings), and its drift threshold.
    shares: Mapped[dict[str, str] | None] = mapped_column(JSON)
    drift: Mapped[Decimal | None] = mapped_column(Money)


class PlanRunRow(Base):
    """Written before the run's order is placed: its unique (plan, due time) is what makes a run happen once
    however many workers or retries reach it."""

    __tablename__ = "plan_runs"
    __table_args__ = (UniqueConstraint("plan_id", "due_at", name="uq_plan_runs_plan_id_due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(8))
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    draft_id: Mapped[str | None] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A rebalance's several trades: the attempt that trades holds this claim, taken again once it is stale.
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class NotifyChannelRow(Base):
    """An e-mail address (verified with a code, kept hashed) or a webhook (its secret encrypted)."""

    __tablename__ = "notify_channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(512))
    secret: Mapped[str | None] = mapped_column(Text)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    code_tries: Mapped[int] = mapped_column(Integer, server_default="0")  # wrong codes told for it
    events: Mapped[str] = mapped_column(String(128))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChannelDeliveryRow(Base):
    __tablename__ = "channel_deliveries"
    __table_args__ = (Index("ix_channel_deliveries_channel_id_id", "channel_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"))
    notice_id: Mapped[int] = mapped_column(Integer)  # the notice itself is forgotten a week after its send
    attempt: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
