"""Follow-ups: a channel's post about a signal it gave earlier (a target hit, the stop hit, an entry filled,
close now, move the stop, cancel the signal).

Read on the message's words as the rules see them (other languages already in English), so that "Цель 1
достигнута" is a target hit as "Target 1 reached" is. What a follow-up opens is never a trade: a report stays
`unknown`, an instruction becomes the command it gives (close, set the stop), and the bot matches it to the
source's open signal.
"""

from __future__ import annotations

import re
from typing import Literal

Update = Literal[
    "target_hit", "stop_hit", "entry_filled", "close", "move_stop", "move_stop_to_entry", "cancel"
]

_TARGET = r"(?:tp|tps|take ?profit|targets?|target|tgt|🎯|profit target)"
_STOP = r"(?:sl|stop ?loss|stoploss|stop|stops)"
# "б/у" (без убытка) is the Russian breakeven.
_ENTRY_WORD = (
    r"(?:(?:point of |price of |level of )?(?:entry|entries)|entry price|breakeven|break ?even|be|open|"
    r"opening price|average|avg|б ?/ ?у|бу)"
)
_DONE = r"(?:hit|hits|reached|achieved|done|smashed|touched|completed|complete|booked|secured|✅|✔|☑)"
_NUMBERS = r"(?:\d{1,2}(?: ?[,&/] ?\d{1,2}){0,5})?"  # "TP 1,2 hit", "TP1 & 2"
_PRICE = r"\$?\d[\d.,]*"
# A mark a channel puts after a level it reached ("TP1: 1.23 ✅", "ALVO 1: 746.03 WWW") or that stopped it out.
_WIN_MARK = r"(?:www|✅|✔|☑)"
_LOSS_MARK = r"(?:lll|❌|✖)"

# "We close the week in profit", "cerramos el mes": a period's tally, not a trade closed.
PERIOD = (
    r"(?:week|month|day|year|quarter|session|semana|mes|d[ií]a|año|mês|неделю|месяц|день|год|hafta|ay|gün)\b"
)

# "+30 pips ✅": pips in profit, a target hit; but not in a tally of the day ("Total = +250 pips", "-130 +100 =").
_PIPS = re.compile(r"(?:^|\+ ?)\d+(?:[.,]\d+)? ?pips?\b")
_TALLY = re.compile(rf"\btotal\b|=|\b(?:the|this|that|a) {PERIOD}")

# Order matters: the first kind whose pattern matches is the update. An end of the trade (stopped out,
# cancelled, closed) comes first: a post edited to say so may still list the targets it hit on the way.
_PATTERNS: tuple[tuple[Update, re.Pattern[str]], ...] = (
    (
        "stop_hit",
        re.compile(
            rf"\b{_STOP}\s*(?:was |has been |got )?(?:hit|hitted|triggered|reached|touched|taken|❌)|"
            rf"\b(?:stopped out|hit (?:the |our )?{_STOP}|closed (?:at|by|on) (?:the |a )?(?:trailing )?{_STOP})\b|"
            rf"\b{_STOP}\s*:?\s*{_PRICE}\s*{_LOSS_MARK}|^{_STOP}$"
        ),
    ),
    (
        "cancel",
        re.compile(
            r"\b(?:cancel|cancelled|canceled|cancelling|delete|ignore|scrap|void)\b.*\b(?:signal|setup|call)\b|"
            r"\b(?:signal|trade|setup|call) (?:is |was |has been )?(?:cancelled|canceled|invalid|invalidated|void|off)\b|"
            r"\b(?:cancelled|canceled|cancelling)\b|\bclosed without (?:entry|entering|being filled)\b"
        ),
    ),
    (
        "close",
        re.compile(
            r"\b(?:trade|trades|position|positions|signal|operation|order|long|short)s?(?: [#$]?\w+)? (?:is |are |was |"
            r"were |has been |"
            rf"have been |got )?closed\b|\bclosed due to\b|\bwe (?:close|closed|exit|exited)\b(?! (?:the |this |our |a )?{PERIOD})|\bexited\b|"
            r"\ball closed\b|\bclosed (?:in|with) (?:a )?(?:profit|loss|gain)\b|^(?:close|closed)$|\bfinal (?:p ?& ?l|pnl|result)\b|\bexit signal\b"
        ),
    ),
    (
        "move_stop_to_entry",
        re.compile(
            rf"\b(?:move|moving|moved|set|put|shift|adjust|bring|trail|change)?\s*(?:the |your |our )?{_STOP}\s*"
            rf"(?:now |has been |have been |was |is )?(?:moved |set |placed |shifted )?(?:to|at|on|in|=|->|➡)\s*"
            rf"(?:the |your |our )?{_ENTRY_WORD}(?!\w)|\b{_STOP}\s*(?:-|:)?\s*(?:breakeven|break ?even|be)\b|"
            r"\b(?:breakeven|break ?even) (?:stop|sl)\b|\brisk ?free\b|\bset (?:the )?(?:breakeven|break ?even)\b|"
            r"\bmov\w* (?:\w+ ){0,4}to (?:the )?(?:breakeven|break ?even|be)\b"
        ),
    ),
    (
        "move_stop",
        re.compile(
            rf"\b(?:move|moving|moved|set|put|shift|adjust|raise|lower|trail|change|update|new)\s*(?:the |your |our )?"
            rf"{_STOP}\b.*?\d|\b{_STOP}\s*(?:moved|changed|updated|adjusted|raised|lowered)\b|"
            rf"\b(?:i|we)(?: will|'ll| am| are|'m|'re)? (?:move|adjust|set|raise|lower|trail)\w* (?:my |our |the )?"
            rf"{_STOP}\b.*?\d|"
            r"\btrailing stop (?:activated|tightened|moved|updated|raised|adjusted)\b"
        ),
    ),
    (
        "entry_filled",
        re.compile(
            r"\b(?:entry|entries|entry zone|buy order|sell order|limit order|order)\s*#?\s*\d{0,2}\s*"
            r"(?:was |has been |got |is )?(?:(?:filled|triggered|activated|executed|reached|done|hit)\b|✅)|"
            r"\b(?:all )?entry (?:targets?|points?) (?:achieved|reached|filled|done)\b|\bentered (?:at|the)\b|"
            r"\b(?:signal|trade|position) (?:is |was |has been )?(?:activated|triggered|opened)\b"
        ),
    ),
    (
        "target_hit",
        re.compile(
            rf"\b{_TARGET}\s*#?\s*{_NUMBERS}\s*(?:was |has been |is |got )?(?:successfully )?{_DONE}|"
            rf"\ball {_TARGET} {_DONE}|\b{_DONE} {_TARGET}\s*\d{{0,2}}\b|\b(?:hit|reached|achieved) (?:the )?(?:first|second|"
            rf"third|1st|2nd|3rd|\d+(?:st|nd|rd|th)?) {_TARGET}|"
            rf"\b{_TARGET}\s*\d{{0,2}}\s*:?\s*{_PRICE}\s*{_WIN_MARK}"
        ),
    ),
    ("target_hit", _PIPS),
    (
        "close",
        re.compile(
            r"\b(?:close|closing|exit|take (?:the |all )?profits?|book (?:the |all )?profits?)\b.*"
            r"\b(?:now|immediately|asap|here|manually|early|this (?:trade|signal|position))\b"
        ),
    ),
)


def read_update(text: str) -> Update | None:
    """The follow-up a message is, read on its joined lower-case words; None for anything else."""
    for kind, pattern in _PATTERNS:
        if pattern.search(text) and not (pattern is _PIPS and _TALLY.search(text)):
            return kind
    return None
