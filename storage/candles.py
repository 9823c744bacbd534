"""trading.ports.CandleStore on SQL (the default): a table of candles by venue, symbol, timeframe and time."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit_models import CandleRow
from storage.models import table_of
from storage.transaction import Transaction
from trading.domain.market import Candle

_CANDLES = table_of(CandleRow)
_KEY = (
    (_CANDLES.c.venue == bindparam("venue"))
    & (_CANDLES.c.symbol == bindparam("symbol"))
    & (_CANDLES.c.timeframe == bindparam("timeframe"))
)
_LOAD = (
    select(
        _CANDLES.c.opened_at,
        _CANDLES.c.open,
        _CANDLES.c.high,
        _CANDLES.c.low,
        _CANDLES.c.close,
        _CANDLES.c.volume,
    )
    .where(_KEY, _CANDLES.c.opened_at >= bindparam("start"), _CANDLES.c.opened_at < bindparam("end"))
    .order_by(_CANDLES.c.opened_at)
)
_CLEAR = delete(_CANDLES).where(
    _KEY, _CANDLES.c.opened_at >= bindparam("first"), _CANDLES.c.opened_at <= bindparam("last")
)


class SqlCandleStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(
        self, venue: str, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Candle]:
        transaction = Transaction(self._engine)
        try:
            rows = await transaction.execute(
                _LOAD, {"venue": venue, "symbol": symbol, "timeframe": timeframe, "start": start, "end": end}
            )
            return [Candle(r.opened_at, r.open, r.high, r.low, r.close, r.volume) for r in rows]
        finally:
            await transaction.close()

    async def save(self, venue: str, symbol: str, timeframe: str, candles: Sequence[Candle]) -> None:
        """Candles of one fetch replace those kept over the same times, in one transaction."""
        if not candles:
            return
        key = {"venue": venue, "symbol": symbol, "timeframe": timeframe}
        transaction = Transaction(self._engine)
        try:
            await transaction.execute(
                _CLEAR, {**key, "first": candles[0].opened_at, "last": candles[-1].opened_at}
            )
            await transaction.execute(
                insert(_CANDLES),
                [
                    {
                        **key,
                        "opened_at": c.opened_at,
                        "open": c.open,
                        "high": c.high,
                        "low": c.low,
                        "close": c.close,
                        "volume": c.volume,
                    }
                    for c in candles
                ],
            )
            await transaction.commit()
        finally:
            await transaction.close()
