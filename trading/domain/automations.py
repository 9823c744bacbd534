"""Automations: an order placed again and again on a schedule (a recurring order, DCA), in slices over a span
(TWAP), a report, or a rebalance on a schedule or past a drift. Each due time is one run, recorded once; a plan
ends after its runs, or when stopped."""

import calendar
import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from trading.domain.enums import AmountUnit, Side

Every = Literal["hour", "day", "week", "month", "step"]
# The report a REPORT plan names in its `symbol` that the portfolio chart goes with.
SUMMARY = "summary"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class PlanKind(enum.StrEnum):
    RECURRING = "recurring"
    TWAP = "twap"
    REPORT = "report"  # orders nothing: its `symbol` names the report ("pnl", "summary"), its amount is 0
    # Its `shares` are the targets, its amount 0; with a `drift` it trades only past that many points.
    REBALANCE = "rebalance"


class PlanStatus(enum.StrEnum):
    PENDING = "pending"  # previewed, waiting for its Confirm
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    DONE = "done"


class RunStatus(enum.StrEnum):
    PENDING = "pending"  # recorded, its order not yet placed
    PLACED = "placed"
    FAILED = "failed"  # refused (risk limits, funds, the venue): said why
    IDLE = "idle"  # nothing to do: a rebalance within its drift threshold or already at its shares


@dataclass(frozen=True, slots=True)
class Schedule:
    """Every `interval` hours, days, weeks or months (on `weekday`, 0 = Monday, and at `at` UTC where given),
    or every `step` (a TWAP's slices)."""

    every: Every
    interval: int = 1
    weekday: int | None = None
    at: time | None = None
    step: timedelta | None = None

    def first_due(self, now: datetime) -> datetime:
        """Right away, unless a weekday or a time of day is named: then the first such moment from now on."""
        if self.every == "step" or (self.weekday is None and self.at is None):
            return now
        at = self.at or now.time().replace(second=0, microsecond=0)
        due = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if self.weekday is not None:
            due += timedelta(days=(self.weekday - due.weekday()) % 7)
        while due < now:
            due += timedelta(days=7 if self.weekday is not None else 1)
        return due

    def after(self, due: datetime) -> datetime:
        """The due time that follows `due`."""
        if self.every == "step":
            assert self.step is not None
            return due + self.step
        if self.every == "hour":
            return due + timedelta(hours=self.interval)
        if self.every == "day":
            return due + timedelta(days=self.interval)
        if self.every == "week":
            return due + timedelta(weeks=self.interval)
        month = due.month - 1 + self.interval
        year, month = due.year + month // 12, month % 12 + 1
        return due.replace(year=year, month=month, day=min(due.day, calendar.monthrange(year, month)[1]))

    def describe(self) -> str:
        if self.every == "step":
            assert self.step is not None
            return f"every {_span(self.step)}"
        if self.weekday is not None:
            head = f"every {WEEKDAYS[self.weekday]}" if self.interval == 1 else f"every {self.interval} weeks"
        else:
            head = f"every {self.every}" if self.interval == 1 else f"every {self.interval} {self.every}s"
        return head + (f" at {self.at:%H:%M} UTC" if self.at else "")


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


@dataclass(frozen=True, slots=True)
class Plan:
    """`amount` in `unit` is what each run orders; `runs` of them in all (None: until stopped); `runs_done`
    counts the due times passed, placed or skipped, so the plan never orders more than it was set up for."""

    id: int
    user_id: int
    kind: PlanKind
    side: Side
    symbol: str
    amount: Decimal
    unit: AmountUnit
    schedule: Schedule
    runs: int | None
    runs_done: int
    next_due_at: datetime | None
    status: PlanStatus
    created_at: datetime
    account_id: int | None = None
    quote: str | None = None
    shares: tuple[tuple[str, Decimal], ...] = ()  # a rebalance's targets: (asset, percent)
    drift: Decimal | None = None  # a rebalance's threshold, in percentage points; None: at each due time

    @property
    def label(self) -> str:
        names = {PlanKind.TWAP: "TWAP", PlanKind.REPORT: "Report", PlanKind.REBALANCE: "Rebalance"}
        return f"{names.get(self.kind, 'Plan')} #{self.id}"

    def due_through(self, now: datetime) -> list[datetime]:
        """The due times from `next_due_at` up to `now`, at most as many as the runs left."""
        dues: list[datetime] = []
        due = self.next_due_at
        left = None if self.runs is None else self.runs - self.runs_done
        while due is not None and due <= now and (left is None or len(dues) < left):
            dues.append(due)
            due = self.schedule.after(due)
        return dues


@dataclass(frozen=True, slots=True)
class PlanRun:
    id: int
    plan_id: int
    due_at: datetime
    status: RunStatus
    skipped: int = 0  # the due times passed over before this one (everything was down)
    draft_id: str | None = None
    order_id: int | None = None
    error: str | None = None
