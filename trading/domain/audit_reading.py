"""An export's posts as the signal reader read them, and its follow-ups matched to their signals as the bot
matches them live: the signal a post replies to, else the channel's latest signal still running on the market
the post names (any market, where it names none). What could not be read is listed, never guessed."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from trading.domain.audit import AuditSignal, FollowUp, FollowUpAction
from trading.domain.audit_export import ExportPost
from trading.domain.signals import SignalSpec


@dataclass(frozen=True, slots=True)
class SignalRead:
    spec: SignalSpec


@dataclass(frozen=True, slots=True)
class FollowUpRead:
    """`action`: what it changes (None for a report: a target hit, an entry filled); `ends`: the signal is over
    after it (stopped out, closed, cancelled), so later follow-ups go to another."""

    action: FollowUpAction | None
    symbol: str | None = None
    stop: Decimal | None = None
    ends: bool = False


@dataclass(frozen=True, slots=True)
class OpensNothing:
    """Read, and opens nothing: commentary, a result, an advert."""


@dataclass(frozen=True, slots=True)
class Unread:
    why: str


PostReading = SignalRead | FollowUpRead | OpensNothing | Unread


@dataclass(frozen=True, slots=True)
class UnreadPost:
    post_id: int
    text: str
    why: str


@dataclass(frozen=True, slots=True)
class ReadChannel:
    signals: tuple[AuditSignal, ...]
    read: int  # posts understood: signals, follow-ups matched, posts that open nothing
    follow_ups: int
    unread: tuple[UnreadPost, ...]


NO_SIGNAL = "a follow-up with no earlier signal of the channel to apply it to"
NO_STOP = "it moves the stop but gives no price for it"


def match_posts(posts: Sequence[ExportPost], readings: Sequence[PostReading]) -> ReadChannel:
    """The signals of the export, each with the follow-ups matched to it, in time order."""
    signals: dict[int, AuditSignal] = {}
    running: list[int] = []  # post ids of signals not ended, oldest first
    unread: list[UnreadPost] = []
    read = follow_ups = 0
    for post, reading in zip(posts, readings, strict=True):
        if isinstance(reading, Unread):
            unread.append(UnreadPost(post.id, post.text, reading.why))
            continue
        if isinstance(reading, SignalRead):
            signals[post.id] = AuditSignal(post.id, post.at, reading.spec)
            running.append(post.id)
        elif isinstance(reading, FollowUpRead):
            why = _apply(post, reading, signals, running)
            if why is not None:
                unread.append(UnreadPost(post.id, post.text, why))
                continue
            follow_ups += 1
        read += 1
    return ReadChannel(tuple(signals.values()), read, follow_ups, tuple(unread))


def _apply(
    post: ExportPost, reading: FollowUpRead, signals: dict[int, AuditSignal], running: list[int]
) -> str | None:
    """Match a follow-up and add what it changes to its signal; why not, where it cannot be."""
    target = _matched(post, reading, signals, running)
    if target is None:
        return NO_SIGNAL
    if reading.action is FollowUpAction.MOVE_STOP and reading.stop is None:
        return NO_STOP
    # An edited post says what it says from its edit on; the export keeps no earlier text.
    at = post.edited_at or post.at
    if reading.action is not None:
        signal = signals[target]
        follow_up = FollowUp(at, reading.action, reading.stop)
        signals[target] = replace(signal, follow_ups=(*signal.follow_ups, follow_up))
    if reading.ends and target in running:
        running.remove(target)
    return None


def _matched(
    post: ExportPost, reading: FollowUpRead, signals: dict[int, AuditSignal], running: list[int]
) -> int | None:
    if post.reply_to in signals:
        return post.reply_to
    for post_id in reversed(running):
        if reading.symbol is None or signals[post_id].spec.symbol == reading.symbol:
            return post_id
    return None
