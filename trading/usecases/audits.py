"""Audit a channel before following it: its Telegram export read through the signal reader, each signal played
on the venue's candles with the live trade rules, the report kept for the user. The same use case for the
chat, the API and `tsbot audit`."""

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.audit import AuditRules, AuditSignal, SimulatedTrade, simulate
from trading.domain.audit_export import ChannelExport
from trading.domain.audit_files import export_json, read_channel_export
from trading.domain.audit_reading import ReadChannel, UnreadPost, match_posts
from trading.domain.audit_report import AuditRecord, audit_report
from trading.domain.audit_settings import settings_text
from trading.domain.audit_stops import AuditStopMode
from trading.domain.errors import InvalidInput, NotFound
from trading.ports.audit import CandleSource, CandleStore, PostReader
from trading.ports.jobs import JobQueue, JobRun, JsonValue, Retry
from trading.usecases.candle_cache import CandleCache
from trading.usecases.core import Core
from trading.usecases.pricing import pair_of

TIMEFRAME = "1h"
FINER = "15m"  # what decides an hour that reached both the stop and a target
# A progress line every this many posts or signals at least, so that a long audit edits its message a few dozen
# times, not once a post (Telegram allows about one edit a second a chat).
PROGRESS_EVERY = 50

# How far along (0 to 1) and the line to show.
Progress = Callable[[float, str], Awaitable[None]]
# Reading the posts is about a tenth of an audit whose candles are stored: the rest is the simulation.
READING_SHARE = 0.1
AUDIT_JOB = "audit_export"
# An audit is tried twice at most (a venue down for a while), each attempt given half an hour.
AUDIT_RETRY = Retry(attempts=2, timeout=timedelta(minutes=30))


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    record: AuditRecord
    trades: tuple[SimulatedTrade, ...]
    hit_rate: float | None  # of the candle store
    requests: int  # made to the venue for candles


@dataclass(slots=True)
class _Pace:
    """The progress line, with the time left estimated from the pace so far."""

    total: int
    progress: Progress | None
    span: tuple[float, float]  # the share of the whole audit this stage goes from and to
    started: float = field(default_factory=time.monotonic)

    async def tell(self, done: int, what: str) -> None:
        if self.progress is None or done % PROGRESS_EVERY:
            return
        elapsed = time.monotonic() - self.started
        left = elapsed / done * (self.total - done) if done else 0.0
        low, high = self.span
        fraction = low + (high - low) * done / self.total
        await self.progress(fraction, f"Audit: {done:,} of {self.total:,} {what}, {_about(left)}")


def _about(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute left"
    return f"about {round(seconds / 60):,} min left"


@dataclass
class Auditor:
    core: Core
    reader: PostReader
    source: CandleSource
    store: CandleStore
    rules: AuditRules = field(default_factory=AuditRules)

    async def audit(self, user_id: int, content: bytes, progress: Progress | None = None) -> AuditOutcome:
        """Read, simulate and keep the audit of an export. InvalidInput, with nothing kept, where the file is no
        export."""
        export = read_channel_export(content)
        rules, source = await self.rules_for(user_id, export.title)
        channel = await self.read(export, progress)
        cache = CandleCache(self.source, self.store, self.core.clock)
        trades, missing = await self.simulate(channel.signals, cache, progress, rules)
        unread = [(p.post_id, p.why) for p in (*channel.unread, *missing)]
        prices = await _first_and_last(trades, cache, self.core.clock.now())
        report = audit_report(
            len(export.posts), len(channel.signals), channel.read, trades, self.rules.amount, prices
        )
        report = replace(report, settings=settings_text(rules, source))
        async with self.core.uow() as uow:
            record = await uow.audits.add(user_id, export.title, self.core.clock.now(), report, unread)
            await uow.commit()
        return AuditOutcome(record, tuple(trades), cache.hit_rate, self.source.requests)

    async def rules_for(self, user_id: int, title: str) -> tuple[AuditRules, str | None]:
        """The rules following the channel would use: the entry rules and stop mode of the user's signal source
        of the export's title (and its name), else the defaults."""
        async with self.core.uow(read_only=True) as uow:
            for source, _ in await uow.signals.for_user(user_id):
                if source.title.casefold() == title.casefold():
                    entry = await uow.entry_rules.of_source(source.id)
                    kind = source.stop_mode
                    mode = (
                        None
                        if kind is None
                        else AuditStopMode(kind, source.stop_mode_percent, source.stop_mode_after_target)
                    )
                    return replace(self.rules, entry=entry, stop_mode=mode), f"#{source.id} {source.title}"
        return self.rules, None

    async def read(self, export: ChannelExport, progress: Progress | None = None) -> ReadChannel:
        pace = _Pace(len(export.posts), progress, (0.0, READING_SHARE))
        readings = []
        for done, post in enumerate(export.posts, 1):
            readings.append(await self.reader.read(post.text))
            await pace.tell(done, "posts read")
        return match_posts(export.posts, readings)

    async def simulate(
        self,
        signals: Sequence[AuditSignal],
        cache: CandleCache,
        progress: Progress | None = None,
        rules: AuditRules | None = None,
    ) -> tuple[list[SimulatedTrade], list[UnreadPost]]:
        """Each signal on its market's candles with `rules` (the auditor's where None); a signal whose market
        the venue does not have, or that the rules cannot split, is listed."""
        played_with = rules or self.rules
        pace = _Pace(len(signals), progress, (READING_SHARE, 1.0))
        trades: list[SimulatedTrade] = []
        missing: list[UnreadPost] = []
        quote = self.core.config.paper_quote
        for done, signal in enumerate(signals, 1):
            pair = pair_of(signal.spec.symbol, None, quote)
            priced = replace(signal, spec=replace(signal.spec, symbol=pair))
            try:
                trades.append(await self._played(priced, cache, played_with))
            except InvalidInput as error:  # no such market at the venue, or a custom split that does not fit;
                # a venue down is raised (and retried)
                missing.append(UnreadPost(signal.post_id, "", f"not simulated: {error.message}"))
            await pace.tell(done, "signals simulated")
        return trades, missing

    async def _played(self, signal: AuditSignal, cache: CandleCache, rules: AuditRules) -> SimulatedTrade:
        end = signal.at + rules.hold + timedelta(hours=1)
        candles = await cache.candles(signal.spec.symbol, TIMEFRAME, signal.at - timedelta(hours=1), end)
        trade = simulate(signal, candles, rules)
        if trade.stop_assumed_first and trade.exited_at is not None:
            hour = trade.exited_at
            finer = await cache.candles(signal.spec.symbol, FINER, hour, hour + timedelta(hours=1))
            trade = simulate(signal, candles, rules, finer)
        return trade


async def _first_and_last(
    trades: Sequence[SimulatedTrade], cache: CandleCache, now: datetime
) -> dict[str, tuple[Decimal, Decimal]]:
    """Each coin's price at its first signal and at the end of the audit's history, for buy-and-hold."""
    prices: dict[str, tuple[Decimal, Decimal]] = {}
    for symbol in sorted({t.symbol for t in trades if t.filled}):
        ours = [t for t in trades if t.symbol == symbol]
        first_at = min(t.signal_at for t in ours)
        last_at = min(max(t.exited_at or t.signal_at for t in ours), now)
        first = await cache.candles(symbol, TIMEFRAME, first_at, first_at + timedelta(hours=2))
        last = await cache.candles(
            symbol, TIMEFRAME, last_at - timedelta(hours=2), last_at + timedelta(hours=1)
        )
        if first and last:
            prices[symbol] = (first[0].open, last[-1].close)
    return prices


async def audits_of(core: Core, user_id: int) -> Sequence[AuditRecord]:
    async with core.uow(read_only=True) as uow:
        return await uow.audits.for_user(user_id)


async def audit_of(core: Core, user_id: int, audit_id: int) -> AuditRecord:
    async with core.uow(read_only=True) as uow:
        record = await uow.audits.get(user_id, audit_id)
    if record is None:
        raise NotFound(f"You have no audit #{audit_id}.")
    return record


@dataclass(frozen=True, slots=True)
class QueuedAudit:
    key: str
    export: ChannelExport


def audit_job_key(user_id: int, name: str) -> str:
    """The key of a user's audit job: the user's own in it, so that one user never reads another's."""
    return f"audit:{user_id}:{name}"


async def queue_audit(jobs: JobQueue, user_id: int, content: bytes, name: str) -> QueuedAudit:
    """An export (result.json, HTML or zipped) checked (InvalidInput, and nothing queued, where it is none) and its audit queued as a job
    under audit_job_key(user_id, name), whose progress and result the caller follows."""
    export = read_channel_export(content)
    key = audit_job_key(user_id, name)
    # As result.json whatever shape it came in (a zip is no text): the job reads it again in its process.
    kwargs: dict[str, JsonValue] = {"user_id": user_id, "export": export_json(export).decode()}
    await jobs.enqueue(AUDIT_JOB, key, kwargs, retry=AUDIT_RETRY)
    return QueuedAudit(key, export)


async def audit_job(auditor: "Auditor", run: JobRun, user_id: int, export: str) -> JsonValue:
    """The audit as a job: its progress reported to the queue (where the chat reads it), its record's id the
    job's result."""

    async def progress(fraction: float, line: str) -> None:
        await run.progress(fraction)

    outcome = await auditor.audit(user_id, export.encode(), progress)
    return {"audit_id": outcome.record.id, "hit_rate": outcome.hit_rate, "requests": outcome.requests}


def leaderboard(records: Sequence[AuditRecord]) -> list[AuditRecord]:
    """The user's audited channels, the best return at the fixed amount first."""
    return sorted(records, key=lambda r: (r.report.return_rate is None, -(r.report.return_rate or 0)))
