"""The DerivativesGateway over ccxt.async_support: linear perpetuals on binanceusdm, bybit or another ccxt id with
swap markets.

Orders go through the spot gateway (rounding at the boundary, the client order id, a retried order looked up
before it is placed again), with ccxt's unified `reduceOnly` where the request asks for it; in contracts where a
venue's contract is a fraction of a coin (OKX, `contracts.py`), in coins to and from the core. A stop loss is a
reduce-only stop-market order (OrderType.STOP); a take profit is a reduce-only limit order resting at the target
(OrderType.LIMIT), which every venue holds as it is. Only one-way position mode is traded: an account in hedge
mode is refused before any order with a sentence that says what to change. Bybit's unified account keeps one
margin mode for the whole account, so setting it for one symbol sets it for all.
"""

import asyncio
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from ccxt.base import errors as ccxt_errors

from trading.ccxt.account_events import CcxtAccountEvents
from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.contracts import market_in_coins, order_in_coins, request_in_contracts
from trading.ccxt.convert import decimal_or_none, funding_rate_from_ccxt
from trading.ccxt.gateway import CcxtGateway
from trading.ccxt.market_data import CcxtMarketData
from trading.ccxt.positions import CcxtPositions
from trading.domain.accounts import AssetBalance, Credentials
from trading.domain.errors import InvalidInput, InvalidOrder, UnknownSymbol
from trading.domain.futures import FundingRate, FuturesPosition, MarginMode, MarketType, PositionMode
from trading.domain.futures_events import FuturesEvent
from trading.domain.market import Market, Ticker, parse_symbol
from trading.domain.orders import ExchangeOrder, OrderRequest

FUTURES_OPTIONS: Mapping[str, Any] = {"defaultType": "swap", "defaultSubType": "linear"}
# Only the linear markets are loaded where ccxt would load every kind (Bybit's options alone are thousands).
LINEAR_MARKETS_ONLY: Mapping[str, Mapping[str, Any]] = {
    "binance": {"fetchMarkets": {"types": ["linear"]}},
    "bybit": {"fetchMarkets": {"types": ["linear"]}},
    "okx": {"fetchMarkets": {"types": ["swap"]}},
}
# Venues where an order names its own margin mode (OKX's tdMode) and the leverage is kept per margin mode: the mode
# set for a symbol goes with its leverage and its orders, not to the venue on its own.
MARGIN_MODE_PER_ORDER = frozenset({"okx"})
# Venues whose stops tsbot holds itself: OKX keeps a stop as an algo order under a client id of its own
# (algoClOrdId), which the look-up by client order id does not reach.
STOPS_HELD_BY_TSBOT = frozenset({"okx"})
# Bybit's 110043 "leverage not modified": the leverage is already what was asked.
_LEVERAGE_UNCHANGED = "not modified"


class CcxtDerivativesGateway:
    """One futures account on one ccxt venue; its session's client defaults to linear swaps (see `open`)."""

    def __init__(self, session: CcxtSession) -> None:
        self._session = session
        self._client = session.client
        self._orders = CcxtGateway(session)
        self._positions = CcxtPositions(session)
        self._events = CcxtAccountEvents(session)
        self.name = session.exchange_id
        self._markets: dict[str, Market] | None = None
        self._margin_modes: dict[str, MarginMode] = {}
        self._markets_lock = asyncio.Lock()

    @classmethod
    def open(
        cls, config: CcxtVenueConfig, credentials: Credentials | None = None
    ) -> "CcxtDerivativesGateway":
        """A gateway with its own ccxt client set to linear swaps, closed by `close()`. No I/O until the first
        call."""
        options = {**FUTURES_OPTIONS, **LINEAR_MARKETS_ONLY.get(config.exchange_id, {}), **config.options}
        return cls(CcxtSession.open(replace(config, options=options), credentials))

    @property
    def market_data(self) -> CcxtMarketData:
        return self._orders.market_data

    # Markets

    async def markets(self) -> Mapping[str, Market]:
        """The venue's linear perpetuals, each with the most leverage it takes; none, without a request, where
        ccxt says the venue has no swap markets."""
        if self._markets is None:
            async with self._markets_lock:
                if self._markets is None:
                    swaps = self._client.has.get("swap") is not False
                    listed = await self._session.markets() if swaps else {}
                    futures = [m for m in listed.values() if m.market_type is MarketType.FUTURES]
                    ceilings = await self._leverage_ceilings(futures)
                    self._markets = {
                        m.symbol: market_in_coins(
                            replace(m, max_leverage=m.max_leverage or ceilings.get(m.symbol)),
                            self._contract_size(m.symbol),
                        )
                        for m in futures
                    }
        return self._markets

    async def market(self, symbol: str) -> Market:
        """By its symbol, or a pair's ('BTC/USDT') perpetual settled in its quote ('BTC/USDT:USDT')."""
        markets = await self.markets()
        found = markets.get(symbol) or markets.get(_perpetual_of(symbol.upper()))
        if found is None:
            raise UnknownSymbol(f"{self._session.venue} lists no linear perpetual {symbol}.")
        return found

    async def ticker(self, symbol: str) -> Ticker:
        return await self._orders.ticker((await self.market(symbol)).symbol)

    async def funding_rate(self, symbol: str) -> FundingRate:
        market = await self.market(symbol)
        fetch = partial(self._client.fetch_funding_rate, market.symbol)
        return funding_rate_from_ccxt(await self._session.call(fetch, market.symbol), market.symbol)

    async def _leverage_ceilings(self, futures: Sequence[Market]) -> dict[str, Decimal]:
        """Read from the venue's leverage tiers where its markets name no maximum (Binance's brackets, which it
        shows only to a signed request)."""
        client = self._client
        if all(m.max_leverage is not None for m in futures) or not client.has.get("fetchLeverageTiers"):
            return {}
        if not client.check_required_credentials(False):
            return {}
        tiers = await self._session.call(client.fetch_leverage_tiers)
        return {
            symbol: max(Decimal(str(tier["maxLeverage"])) for tier in entries)
            for symbol, entries in tiers.items()
            if entries and all(tier.get("maxLeverage") for tier in entries)
        }

    # Account

    async def balances(self) -> Mapping[str, AssetBalance]:
        """The currencies the venue's perpetuals settle in (USDT, USDC)."""
        settles = {str(self._client.markets[symbol].get("settle")) for symbol in await self.markets()}
        return {asset: b for asset, b in (await self._orders.balances()).items() if asset in settles}

    async def position_mode(self) -> PositionMode:
        """The account's mode. Where the venue names none (Bybit), as one of its perpetuals shows it: a symbol
        asked by name is listed held or not, and in hedge mode as a long and a short side."""
        if self._client.has.get("fetchPositionMode"):
            return await self._position_mode(None)
        return await self._position_mode(min(await self.markets(), default=None))

    async def set_leverage(self, symbol: str, leverage: Decimal) -> None:
        market = await self.market(symbol)
        if leverage < 1 or leverage != leverage.to_integral_value():
            raise InvalidInput(f"Leverage is a whole number from 1x up; {_times(leverage)} is not.")
        ceiling = market.max_leverage
        if ceiling is not None and leverage > ceiling:
            raise InvalidOrder(
                f"{self._session.venue} takes at most {_times(ceiling)} on {market.symbol}; "
                f"{_times(leverage)} was asked."
            )
        try:
            await self._session.call(
                partial(self._switch_leverage, int(leverage), market.symbol), market.symbol
            )
        except InvalidOrder as refused:
            at_most = (
                f"; it lists at most {_times(ceiling)} there, less for a large position" if ceiling else ""
            )
            raise InvalidOrder(
                f"{self._session.venue} refused {_times(leverage)} leverage on {market.symbol}{at_most}."
            ) from refused

    async def set_margin_mode(self, symbol: str, mode: MarginMode) -> None:
        market = await self.market(symbol)
        if self.name in MARGIN_MODE_PER_ORDER:
            self._margin_modes[market.symbol] = mode
            return
        await self._session.call(partial(self._switch_margin_mode, mode, market.symbol), market.symbol)

    async def positions(self, symbols: Sequence[str] | None = None) -> Sequence[FuturesPosition]:
        wanted = [(await self.market(symbol)).symbol for symbol in symbols] if symbols is not None else None
        return await self._positions.open_positions(wanted, datetime.now(UTC))

    async def account_events(self, since: datetime | None) -> Sequence[FuturesEvent]:
        """Funding and liquidations on the venue's linear perpetuals, from its records (FuturesEventSource)."""
        return await self._events.since(since, await self.markets())

    # Orders

    async def create_order(self, request: OrderRequest) -> ExchangeOrder:
        symbol = (await self.market(request.symbol)).symbol
        if await self._position_mode(symbol) is PositionMode.HEDGE:
            raise InvalidOrder(
                f"Your {self._session.venue} account is in hedge mode, which tsbot does not trade; switch it to "
                "one-way mode at the venue and try again."
            )
        size = self._contract_size(symbol)
        in_contracts = request_in_contracts(replace(request, symbol=symbol), size)
        placed = await self._orders.create_order(in_contracts, await self._margin_mode_params(symbol))
        return order_in_coins(placed, size)

    async def fetch_order(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        symbol = (await self.market(symbol)).symbol
        found = await self._orders.fetch_order(symbol, client_order_id)
        return order_in_coins(found, self._contract_size(symbol)) if found is not None else None

    async def cancel_order(self, symbol: str, client_order_id: str) -> ExchangeOrder:
        symbol = (await self.market(symbol)).symbol
        cancelled = await self._orders.cancel_order(symbol, client_order_id)
        return order_in_coins(cancelled, self._contract_size(symbol))

    async def holds_stops(self, symbol: str) -> bool:
        if self.name in STOPS_HELD_BY_TSBOT:
            return False
        return await self._orders.holds_stops((await self.market(symbol)).symbol)

    async def close(self) -> None:
        await self._session.close()

    # The venue's settings

    async def _position_mode(self, symbol: str | None) -> PositionMode:
        client = self._client
        if client.has.get("fetchPositionMode"):
            hedged = (await self._session.call(partial(client.fetch_position_mode, symbol))).get("hedged")
        else:
            # Bybit names no mode: in hedge mode a symbol's positions come as a long and a short side.
            listed = await self._session.call(partial(client.fetch_positions, [symbol] if symbol else None))
            hedged = any(raw.get("hedged") for raw in listed)
        return PositionMode.HEDGE if hedged else PositionMode.ONE_WAY

    async def _switch_leverage(self, leverage: int, symbol: str) -> None:
        try:
            await self._client.set_leverage(leverage, symbol, await self._margin_mode_params(symbol))
        except ccxt_errors.BadRequest as error:
            if _LEVERAGE_UNCHANGED not in str(error).lower():
                raise

    async def _switch_margin_mode(self, mode: MarginMode, symbol: str) -> None:
        # Binance's -4046 "No need to change margin type.", Bybit's 110026: it is so already.
        with suppress(ccxt_errors.NoChange):
            await self._client.set_margin_mode(mode.value, symbol)

    async def _margin_mode_params(self, symbol: str) -> dict[str, Any]:
        """Where an order and a leverage name their margin mode: the one set for the symbol; after a restart, the
        open position's (a close must trade in it), else cross."""
        if self.name not in MARGIN_MODE_PER_ORDER:
            return {}
        mode = self._margin_modes.get(symbol)
        if mode is None:
            held = await self._positions.open_positions([symbol], datetime.now(UTC))
            mode = held[0].margin_mode if held else MarginMode.CROSS
        return {"marginMode": mode.value}

    def _contract_size(self, symbol: str) -> Decimal:
        """In the base asset: one on Binance's and Bybit's linear perpetuals, a fraction on OKX's swaps."""
        return decimal_or_none(self._client.markets[symbol].get("contractSize")) or Decimal(1)


def _perpetual_of(symbol: str) -> str:
    if ":" in symbol:
        return symbol
    try:
        _, quote = parse_symbol(symbol)
    except InvalidInput:
        return symbol
    return f"{symbol}:{quote}"


def _times(leverage: Decimal) -> str:
    return f"{leverage.normalize():f}x"
