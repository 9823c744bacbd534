"""Fixtures: a stand-in venue (Binance's or Kraken's REST API on 127.0.0.1, or for futures Binance USDⓈ-M's,
Bybit's or OKX's, and Binance's market streams) and ccxt's real client on it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from tests.standins import binance, binance_usdm, bybit, kraken, okx
from tests.standins.binance_ws import BinanceStreams
from tests.standins.futures import SimulatedFuturesAccount
from tests.standins.venue import Fault, SimulatedAccount, StandInServer
from trading.ccxt.client import CcxtVenueConfig
from trading.ccxt.derivatives import CcxtDerivativesGateway
from trading.ccxt.gateway import CcxtGateway
from trading.domain.accounts import Credentials
from trading.domain.errors import ExchangeUnavailable, RateLimited
from trading.exchanges.retry import Backoff, RetryPolicy

# Tiny delays: tests wait for nothing but the stand-in.
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.004, jitter=0)
FAST_BACKOFF = Backoff(first=0.001, most=0.004, jitter=0)
# Faults that pass when repeated, and what each one is reported as when it lasts.
PASSING_FAULTS = [Fault.RATE_LIMITED, Fault.SERVER_ERROR, Fault.SLOW_ANSWER]
LASTING_FAULTS = [
    (Fault.RATE_LIMITED, RateLimited, "is limiting our requests"),
    (Fault.SERVER_ERROR, ExchangeUnavailable, "cannot be reached"),
    (Fault.SLOW_ANSWER, ExchangeUnavailable, "did not answer in time"),
]
# Short enough that a slow answer (the stand-in holds it for seconds) times out quickly.
TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Venue:
    """A stand-in and what tests need to know of it."""

    exchange_id: str
    standin: StandInServer
    account: SimulatedAccount
    credentials: Credentials
    symbol: str  # the unified symbol of its BTC market
    venue_symbol: str  # the same market as the venue names it
    quote: str
    lookup_endpoints: tuple[str, ...]  # what a look-up by client order id calls

    def config(self, **overrides: Any) -> CcxtVenueConfig:
        base = CcxtVenueConfig(
            self.exchange_id,
            api_urls=self.standin.base_url,
            timeout_seconds=TIMEOUT_SECONDS,
            rate_limit=False,
            retry=FAST_RETRY,
        )
        return replace(base, **overrides)

    def gateway(self, credentials: Credentials | None = None, **overrides: Any) -> CcxtGateway:
        return CcxtGateway.open(self.config(**overrides), credentials or self.credentials)

    def lookups(self) -> int:
        return sum(self.standin.calls[endpoint] for endpoint in self.lookup_endpoints)


def _binance() -> Venue:
    standin = binance.BinanceStandIn()
    return Venue(
        "binance",
        standin,
        standin.account,
        Credentials(binance.API_KEY, binance.SECRET),
        "BTC/USDT",
        "BTCUSDT",
        "USDT",
        ("fetch_order",),
    )


def _kraken() -> Venue:
    standin = kraken.KrakenStandIn()
    return Venue(
        "kraken",
        standin,
        standin.account,
        Credentials(kraken.API_KEY, kraken.SECRET),
        "BTC/USD",
        "XXBTZUSD",
        "USD",
        ("open_orders", "closed_orders"),
    )


StandIn = TypeVar("StandIn", "Venue", "FuturesVenue")


@asynccontextmanager
async def running(made: StandIn) -> AsyncIterator[StandIn]:
    await made.standin.start()
    try:
        yield made
    finally:
        await made.standin.close()


@pytest.fixture(params=["binance", "kraken"])
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[Venue]:
    async with running(_binance() if request.param == "binance" else _kraken()) as made:
        yield made


@pytest.fixture
async def binance_venue() -> AsyncIterator[Venue]:
    async with running(_binance()) as made:
        yield made


@pytest.fixture
async def binance_streams() -> AsyncIterator[BinanceStreams]:
    streams = BinanceStreams()
    await streams.start()
    try:
        yield streams
    finally:
        await streams.close()


@pytest.fixture
async def kraken_venue() -> AsyncIterator[Venue]:
    async with running(_kraken()) as made:
        yield made


@pytest.fixture
async def gateway(venue: Venue) -> AsyncIterator[CcxtGateway]:
    opened = venue.gateway()
    yield opened
    await opened.close()


@dataclass(frozen=True)
class FuturesVenue:
    """A derivatives stand-in and what tests need to know of it."""

    exchange_id: str
    standin: StandInServer
    account: SimulatedFuturesAccount
    credentials: Credentials
    max_leverage: Decimal  # BTC/USDT:USDT's, as the venue lists it
    lookup_endpoints: tuple[str, ...]  # what a look-up by client order id calls
    symbol: str = "BTC/USDT:USDT"
    venue_symbol: str = "BTCUSDT"

    def config(self, **overrides: Any) -> CcxtVenueConfig:
        base = CcxtVenueConfig(
            self.exchange_id,
            api_urls=self.standin.base_url,
            timeout_seconds=TIMEOUT_SECONDS,
            rate_limit=False,
            retry=FAST_RETRY,
        )
        return replace(base, **overrides)

    def gateway(self, **overrides: Any) -> CcxtDerivativesGateway:
        return CcxtDerivativesGateway.open(self.config(**overrides), self.credentials)

    def lookups(self) -> int:
        return sum(self.standin.calls[endpoint] for endpoint in self.lookup_endpoints)


def _binance_usdm() -> FuturesVenue:
    standin = binance_usdm.BinanceUsdmStandIn()
    credentials = Credentials(binance.API_KEY, binance.SECRET)
    return FuturesVenue("binanceusdm", standin, standin.account, credentials, Decimal(125), ("fetch_order",))


def _bybit() -> FuturesVenue:
    standin = bybit.BybitStandIn()
    credentials = Credentials(bybit.API_KEY, bybit.SECRET)
    return FuturesVenue(
        "bybit", standin, standin.account, credentials, Decimal(100), ("open_orders", "closed_orders")
    )


def _okx() -> FuturesVenue:
    standin = okx.OkxStandIn()
    credentials = Credentials(okx.API_KEY, okx.SECRET, okx.PASSPHRASE)
    return FuturesVenue(
        "okx",
        standin,
        standin.account,
        credentials,
        Decimal(100),
        ("fetch_order",),
        "BTC/USDT:USDT",
        "BTC-USDT-SWAP",
    )


@pytest.fixture
async def okx_venue() -> AsyncIterator[FuturesVenue]:
    async with running(_okx()) as made:
        yield made


@pytest.fixture(params=["binanceusdm", "bybit"])
async def futures_venue(request: pytest.FixtureRequest) -> AsyncIterator[FuturesVenue]:
    async with running(_binance_usdm() if request.param == "binanceusdm" else _bybit()) as made:
        yield made


@pytest.fixture
async def binance_usdm_venue() -> AsyncIterator[FuturesVenue]:
    async with running(_binance_usdm()) as made:
        yield made


@pytest.fixture
async def futures(futures_venue: FuturesVenue) -> AsyncIterator[CcxtDerivativesGateway]:
    opened = futures_venue.gateway()
    yield opened
    await opened.close()
