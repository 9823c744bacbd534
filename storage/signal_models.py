"""Models of signals, their sources, and price alerts."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import Money, UtcDateTime


class SignalSourceRow(Base):
    __tablename__ = "signal_sources"
    __table_args__ = (UniqueConstraint("user_id", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    auto_follow: Mapped[bool] = mapped_column(Boolean, default=False)
    # For the plans of signals followed automatically: the stop to the entry after the first target.
    move_stop_to_entry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The stop mode of every position its signals open (trading.domain.stop_modes); null: none. No defaults
    # in the columns: the rows written by code older than them must still insert.
    stop_mode: Mapped[str | None] = mapped_column(String(24))
    stop_mode_percent: Mapped[Decimal | None] = mapped_column(Money)
    stop_mode_after_target: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Where its signals trade (a SourceMarket) and the share of the equity its plans risk (null: the amount).
    market: Mapped[str] = mapped_column(String(8), server_default="auto")
    risk_percent: Mapped[Decimal | None] = mapped_column(Money)


class SignalRow(Base):
    __tablename__ = "signals"
    # The same post forwarded twice is one signal. The tracker looks for followed signals not yet closed every
    # pass: an index on those two columns keeps that from reading every signal ever received.
    __table_args__ = (
        UniqueConstraint("source_id", "content_hash"),
        Index("ix_signals_status_closed_at", "status", "closed_at"),
        # The report looks for closed signals not yet reported every pass, past the many never closed.
        Index("ix_signals_reported_at_closed_at", "reported_at", "closed_at"),
        # An edited channel post finds the signal it was read as.
        Index("ix_signals_source_id_post_id", "source_id", "post_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("signal_sources.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    entries: Mapped[list[str]] = mapped_column(JSON)
    targets: Mapped[list[str]] = mapped_column(JSON)
    stop_loss: Mapped[Decimal | None] = mapped_column(Money)
    leverage: Mapped[Decimal | None] = mapped_column(Money)
    # "Enter above 15.2": its entries are stop orders, filled once the price gets there.
    breakout: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    pnl: Mapped[Decimal | None] = mapped_column(Money)
    # The plan drafted for it: the orders its outcome and P&L are read from.
    group_id: Mapped[str | None] = mapped_column(String(16), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the user was told how it closed (or, closed without an outcome, found nothing to tell).
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The channel's message id of the post it was read from, where known (a channel post, a forward).
    post_id: Mapped[int | None] = mapped_column(BigInteger)


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_symbol_status", "symbol", "status"),
        # The watcher's look, every tick, for the alerts set since its last (by the web app, another process).
        Index("ix_alerts_status_created_at", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    symbol: Mapped[str] = mapped_column(String(40))
    condition: Mapped[str] = mapped_column(String(8))
    threshold: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PaperBalanceRow(Base):
    """The paper exchange's own books: it is another venue, kept apart from the core's ledger."""

    __tablename__ = "paper_balances"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    asset: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money)


class PaperOrderRow(Base):
    __tablename__ = "paper_orders"
    __table_args__ = (
        UniqueConstraint("account_id", "client_order_id"),
        Index("ix_paper_orders_account_status", "account_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("exchange_accounts.id", ondelete="CASCADE"))
    client_order_id: Mapped[str] = mapped_column(String(40))
    symbol: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(4))
    order_type: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))
    filled: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money)
    # The market step at which it last took liquidity: a resting order fills at most once a step.
    last_step: Mapped[int] = mapped_column(Integer, default=-1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Futures: it may only shrink the position.
    reduce_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PaperTradeRow(Base):
    __tablename__ = "paper_trades"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_order_id: Mapped[int] = mapped_column(ForeignKey("paper_orders.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money)
    fee_currency: Mapped[str] = mapped_column(String(16))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)


class SourceEntryRulesRow(Base):
    """A source's entry rules (trading.domain.entry_rules); a source without a row enters as the defaults say."""

    __tablename__ = "source_entry_rules"
    source_id: Mapped[int] = mapped_column(
        ForeignKey("signal_sources.id", ondelete="CASCADE"), primary_key=True
    )
    split: Mapped[str] = mapped_column(String(16))
    ratios: Mapped[list[str]] = mapped_column(JSON)
    first_at_market: Mapped[bool] = mapped_column(Boolean)
    grace_percent: Mapped[Decimal] = mapped_column(Money)
    expiry_minutes: Mapped[int | None] = mapped_column(Integer)
    close_on_target_before_entry: Mapped[bool] = mapped_column(Boolean)
    cancel_on_stop_before_entry: Mapped[bool] = mapped_column(Boolean)
    trailing_entry_percent: Mapped[Decimal | None] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
