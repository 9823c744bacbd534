"""When an order repeats or is spread out: "every monday", "daily at 9:00", "weekly for 10 weeks" (a recurring
order, DCA), "over 2 hours" (TWAP). Read on the message's lower-case text; the core decides what it can run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Literal

Every = Literal["hour", "day", "week", "month"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNIT_WORDS: dict[str, Every] = {
    "hour": "hour", "hours": "hour", "hourly": "hour", "day": "day", "days": "day", "daily": "day",
    "week": "week", "weeks": "week", "weekly": "week", "month": "month", "months": "month", "monthly": "month",
}  # fmt: skip
_SECONDS = {"minute": 60, "minutes": 60, "min": 60, "mins": 60, "hour": 3600, "hours": 3600, "h": 3600,
            "day": 86400, "days": 86400, "d": 86400, "week": 604800, "weeks": 604800}  # fmt: skip

_WEEKDAY = "|".join(WEEKDAYS)
_EVERY = re.compile(
    rf"\b(?:every|each)\s+(?:(?P<n>\d{{1,3}})\s+)?(?P<unit>hours?|days?|weeks?|months?|{_WEEKDAY})\b|"
    rf"\b(?P<adverb>hourly|daily|weekly|monthly)\b|\bon\s+(?P<day>{_WEEKDAY})s\b"
)
# A weekday named beside "weekly" ("weekly summary every monday", "weekly on mondays").
_ON_DAY = re.compile(rf"\b(?:every|each|on)\s+(?P<day>{_WEEKDAY})s?\b")
_AT = re.compile(r"\bat\s+(?P<hour>[01]?\d|2[0-3])(?::(?P<minute>[0-5]\d))?\s*(?P<half>am|pm)?\b")
_RUNS = re.compile(r"\bfor\s+(?P<n>\d{1,4})\s+(?P<unit>times|runs|hours?|days?|weeks?|months?)\b")
_SPREAD = re.compile(r"\b(?:over|across|during|within)\s+(?:the\s+next\s+)?(?P<n>\d{1,4})\s*(?P<unit>"
                     r"minutes?|mins?|hours?|h|days?|d|weeks?)\b")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Repeat:
    """Run every `interval` `every`s (on `weekday`, 0 = Monday, where one is named), at `at` (UTC) where a time
    is given, `runs` times where a count or a span is given (None: until stopped)."""

    every: Every
    interval: int = 1
    weekday: int | None = None
    at: time | None = None
    runs: int | None = None


def read_repeat(text: str) -> Repeat | None:
    """The schedule of a recurring order in `text`; None where it names none."""
    m = _EVERY.search(text)
    if m is None:
        return None
    word = m.group("unit") or m.group("adverb") or m.group("day")
    if word in ("week", "weeks", "weekly") and (day := _ON_DAY.search(text)) is not None:
        word = day.group("day")
    weekday = WEEKDAYS.index(word) if word in WEEKDAYS else None
    every: Every = "week" if weekday is not None else _UNIT_WORDS[word]
    interval = int(m.group("n")) if m.group("n") else 1
    return Repeat(every, max(interval, 1), weekday, _time_of_day(text), _runs(text, every, interval))


def read_spread(text: str) -> timedelta | None:
    """ "sell 1 eth over 2 hours": the span an order is spread over (TWAP); None where none is given."""
    m = _SPREAD.search(text)
    if m is None:
        return None
    return timedelta(seconds=int(m.group("n")) * _SECONDS[m.group("unit")])


def _time_of_day(text: str) -> time | None:
    m = _AT.search(text)
    if m is None:
        return None
    hour = int(m.group("hour"))
    if m.group("half"):  # 12am is midnight, 12pm noon
        hour = hour % 12 + (12 if m.group("half") == "pm" else 0)
    return time(hour, int(m.group("minute") or 0))


def _runs(text: str, every: Every, interval: int) -> int | None:
    """ "for 10 weeks" of a weekly order: 10 runs; "for 5 times": 5."""
    m = _RUNS.search(text)
    if m is None:
        return None
    n, unit = int(m.group("n")), m.group("unit")
    if unit in ("times", "runs"):
        return n
    span_unit = _UNIT_WORDS[unit]
    if span_unit == every:
        return max(n // interval, 1)
    return None
