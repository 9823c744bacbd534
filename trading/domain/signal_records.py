"""Where signals come from and what became of each: sources, recorded signals, statistics."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trading.domain.signals import SignalSpec


class SignalStatus(StrEnum):
    PREVIEWED = "previewed"
    FOLLOWED = "followed"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class SignalSource:
    id: int
    user_id: int
    external_id: str
    title: str
    auto_follow: bool


@dataclass(frozen=True, slots=True)
class SignalRecord:
    id: int
    source_id: int
    user_id: int
    content_hash: str
    spec: SignalSpec
    status: SignalStatus
    created_at: datetime
    outcome: str | None = None  # "win" or "loss" once closed
    pnl: Decimal | None = None


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
