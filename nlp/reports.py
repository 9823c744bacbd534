"""A report on a schedule: "every day at 9 send my pnl", "weekly summary", "send me my portfolio every monday".
Read before the order pipeline; the schedule is read as a recurring order's is (nlp.schedules)."""

import re
from typing import Literal

from nlp.schedules import Repeat, read_repeat

Report = Literal["pnl", "summary"]
_ASKED = re.compile(
    r"\b(?:send|give|show|tell)\s+(?:me\s+)?(?:my\s+|a\s+|the\s+)?(?P<what>pnl|p&l|p/l|profits?|summary|portfolio)\b|"
    r"\b(?:daily|weekly|monthly|hourly)\s+(?P<what2>pnl|p&l|summary|report)\b"
)


def read_report_schedule(text: str) -> tuple[Report, Repeat] | None:
    low = text.lower()
    m = _ASKED.search(low)
    repeat = read_repeat(low) if m else None
    if m is None or repeat is None:
        return None
    what = m.group("what") or m.group("what2")
    return ("pnl" if what in ("pnl", "p&l", "p/l", "profit", "profits") else "summary"), repeat
