"""The kill switch and automatic following as a whole, as a trader says it: "close all positions", "close
everything", "cancel all orders", "cancel all my orders", "pause auto follow", "stop following all", "resume
auto follow", and /closeall, /cancelall, /pause, /resume. Read before the order pipeline, which would read
"close all positions" as the close of one position, or ask which."""

import re
from typing import Literal

KillSwitchCommand = Literal["close_all", "cancel_all", "pause", "resume"]

_END = r"\s*[.!]*\s*$"
_SLASH = re.compile(r"^\s*/(?P<command>closeall|cancelall|pause|resume)(?:@\w+)?" + _END)
_AUTO = r"(?:auto[\s-]?follow(?:ing)?|automatic\s+following)"
# "following" alone is every source's only after pause or resume: "stop following" may name one source.
_EVERY = r"(?:\s+(?:of\s+)?(?:all|everything|all\s+sources|every\s+source))"
_PAUSED = r"(?:my\s+|all\s+)?(?:" + _AUTO + _EVERY + r"?|following" + _EVERY + r"?)"
_STOPPED = r"(?:my\s+|all\s+)?(?:" + _AUTO + _EVERY + r"?|following" + _EVERY + r")"
_COMMANDS: tuple[tuple[KillSwitchCommand, re.Pattern[str]], ...] = (
    (
        "close_all",
        re.compile(
            r"^\s*(?:close|exit|sell|flatten)\s+(?:(?:all|every)\s+(?:of\s+)?(?:my\s+)?(?:open\s+)?"
            r"(?:positions?|trades?)|all|everything)(?:\s+now)?" + _END
        ),
    ),
    (
        "cancel_all",
        re.compile(
            r"^\s*cancel\s+(?:all|every)(?:\s+(?:of\s+)?(?:my\s+)?(?:open\s+)?orders?)?(?:\s+now)?" + _END
        ),
    ),
    (
        "pause",
        re.compile(r"^\s*(?:(?:pause|halt|suspend)\s+" + _PAUSED + r"|stop\s+" + _STOPPED + ")" + _END),
    ),
    ("resume", re.compile(r"^\s*(?:resume|unpause|restart)\s+" + _PAUSED + _END)),
)
_SLASH_COMMANDS: dict[str, KillSwitchCommand] = {
    "closeall": "close_all", "cancelall": "cancel_all", "pause": "pause", "resume": "resume",
}  # fmt: skip


def read_kill_switch(text: str) -> KillSwitchCommand | None:
    """The command the message gives, or None where it gives none of these."""
    low = text.lower()
    slash = _SLASH.match(low)
    if slash is not None:
        return _SLASH_COMMANDS[slash.group("command")]
    return next((command for command, pattern in _COMMANDS if pattern.match(low)), None)
