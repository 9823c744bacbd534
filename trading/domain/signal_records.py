"""Where signals come from and what became of each: sources, recorded signals, statistics."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trading.domain.enums import Side
from trading.domain.ledger import ZERO
from trading.domain.orders import Fill
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind


class SignalOutcome(StrEnum):
    WIN = "win"
    LOSS = "loss"
    BREAKEVEN = "breakeven"


class SignalStatus(StrEnum):
    PREVIEWED = "previewed"
    FOLLOWED = "followed"
    IGNORED = "ignored"


class SourceMarket(StrEnum):
    """Where a source's signals trade: AUTO sends a short or a leveraged one to futures and the rest to spot;
    SPOT trades its longs on spot (at 1x) and refuses its shorts; FUTURES plans every one on futures."""

    AUTO = "auto"
    SPOT = "spot"
    FUTURES = "futures"


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """A source's market, and the share of the equity its plans risk at their stop (None: the amount the
    trader follows signals with)."""

    market: SourceMarket = SourceMarket.AUTO
    risk_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SignalSource:
    id: int
    user_id: int
    external_id: str
    title: str
    auto_follow: bool
    move_stop_to_entry: bool = False  # in the plans of its signals followed automatically
    settings: SourceSettings = SourceSettings()
    # The stop mode each position opened from its signals gets, where its trader set one (None: none).
    stop_mode: StopModeKind | None = None
    stop_mode_percent: Decimal | None = None
    stop_mode_after_target: int = 1


@dataclass(frozen=True, slots=True)
class SignalRecord:
    id: int
    source_id: int
    user_id: int
    content_hash: str
    spec: SignalSpec
    status: SignalStatus
    created_at: datetime
    outcome: str | None = None  # a SignalOutcome once closed; None while open or when nothing ever filled
    pnl: Decimal | None = None
    group_id: str | None = None  # the plan drafted for it
    closed_at: datetime | None = None
    post_id: int | None = None  # the channel's message id of the post it was read from, where known


@dataclass(frozen=True, slots=True)
class SourceStats:
    source: SignalSource
    signals: int
    followed: int
    wins: int
    losses: int
    pnl: Decimal

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.wins + self.losses
        return Decimal(self.wins) / closed * 100 if closed else None


def outcome_of(pnl: Decimal) -> SignalOutcome:
    """Win or loss by the cent: a stop moved to the entry that gives back only rounding is break-even."""
    cents = pnl.quantize(Decimal("0.01"))
    if cents > 0:
        return SignalOutcome.WIN
    return SignalOutcome.LOSS if cents < 0 else SignalOutcome.BREAKEVEN


def _in_quote(fill: Fill, quote: str) -> Decimal:
    """A fill's fee in the quote currency (a fee charged in the base is worth its quantity at the fill price)."""
    return fill.fee if fill.fee_currency == quote else fill.fee * fill.price


def closing_pnl(side: Side, entries: Sequence[Fill], exits: Sequence[Fill], quote: str) -> Decimal:
    """Realised P&L, net of fees, of the `exits` (the bracket legs that closed) against the average cost of the
    `entries`, in the quote currency. `side` is the entries' side. Only what the exits closed counts: the share
    of the entries' fees they carry goes with them."""
    bought = sum((f.quantity for f in entries), ZERO)
    closed = sum((f.quantity for f in exits), ZERO)
    if not bought or not closed:
        return ZERO
    entry_value = sum((f.quantity * f.price for f in entries), ZERO)
    entry_fees = sum((_in_quote(f, quote) for f in entries), ZERO)
    exit_value = sum((f.quantity * f.price for f in exits), ZERO)
    exit_fees = sum((_in_quote(f, quote) for f in exits), ZERO)
    gross = exit_value - entry_value * closed / bought
    if side is Side.SELL:
        gross = -gross
    return gross - entry_fees * closed / bought - exit_fees
