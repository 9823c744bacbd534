"""What a trader says of automations already set up: "my automations", "pause plan 3", "resume plan 3",
"stop plan 3", "stop the twap", "cancel my dca", "pause the rebalance". Read before the order pipeline: "stop the twap" is no order."""

import re
from dataclasses import dataclass
from typing import Literal

Action = Literal["list", "pause", "resume", "stop"]
Kind = Literal["twap", "recurring", "rebalance"]

_LIST = re.compile(r"^\s*(?:/automations|(?:show\s+|list\s+)?my\s+(?:automations|plans|dcas?|twaps?)"
                   r"|(?:show\s+|list\s+)?automations)\s*[.!?]?\s*$")  # fmt: skip
_ACT = re.compile(
    r"^\s*(?P<verb>pause|resume|unpause|stop|cancel|end)\s+(?:the\s+|my\s+)?"
    r"(?:(?P<kind>twap|dca|plan|automation|recurring\s+order|rebalanc(?:e|ing))s?)?\s*(?:#?\s*(?P<id>\d{1,9}))?\s*[.!?]?\s*$"
)
# The kind a word names ("plan", "automation": none in particular).
_KINDS: tuple[tuple[str, Kind], ...] = (
    ("twap", "twap"), ("dca", "recurring"), ("recurring", "recurring"), ("rebalanc", "rebalance"),
)  # fmt: skip
_VERBS: dict[str, Action] = {
    "pause": "pause", "resume": "resume", "unpause": "resume", "stop": "stop", "cancel": "stop", "end": "stop",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AutomationCommand:
    """`plan_id` where one is named; else `kind` where the TWAP, the recurring or the rebalance plans are meant."""

    action: Action
    plan_id: int | None = None
    kind: Kind | None = None


def read_automation_command(text: str) -> AutomationCommand | None:
    low = text.lower()
    if _LIST.match(low):
        return AutomationCommand("list")
    m = _ACT.match(low)
    if m is None or (m.group("kind") is None and m.group("id") is None):
        return None
    word = m.group("kind") or ""
    kind = next((kind for start, kind in _KINDS if word.startswith(start)), None)
    plan_id = int(m.group("id")) if m.group("id") else None
    return AutomationCommand(_VERBS[m.group("verb")], plan_id, kind)
