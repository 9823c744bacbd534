"""The ports an audit of a channel needs: a reader of its posts, candles from the venue, and a store that keeps
them so that every later audit and chart reuses them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from trading.domain.audit_reading import PostReading
from trading.domain.audit_report import AuditRecord, AuditReport
from trading.domain.market import Candle


class PostReader(Protocol):
    async def read(self, text: str) -> PostReading:
        """The post as the signal reader reads it live; a reading it is unsure of is Unread, never guessed."""
        ...


class CandleSource(Protocol):
    """A venue's candle history (ccxt's fetch_ohlcv, paged within its rate limits)."""

    @property
    def name(self) -> str: ...

    @property
    def requests(self) -> int:
        """Requests made to the venue so far."""
        ...

    async def history(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> Sequence[Candle]:
        """Candles opening in [start, end), oldest first; UnknownSymbol where the venue has no such market."""
        ...


class CandleStore(Protocol):
    async def load(
        self, venue: str, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Candle]:
        """The candles kept that open in [start, end), oldest first."""
        ...

    async def save(self, venue: str, symbol: str, timeframe: str, candles: Sequence[Candle]) -> None:
        """Keep candles; one kept already (same venue, symbol, timeframe and time) is replaced."""
        ...


class AuditRepository(Protocol):
    async def add(
        self,
        user_id: int,
        title: str,
        created_at: datetime,
        report: AuditReport,
        unread: Sequence[tuple[int, str]],
    ) -> AuditRecord: ...

    async def for_user(self, user_id: int, limit: int = 50) -> Sequence[AuditRecord]:
        """The user's audits, newest first."""
        ...

    async def get(self, user_id: int, audit_id: int) -> AuditRecord | None:
        """One of the user's audits; None where it is not theirs or does not exist."""
        ...
