"""The signal reader as an audit reads a channel's history: each post through the same pipeline, the same
signal fields and the same doubts as a live post; a reading the bot would ask back about is not read."""

from handlers.posts import reading_doubt, spec_of
from nlp.pipeline import Pipeline
from nlp.result import ParseResult
from trading.domain.audit import FollowUpAction
from trading.domain.audit_reading import FollowUpRead, OpensNothing, PostReading, SignalRead, Unread
from trading.domain.errors import InvalidInput
from trading.domain.signals import check_signal

# What each follow-up changes; a report (a target hit, an entry filled, the stop hit) changes nothing itself.
ACTIONS: dict[str, FollowUpAction | None] = {
    "target_hit": None,
    "entry_filled": None,
    "stop_hit": None,
    "move_stop": FollowUpAction.MOVE_STOP,
    "move_stop_to_entry": FollowUpAction.MOVE_STOP_TO_ENTRY,
    "close": FollowUpAction.CLOSE,
    "cancel": FollowUpAction.CANCEL,
}
ENDS = frozenset({"stop_hit", "close", "cancel"})


class PipelineReader:
    """trading.ports.PostReader over the NLP pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def read(self, text: str) -> PostReading:
        return reading_of(await self._pipeline.aparse(text))


def reading_of(parsed: ParseResult) -> PostReading:
    if parsed.update is not None:
        update = parsed.update
        return FollowUpRead(ACTIONS[update], parsed.symbol, parsed.stop_loss, ends=update in ENDS)
    if parsed.intent != "signal":
        if parsed.unread:
            return Unread(f"words the reader does not read ({', '.join(parsed.unread[:3])})")
        return OpensNothing()
    spec = spec_of(parsed)
    if spec is None:
        return Unread("a signal without a market, a side or an entry price")
    doubt = reading_doubt(parsed)
    if doubt is not None:
        return Unread(doubt)
    try:
        check_signal(spec)
    except InvalidInput as error:
        return Unread(error.message)
    return SignalRead(spec)
