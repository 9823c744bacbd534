"""Fixtures: a stand-in venue (Binance's or Kraken's REST API on 127.0.0.1) and ccxt's real client on it."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests.standins import binance, kraken
from tests.standins.venue import SimulatedAccount, StandInServer
from trading.ccxt.client import CcxtVenueConfig
from trading.ccxt.gateway import CcxtGateway
from trading.domain.accounts import Credentials
from trading.exchanges.retry import RetryPolicy

# Tiny delays: tests wait for nothing but the stand-in.
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.004, jitter=0)
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


@pytest.fixture(params=["binance", "kraken"])
async def venue(request: pytest.FixtureRequest) -> AsyncIterator[Venue]:
    made = _binance() if request.param == "binance" else _kraken()
    await made.standin.start()
    yield made
    await made.standin.close()


@pytest.fixture
async def binance_venue() -> AsyncIterator[Venue]:
    made = _binance()
    await made.standin.start()
    yield made
    await made.standin.close()


@pytest.fixture
async def kraken_venue() -> AsyncIterator[Venue]:
    made = _kraken()
    await made.standin.start()
    yield made
    await made.standin.close()


@pytest.fixture
async def gateway(venue: Venue) -> AsyncIterator[CcxtGateway]:
    opened = venue.gateway()
    yield opened
    await opened.close()
