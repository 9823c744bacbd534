"""Open futures positions read through ccxt, with what a venue's position listing leaves out read elsewhere.

Binance's positionRisk (v3) names no leverage: ccxt's `fetch_leverages` reads it (and the margin mode) from the
symbols' settings. Bybit's unified account keeps one margin mode for the whole account: ccxt's
`fetch_margin_mode` reads it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import partial

from trading.ccxt.client import CcxtSession
from trading.ccxt.convert import (
    decimal_or_none,
    position_from_ccxt,
    position_leverage,
    position_margin_mode,
    position_size,
)
from trading.domain.errors import ExchangeError
from trading.domain.futures import FuturesPosition, MarginMode


@dataclass(frozen=True, slots=True)
class SymbolSettings:
    leverage: Decimal | None = None
    margin_mode: MarginMode | None = None


class CcxtPositions:
    def __init__(self, session: CcxtSession) -> None:
        self._session = session
        self._client = session.client

    async def open_positions(self, symbols: Sequence[str] | None, now: datetime) -> list[FuturesPosition]:
        """The open positions in `symbols` (all of them when None)."""
        # Bybit lists one symbol or all: several are filtered here.
        ask = list(symbols) if symbols is not None and len(symbols) == 1 else None
        listed = await self._session.call(partial(self._client.fetch_positions, ask))
        held = [
            raw
            for raw in listed
            if position_size(raw) > 0 and (symbols is None or raw.get("symbol") in symbols)
        ]
        incomplete = {
            str(raw["symbol"])
            for raw in held
            if position_leverage(raw) is None or position_margin_mode(raw) is None
        }
        settings = await self._settings(sorted(incomplete))
        positions = []
        for raw in held:
            symbol = str(raw["symbol"])
            known = settings.get(symbol, SymbolSettings())
            leverage = position_leverage(raw) or known.leverage
            mode = position_margin_mode(raw) or known.margin_mode
            if leverage is None or mode is None:
                raise ExchangeError(
                    f"{self._session.venue} did not tell the leverage and margin mode of the {symbol} position."
                )
            position = position_from_ccxt(raw, leverage, mode, now)
            if position is not None:
                positions.append(position)
        return positions

    async def _settings(self, symbols: Sequence[str]) -> dict[str, SymbolSettings]:
        client, session = self._client, self._session
        settings = {symbol: SymbolSettings() for symbol in symbols}
        if symbols and client.has.get("fetchLeverages"):
            found = await session.call(partial(client.fetch_leverages, list(symbols)))
            for symbol, entry in found.items():
                leverage = decimal_or_none(entry.get("longLeverage") or entry.get("shortLeverage"))
                settings[symbol] = SymbolSettings(leverage, position_margin_mode(entry))
        for symbol, known in settings.items():
            if known.margin_mode is None and client.has.get("fetchMarginMode"):
                found = await session.call(partial(client.fetch_margin_mode, symbol), symbol)
                settings[symbol] = replace(known, margin_mode=position_margin_mode(found))
        return settings
