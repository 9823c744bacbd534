"""A venue account added through the API opens with the venue's balances, and POST /accounts/{id}/sync books
later transfers made there: ccxt's real client against the Binance stand-in."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.exchanges import Exchanges
from tests.exchanges.conftest import Venue, _binance
from tests.standins import binance
from tests.webapp.conftest import Api

D = Decimal
KEYS = {"api_key": binance.API_KEY, "secret": binance.SECRET}


@pytest.fixture
async def venue(api: Api) -> AsyncIterator[Venue]:
    """The Binance stand-in, which the app's Exchanges reach instead of Binance. It serves on the app's event
    loop: the test's own waits on the app while a request runs."""
    made = _binance()
    api.in_app(made.standin.start)
    exchanges = api.web.core.exchanges
    assert isinstance(exchanges, Exchanges)
    exchanges.venue_config = lambda exchange, testnet: made.config(testnet=testnet)
    yield made
    api.in_app(made.standin.close)


async def _add(api: Api, headers: dict[str, str]) -> int:
    added = await api.json(
        "POST", "/api/v1/accounts", headers, json={"exchange": "binance", "label": "Binance", **KEYS}
    )
    return int(added["id"])


async def _portfolio(api: Api, headers: dict[str, str], account_id: int) -> dict[str, D]:
    view = await api.json("GET", f"/api/v1/portfolio?account_id={account_id}", headers)
    return {b["asset"]: D(b["amount"]) for b in view["balances"]}


async def test_an_account_added_with_keys_opens_with_the_venues_balances_and_syncs(
    api: Api, venue: Venue
) -> None:
    headers = await api.sign_in(7101)
    account_id = await _add(api, headers)
    assert await _portfolio(api, headers, account_id) == {"BTC": D("0.5"), "USDT": D(10_000)}

    synced = await api.client.post(f"/api/v1/accounts/{account_id}/sync", headers=headers)
    assert synced.status_code == 200 and synced.json() == {"transfers": []}

    venue.account.transfer("USDT", D(250))
    venue.account.transfer("ETH", D(1))
    answer = await api.json("POST", f"/api/v1/accounts/{account_id}/sync", headers)
    assert [(t["asset"], D(t["amount"]), t["cost"] and D(t["cost"])) for t in answer["transfers"]] == [
        ("ETH", D(1), D(3_000)),
        ("USDT", D(250), None),
    ]
    assert await _portfolio(api, headers, account_id) == {
        "BTC": D("0.5"),
        "ETH": D(1),
        "USDT": D(10_250),
    }


async def test_refused_keys_add_nothing(api: Api, venue: Venue) -> None:
    headers = await api.sign_in(7102)
    before = await api.harness.count("exchange_accounts")
    answer = await api.client.post(
        "/api/v1/accounts",
        headers=headers,
        json={"exchange": "binance", "label": "Binance", "api_key": "nope", "secret": "nope"},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Binance refused these API keys: Invalid API-key, IP, or permissions for action."
    )
    assert await api.harness.count("exchange_accounts") == before


async def test_sync_is_refused_while_an_order_is_live_and_wants_the_trade_scope(
    api: Api, venue: Venue
) -> None:
    headers = await api.sign_in(7103)
    account_id = await _add(api, headers)
    preview = await api.json(
        "POST",
        "/api/v1/orders/preview",
        headers,
        json={
            "symbol": "BTC",
            "side": "buy",
            "amount": "0.01",
            "type": "limit",
            "price": "40000",
            "account_id": account_id,
        },
    )
    order = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": preview["draft_id"]})
    assert order["status"] == "open"
    refused = await api.client.post(f"/api/v1/accounts/{account_id}/sync", headers=headers)
    assert refused.status_code == 400 and "orders in flight" in refused.json()["detail"]

    made = await api.json("POST", "/api/v1/tokens", headers, json={"name": "reader", "scope": "read"})
    reader = {"Authorization": f"Bearer {made['secret']}"}
    assert (await api.client.post(f"/api/v1/accounts/{account_id}/sync", headers=reader)).status_code == 403

    stranger = await api.sign_in(7104)
    assert (await api.client.post(f"/api/v1/accounts/{account_id}/sync", headers=stranger)).status_code == 404
