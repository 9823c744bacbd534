"""POST /api/v1/accounts with `market_type` futures on a derivatives venue: the keys tried there, the account's
futures book opened with its collateral; an account in hedge mode refused with a 400 and nothing stored. ccxt's
real client against the Binance USDⓈ-M stand-in."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.exchanges import Exchanges
from tests.exchanges.conftest import FuturesVenue, _binance_usdm
from tests.webapp.conftest import Api

D = Decimal


@pytest.fixture
async def venue(api: Api) -> AsyncIterator[FuturesVenue]:
    """The stand-in, which the app's Exchanges reach instead of Binance USDⓈ-M; it serves on the app's loop."""
    made = _binance_usdm()
    api.in_app(made.standin.start)
    exchanges = api.web.core.exchanges
    assert isinstance(exchanges, Exchanges)
    exchanges.venue_config = lambda exchange, testnet: made.config(testnet=testnet)
    yield made
    api.in_app(made.standin.close)


def account_in(venue: FuturesVenue) -> dict[str, str]:
    keys = venue.credentials
    return {
        "exchange": "binanceusdm",
        "label": "USDⓈ-M",
        "market_type": "futures",
        "api_key": keys.api_key,
        "secret": keys.secret,
    }


async def test_a_futures_account_is_added_on_a_derivatives_venue(api: Api, venue: FuturesVenue) -> None:
    headers = await api.sign_in(7201)

    added = await api.json("POST", "/api/v1/accounts", headers, json=account_in(venue))

    assert (added["exchange"], added["market_type"], added["has_credentials"]) == (
        "binanceusdm",
        "futures",
        True,
    )
    portfolio = await api.json("GET", f"/api/v1/portfolio?account_id={added['id']}", headers)
    assert D(portfolio["equity"]) == D(10_000)


async def test_an_account_in_hedge_mode_is_refused_and_nothing_is_stored(
    api: Api, venue: FuturesVenue
) -> None:
    headers = await api.sign_in(7202)
    venue.account.hedge_mode = True
    before = await api.harness.count("exchange_accounts")

    answer = await api.client.post("/api/v1/accounts", headers=headers, json=account_in(venue))

    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Your Binanceusdm account is in hedge mode, which tsbot does not trade; switch its position mode to "
        "one-way at the venue, then add it again."
    )
    assert await api.harness.count("exchange_accounts") == before
