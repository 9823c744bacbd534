"""SQLAlchemy models: one set for SQLite and PostgreSQL. Repositories turn rows into domain objects."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import Money, UtcDateTime

ZERO = Decimal(0)


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """A model's Core table. The order path's repositories build their statements once, on tables, and run
    them with bound parameters: an ORM statement built per call cost them three times the CPU."""
    return cast(Table, model.__table__)


def one_of(column: ColumnElement[str], values: Iterable[str]) -> ColumnElement[bool]:
    """`column IN ('a', 'b')` with the values written into the statement, for fixed values of the code's own (enum
    values, never input): a list of values is an "expanding" parameter, whose SQL SQLAlchemy renders again on
    every execution."""
    return column.in_([literal_column(f"'{value}'") for value in values])


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExchangeAccountRow(Base):
    __tablename__ = "exchange_accounts"
    __table_args__ = (
        UniqueConstraint("user_id", "label"),
        # Start-up reads the marked accounts only; partial, so the index holds just those (next to none).
        Index(
            "ix_exchange_accounts_deposit_pending_since",
            "deposit_pending_since",
            sqlite_where=text("deposit_pending_since IS NOT NULL"),
            postgresql_where=text("deposit_pending_since IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exchange: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    testnet: Mapped[bool] = mapped_column(Boolean, default=False)
    # What it trades (trading.domain.futures.MarketType): spot coins, or perpetual futures.
    market_type: Mapped[str] = mapped_column(String(8), server_default="spot")
    # Fernet tokens; the key never touches the database.
    api_key_enc: Mapped[str | None] = mapped_column(Text)
    secret_enc: Mapped[str | None] = mapped_column(Text)
    password_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The paper deposits under way, counted up before one reaches the venue and down with its booking, and
    # when the last began (None when none is): while some are, one may have stopped between the two, and
    # the tracker compares the venue with the books.
    deposits_pending: Mapped[int] = mapped_column(Integer, server_default="0")
    deposit_pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OrderDraftRow(Base):
    __tablename__ = "order_drafts"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    order_type: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal | None] = mapped_column(Money)
    stop_loss: Mapped[Decimal | None] = mapped_column(Money)
    take_profits: Mapped[list[str]] = mapped_column(JSON, default=list)
    leverage: Mapped[Decimal | None] = mapped_column(Money)
    preview: Mapped[dict[str, Any]] = mapped_column(JSON)
    group_id: Mapped[str | None] = mapped_column(String(16), index=True)
    move_stop_to_entry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The stop order a confirmation moves (OrderDraft.replaces_order_id). No foreign key: orders already
    # reference their drafts, and the pair would make the two tables depend on each other.
    replaces_order_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status", "status"),
        Index("ix_orders_user_status", "user_id", "status"),
        # The tracker's report looks for bracket legs ended and not yet reported every pass: entries never are,
        # and the legs reported pile up, so the role and reported_at lead, for a seek to just those.
        Index("ix_orders_role_reported_at_status", "role", "reported_at", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    client_order_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Unique: one confirmed draft can never become two orders, whatever races above this.
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("order_drafts.id"), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    order_type: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))
    exchange_order_id: Mapped[str | None] = mapped_column(String(64))
    filled: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    average_price: Mapped[Decimal | None] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Bracket legs only: when the tracker told the user how the leg ended (or found nothing to tell, for a leg
    # that ended unfilled). Empty on a final leg: its notice is still owed.
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The process (processes.id) that sent the order, written as it becomes SUBMITTED: while that process
    # lives the order may still be in flight; once it is silent, nobody is sending it (storage.liveness).
    placed_by: Mapped[str | None] = mapped_column(String(32))


class ProcessRow(Base):
    """A serving process, alive while it beats (storage.liveness)."""

    __tablename__ = "processes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), server_default="run")  # storage.liveness.ProcessKind
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (UniqueConstraint("order_id", "trade_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    trade_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money)
    fee_currency: Mapped[str] = mapped_column(String(16))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)


class BalanceRow(Base):
    """The core's book per asset: what is held, deposited, paid in fees and realised (for quote assets); of a
    futures account, its wallet per settle currency and the funding it paid (negative: received)."""

    __tablename__ = "balances"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    asset: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    deposited: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    fees_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    realised_pnl: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    funding_paid: Mapped[Decimal] = mapped_column(Money, server_default="0")


class PositionRow(Base):
    __tablename__ = "positions"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(40), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal] = mapped_column(Money)
    realised_pnl: Mapped[Decimal] = mapped_column(Money)


class PnlDayRow(Base):
    __tablename__ = "pnl_days"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    realised: Mapped[Decimal] = mapped_column(Money)


class EquitySnapshotRow(Base):
    __tablename__ = "equity_snapshots"
    __table_args__ = (Index("ix_equity_account_at", "account_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    equity: Mapped[Decimal] = mapped_column(Money)


class CommandLogRow(Base):
    __tablename__ = "command_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NoticeRow(Base):
    """A message owed to a user, written in the transaction of what it tells of and marked once sent."""

    __tablename__ = "notices"
    # Delivery reads the unsent ones oldest first every pass, while the sent ones pile up behind them.
    __table_args__ = (Index("ix_notices_sent_at_id", "sent_at", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Taken by the delivery that sends it, so that two never send one notice at once; a claim left by a
    # delivery that died is taken again once old (storage.repositories.notices).
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16), server_default="orders")  # for the channels' choices
    # Handed to the user's other channels (e-mail, webhooks) once, by the fan-out job.
    fanned_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The portfolio chart goes with it on Telegram, drawn when it is sent (a weekly summary).
    with_chart: Mapped[bool] = mapped_column(Boolean, server_default=false())
