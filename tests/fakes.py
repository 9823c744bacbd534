"""Fakes that implement the core's ports in memory."""

import asyncio
from datetime import UTC, datetime, timedelta


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


class RecordingNotifier:
    """A Notifier that keeps what it sends; `failures`: how many sends fail first, as with Telegram down."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[tuple[int, str]] = []
        self._failures = failures

    async def notify(self, user_id: int, text: str, with_chart: bool = False) -> None:
        await asyncio.sleep(0.001)  # a send waits on the network: other tasks run meanwhile
        if self._failures:
            self._failures -= 1
            raise ConnectionError("Telegram unreachable")
        self.sent.append((user_id, text))
