"""What a ccxt futures venue settled on an account on its own, read from its records: funding (ccxt's
`fetch_funding_history`: Binance's income, Bybit's funding executions, OKX's bills) and liquidations (ccxt's
`fetch_my_liquidations`: Binance's force orders, Bybit's bust trades), each under the venue's own id for it.

ccxt leaves a funding amount's sign as the venue gives it: Binance's income and OKX's bills count what the
account received, Bybit's execFee what it paid. A liquidation filled in several trades is one event, by its order.
A venue whose client has neither (ccxt's `has`) reports none.
"""

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from trading.ccxt.client import CcxtSession
from trading.ccxt.convert import ZERO, decimal_or_none, decimal_or_zero
from trading.domain.futures import FundingPayment
from trading.domain.futures_events import FuturesEvent, LiquidationFill

# Venues whose funding records count what the account paid, not what it received.
FUNDING_PAID_POSITIVE = frozenset({"bybit"})


class CcxtAccountEvents:
    def __init__(self, session: CcxtSession) -> None:
        self._session = session
        self._client = session.client

    async def since(self, since: datetime | None, symbols: Collection[str]) -> list[FuturesEvent]:
        """The funding and liquidations in `symbols` at `since` or later (all, where None), oldest first."""
        since_ms = int(since.timestamp() * 1000) if since is not None else None
        events = [*await self._funding(since_ms, symbols), *await self._liquidations(since_ms, symbols)]
        return sorted(events, key=lambda e: (e.timestamp, e.event_id))

    async def _funding(self, since_ms: int | None, symbols: Collection[str]) -> list[FuturesEvent]:
        if not self._client.has.get("fetchFundingHistory"):
            return []
        records = await self._session.call(partial(self._client.fetch_funding_history, None, since_ms))
        paid_sign = 1 if self._session.exchange_id in FUNDING_PAID_POSITIVE else -1
        events = []
        for record in _complete(records, symbols, "id", "amount"):
            rate, amount = decimal_or_none(record.get("rate")), decimal_or_zero(record["amount"])
            payment = FundingPayment(record["symbol"], rate, paid_sign * amount, _at(record))
            events.append(FuturesEvent(f"funding:{record['id']}", payment))
        return events

    async def _liquidations(self, since_ms: int | None, symbols: Collection[str]) -> list[FuturesEvent]:
        if not self._client.has.get("fetchMyLiquidations"):
            return []
        records = await self._session.call(partial(self._client.fetch_my_liquidations, None, since_ms))
        by_order: dict[str, list[Mapping[str, Any]]] = {}
        for record in _complete(records, symbols, "contracts", "price"):
            info = record.get("info") or {}
            order_id = info.get("orderId") or info.get("ordId") or f"{record['symbol']}@{record['timestamp']}"
            by_order.setdefault(str(order_id), []).append(record)
        return [self._liquidation(order_id, fills) for order_id, fills in by_order.items()]

    def _liquidation(self, order_id: str, fills: Sequence[Mapping[str, Any]]) -> FuturesEvent:
        """One liquidation order's fills as one: their size in the base asset and their average price."""
        symbol = str(fills[0]["symbol"])
        contract_size = decimal_or_none(self._client.markets[symbol].get("contractSize")) or Decimal(1)
        sizes = [decimal_or_zero(fill["contracts"]) * contract_size for fill in fills]
        size = sum(sizes, ZERO)
        value = sum((s * decimal_or_zero(f["price"]) for s, f in zip(sizes, fills, strict=True)), ZERO)
        at = max(_at(fill) for fill in fills)
        return FuturesEvent(f"liquidation:{order_id}", LiquidationFill(symbol, size, value / size, at))


def _complete(
    records: Sequence[Mapping[str, Any]], symbols: Collection[str], *needed: str
) -> list[Mapping[str, Any]]:
    """The records of `symbols` with a time and what else is `needed` (a venue lists other markets' too)."""
    return [
        record
        for record in records
        if record.get("symbol") in symbols
        and record.get("timestamp") is not None
        and all(record.get(key) not in (None, "", 0) for key in needed)
    ]


def _at(record: Mapping[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(record["timestamp"]) / 1000, tz=UTC)
