"""Building a ccxt client for one venue, and the session around it that every ccxt call goes through.

The session translates ccxt's exceptions into the project's own, retries what can pass, caches the markets
(loaded once) and rounds quantities and prices with ccxt's own precision helpers.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import ccxt.async_support as ccxt_async
from ccxt.base import errors as ccxt_errors

from trading.ccxt.convert import market_from_ccxt
from trading.ccxt.errors import ccxt_errors_translated
from trading.domain.accounts import Credentials
from trading.domain.errors import BelowMinimum, InvalidInput, UnknownSymbol
from trading.domain.futures import MarketType
from trading.domain.market import Market
from trading.exchanges.retry import RetryPolicy, Sleep, call_with_retries

T = TypeVar("T")

# Venues whose fetch_order finds an order by its client order id (Binance's origClientOrderId, OKX's clOrdId).
# Elsewhere the gateway searches the open and closed orders for it.
LOOKUP_BY_FETCH_ORDER = frozenset({"binance", "binanceus", "binanceusdm", "binancecoinm", "okx"})
# Extra parameters of the order listings, per venue: Kraken names an order's trades only when asked.
ORDER_LIST_PARAMS: Mapping[str, Mapping[str, Any]] = {"kraken": {"trades": True}}
# The parameter an order listing filters by client order id under, where ccxt passes it through unmapped.
CLIENT_ID_FILTER: Mapping[str, str] = {"bybit": "orderLinkId"}
# Venues that keep a contract's conditional orders apart from its other orders (Binance's algo orders):
# ccxt finds and cancels them with trigger=True.
TRIGGERS_APART = frozenset({"binance", "binanceusdm"})


@dataclass(frozen=True, slots=True)
class CcxtVenueConfig:
    """How to reach one ccxt venue.

    `api_urls` redirects ccxt's `urls['api']`: a string is an origin (scheme://host:port) that replaces the host
    of every API of the venue, keeping each one's path; a mapping replaces the named entries. `ws_urls` does the
    same for its websocket APIs (`urls['api']['ws']`, e.g. {"spot": "http://127.0.0.1:9000/stream"}), after
    `api_urls`. `options` are merged into ccxt's own options for the venue (e.g. {"defaultType": "swap"});
    `has` into ccxt's table of what the venue offers ({"watchTicker": False} turns its ticker stream off).
    """

    exchange_id: str
    testnet: bool = False
    api_urls: str | Mapping[str, str] | None = None
    ws_urls: str | Mapping[str, str] | None = None
    timeout_seconds: float = 10.0
    rate_limit: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)
    has: Mapping[str, bool] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def build_ccxt_client(
    config: CcxtVenueConfig, credentials: Credentials | None = None, streaming: bool = False
) -> Any:
    """A ccxt.async_support client; no I/O happens until its first request. `streaming`: ccxt.pro's client
    where ccxt has one for the venue (the same REST methods, and the websocket `watch_*` ones)."""
    if config.exchange_id not in ccxt_async.exchanges:
        raise InvalidInput(f"{config.exchange_id!r} is not an exchange that ccxt knows.")
    settings: dict[str, Any] = {
        "enableRateLimit": config.rate_limit,
        "timeout": int(config.timeout_seconds * 1000),
        "options": dict(config.options),
    }
    if config.has:
        settings["has"] = dict(config.has)
    if credentials is not None:
        settings.update(apiKey=credentials.api_key, secret=credentials.secret)
        if credentials.password:
            settings["password"] = credentials.password
    client = getattr(_client_module(config.exchange_id, streaming), config.exchange_id)(settings)
    if config.testnet:
        no_testnet = InvalidInput(f"{client.name} has no testnet in ccxt; turn the testnet flag off.")
        # Many venues list 'test' with no URLs in it, which ccxt's set_sandbox_mode does not catch.
        if not client.urls.get("test"):
            raise no_testnet
        try:
            client.set_sandbox_mode(True)
        except ccxt_errors.NotSupported as error:
            raise no_testnet from error
    if config.api_urls is not None:
        client.urls["api"] = _redirected(client.urls.get("api"), config.api_urls)
    if config.ws_urls is not None and isinstance(client.urls.get("api"), dict):
        client.urls["api"]["ws"] = _redirected(client.urls["api"].get("ws"), config.ws_urls)
    return client


def declared_market_types(exchange_id: str) -> frozenset[MarketType]:
    """What ccxt's client of a venue says it trades, read from its table (no I/O): spot, and futures where it
    has swap markets. Empty for an id ccxt does not know."""
    if exchange_id not in ccxt_async.exchanges:
        return frozenset()
    has = getattr(ccxt_async, exchange_id)().has
    declared = {MarketType.SPOT: has.get("spot"), MarketType.FUTURES: has.get("swap")}
    return frozenset(kind for kind, offered in declared.items() if offered)


def _client_module(exchange_id: str, streaming: bool) -> Any:
    if streaming:
        import ccxt.pro as ccxt_pro  # imported only by a process that streams prices: it loads every venue's

        if exchange_id in ccxt_pro.exchanges:
            return ccxt_pro
    return ccxt_async


def _redirected(api: Any, target: str | Mapping[str, str]) -> Any:
    if isinstance(target, str):
        return _with_origin(api, target.rstrip("/"))
    if not isinstance(api, dict):
        raise ValueError("This venue has a single API URL: pass the override as a string.")
    return {**api, **target}


def _with_origin(api: Any, origin: str) -> Any:
    if isinstance(api, dict):
        return {name: _with_origin(url, origin) for name, url in api.items()}
    if isinstance(api, str):
        parts = urlsplit(api)
        return origin + parts.path + (f"?{parts.query}" if parts.query else "")
    return api


class CcxtSession:
    """One ccxt client with the project's error translation, retries and market cache around it."""

    def __init__(self, client: Any, retry: RetryPolicy, sleep: Sleep = asyncio.sleep) -> None:
        self.client = client
        self.retry = retry
        self._sleep = sleep
        self._markets: dict[str, Market] | None = None
        self._markets_lock = asyncio.Lock()

    @classmethod
    def open(
        cls, config: CcxtVenueConfig, credentials: Credentials | None = None, streaming: bool = False
    ) -> "CcxtSession":
        return cls(build_ccxt_client(config, credentials, streaming), config.retry)

    @property
    def exchange_id(self) -> str:
        return str(self.client.id)

    @property
    def venue(self) -> str:
        """The venue's name for people, as in 'Binance'."""
        return str(self.client.name)

    async def once(self, call: Callable[[], Awaitable[Any]], symbol: str | None = None) -> Any:
        """One ccxt call, its errors translated, not retried."""
        with ccxt_errors_translated(self.venue, symbol):
            return await call()

    async def call(self, call: Callable[[], Awaitable[Any]], symbol: str | None = None) -> Any:
        """One ccxt call that is safe to repeat, retried under the policy."""
        return await self.retrying(lambda: self.once(call, symbol))

    async def retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        return await call_with_retries(operation, self.retry, self._sleep)

    async def markets(self) -> Mapping[str, Market]:
        """Loaded from the venue once, then served from memory."""
        if self._markets is None:
            async with self._markets_lock:
                if self._markets is None:
                    raw = await self.call(self.client.load_markets)
                    mode = int(self.client.precisionMode)
                    self._markets = {symbol: market_from_ccxt(m, mode) for symbol, m in raw.items()}
        return self._markets

    async def market(self, symbol: str) -> Market:
        markets = await self.markets()
        market = markets.get(symbol) or markets.get(symbol.upper())
        if market is None:
            raise UnknownSymbol(f"{self.venue} does not list {symbol}.")
        return market

    def amount_to_precision(self, market: Market, amount: Decimal) -> Decimal:
        """Truncated to the venue's step by ccxt; BelowMinimum when nothing is left."""
        with ccxt_errors_translated(self.venue, market.symbol):
            try:
                return Decimal(self.client.amount_to_precision(market.symbol, str(amount)))
            except ccxt_errors.InvalidOrder as error:  # ccxt's refusal of an amount that truncates to zero
                raise BelowMinimum(
                    f"{amount} {market.base} rounds to zero at {market.symbol}'s step of {market.amount_step}."
                ) from error

    def price_to_precision(self, market: Market, price: Decimal) -> Decimal:
        with ccxt_errors_translated(self.venue, market.symbol):
            return Decimal(self.client.price_to_precision(market.symbol, str(price)))

    async def close(self) -> None:
        await self.client.close()
