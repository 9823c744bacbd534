"""Building ccxt clients: any ccxt id, credentials, the testnet flag and URL overrides. No I/O here."""

import pytest

from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.gateway import CcxtGateway
from trading.ccxt.market_data import CcxtMarketData
from trading.domain.accounts import Credentials
from trading.domain.errors import InvalidInput
from trading.ports import ExchangeGateway, MarketData


async def test_an_exchange_ccxt_does_not_know_is_refused() -> None:
    with pytest.raises(InvalidInput, match="'nosuchexchange'"):
        CcxtGateway.open(CcxtVenueConfig("nosuchexchange"))


@pytest.mark.parametrize("exchange_id", ["coinbase", "kraken"])
async def test_a_testnet_that_ccxt_lacks_is_refused(exchange_id: str) -> None:
    with pytest.raises(InvalidInput, match="has no testnet"):
        CcxtSession.open(CcxtVenueConfig(exchange_id, testnet=True))


async def test_any_ccxt_id_gives_a_gateway_with_credentials() -> None:
    credentials = Credentials("key", "secret", password="passphrase")
    session = CcxtSession.open(CcxtVenueConfig("coinbase", timeout_seconds=3), credentials)
    gateway = CcxtGateway(session)

    assert gateway.name == "coinbase"
    assert (session.client.apiKey, session.client.secret, session.client.password) == (
        "key",
        "secret",
        "passphrase",
    )
    assert session.client.timeout == 3000
    await gateway.close()


async def test_testnet_points_binance_at_its_testnet() -> None:
    session = CcxtSession.open(CcxtVenueConfig("binance", testnet=True))

    assert session.client.urls["api"]["public"] == "https://testnet.binance.vision/api/v3"
    await session.close()


async def test_an_origin_override_keeps_every_apis_path() -> None:
    session = CcxtSession.open(CcxtVenueConfig("binance", api_urls="http://127.0.0.1:9/"))
    api = session.client.urls["api"]

    assert api["public"] == "http://127.0.0.1:9/api/v3"
    assert api["sapi"] == "http://127.0.0.1:9/sapi/v1"
    assert api["fapiPublic"] == "http://127.0.0.1:9/fapi/v1"
    await session.close()


async def test_an_override_applies_after_the_testnet_switch() -> None:
    session = CcxtSession.open(CcxtVenueConfig("binance", testnet=True, api_urls="http://127.0.0.1:9"))

    assert session.client.urls["api"]["private"] == "http://127.0.0.1:9/api/v3"
    await session.close()


async def test_a_mapping_override_replaces_only_the_named_apis() -> None:
    session = CcxtSession.open(CcxtVenueConfig("kraken", api_urls={"private": "http://127.0.0.1:9"}))
    api = session.client.urls["api"]

    assert (api["private"], api["public"]) == ("http://127.0.0.1:9", "https://api.kraken.com")
    await session.close()


async def test_options_are_merged_into_ccxts_own() -> None:
    session = CcxtSession.open(CcxtVenueConfig("binance", options={"defaultType": "swap"}))

    assert session.client.options["defaultType"] == "swap"
    assert session.client.options["recvWindow"] == 10_000  # ccxt's default, kept
    await session.close()


async def test_the_adapters_implement_the_ports() -> None:
    # Checked by mypy: the assignments fail type-checking if a port's shape drifts from the adapter's.
    gateway: ExchangeGateway = CcxtGateway.open(CcxtVenueConfig("kraken"))
    opened = CcxtMarketData.open(CcxtVenueConfig("kraken"))
    market_data: MarketData = opened

    assert gateway.name == "kraken"
    assert market_data is opened
    await gateway.close()
    await opened.close()  # not in the MarketData port, which has no close
