"""Stop modes over HTTP: a trailing stop previewed with where it puts the stop, confirmed once (409 after, 404
for another's), listed and turned off; a position without a stop and a bad percentage refused with a sentence."""

from datetime import datetime
from decimal import Decimal

from tests.webapp.conftest import Api
from tests.webapp.test_api_protections import buy_with_a_stop
from trading.usecases.trailing_entries import ENTRY_LIFE


async def test_a_trailing_stop_is_previewed_confirmed_once_listed_and_turned_off(api: Api) -> None:
    alice = await api.sign_in(6201, "Alice")
    bob = await api.sign_in(6202, "Bob")
    await buy_with_a_stop(api, alice)
    preview = await api.json(
        "PUT", "/api/v1/positions/eth/stop-mode", alice, json={"kind": "trailing", "percent": "2"}
    )
    mode = preview["mode"]
    assert (mode["symbol"], mode["kind"], mode["side"], mode["percent"], mode["confirmed_at"]) == (
        "ETH/USDT",
        "trailing",
        "long",
        "2",
        None,
    )
    assert Decimal(preview["stop_price"]) < Decimal(preview["stop_now"]) < Decimal(preview["price"])
    url = f"/api/v1/positions/stop-modes/{mode['id']}/confirm"
    others = await api.client.post(url, headers=bob)
    assert others.status_code == 404
    confirmed = await api.json("POST", url, alice)
    assert confirmed["confirmed_at"] is not None
    again = await api.client.post(url, headers=alice)
    assert again.status_code == 409 and again.json()["detail"] == "That stop mode is already in force."

    orders = await api.json("GET", "/api/v1/orders", alice)
    [stop] = [o for o in orders if o["id"] == preview["stop_order_id"]]
    assert Decimal(stop["price"]) == Decimal(preview["stop_now"])  # moved at once, as previewed
    assert [m["id"] for m in await api.json("GET", "/api/v1/positions/stop-modes", alice)] == [mode["id"]]
    assert await api.json("GET", "/api/v1/positions/stop-modes", bob) == []
    gone = await api.client.delete(f"/api/v1/positions/stop-modes/{mode['id']}", headers=alice)
    assert gone.status_code == 204
    assert await api.json("GET", "/api/v1/positions/stop-modes", alice) == []


async def test_a_mode_without_a_stop_or_with_a_bad_percentage_is_refused(api: Api) -> None:
    alice = await api.sign_in(6203)
    none = await api.client.put(
        "/api/v1/positions/eth/stop-mode", headers=alice, json={"kind": "trailing", "percent": "2"}
    )
    assert none.status_code == 400 and none.json()["detail"].startswith("No stop guards your ETH")
    await buy_with_a_stop(api, alice)
    wide = await api.client.put(
        "/api/v1/positions/eth/stop-mode", headers=alice, json={"kind": "trailing", "percent": "80"}
    )
    assert wide.status_code == 400 and "at most 50" in wide.json()["detail"]
    unknown = await api.client.put(
        "/api/v1/positions/eth/stop-mode", headers=alice, json={"kind": "sideways"}
    )
    assert unknown.status_code == 400


async def test_a_trailing_entry_is_previewed_with_what_it_buys_and_confirmed_once(api: Api) -> None:
    alice = await api.sign_in(6204, "Alice")
    preview = await api.json(
        "PUT",
        "/api/v1/positions/eth/trailing-entry",
        alice,
        json={"amount": "0.1", "percent": "2", "below": "2900"},
    )
    mode = preview["mode"]
    assert (mode["symbol"], mode["kind"], mode["percent"], mode["entry"]) == (
        "ETH/USDT",
        "trailing_entry",
        "2",
        "2900",
    )
    assert Decimal(preview["quantity"]) == Decimal("0.1") and mode["confirmed_at"] is None
    url = f"/api/v1/positions/stop-modes/{mode['id']}/confirm"
    assert (await api.json("POST", url, alice))["confirmed_at"] is not None
    assert (await api.client.post(url, headers=alice)).status_code == 409
    [listed] = await api.json("GET", "/api/v1/positions/stop-modes", alice)
    assert listed["kind"] == "trailing_entry"
    assert datetime.fromisoformat(listed["expires_at"]) == api.harness.clock.now() + ENTRY_LIFE
    assert await api.json("GET", "/api/v1/orders", alice) == []  # nothing bought until the price turns
    wide = await api.client.put(
        "/api/v1/positions/eth/trailing-entry", headers=alice, json={"amount": "0.1", "percent": "70"}
    )
    assert wide.status_code == 400 and "at most 50" in wide.json()["detail"]
    none = await api.client.put(
        "/api/v1/positions/eth/trailing-entry", headers=alice, json={"amount": "-1", "percent": "2"}
    )
    assert none.status_code == 400
    api.harness.clock.advance(ENTRY_LIFE.total_seconds())
    assert await api.json("GET", "/api/v1/positions/stop-modes", alice) == []  # expired unbought


async def test_an_account_id_beyond_the_database_integers_is_refused_with_400(api: Api) -> None:
    """Found by the schema fuzz on PostgreSQL: such an id reached the database and was a 500."""
    alice = await api.sign_in(6205)
    await buy_with_a_stop(api, alice)
    bodies = {
        "stop-mode": {"kind": "trailing", "percent": "2", "account_id": 2**34},
        "trailing-entry": {"amount": "0.1", "percent": "2", "account_id": 2**34},
    }
    for path, body in bodies.items():
        answer = await api.client.put(f"/api/v1/positions/eth/{path}", headers=alice, json=body)
        assert answer.status_code == 400, answer.text
        [fault] = answer.json()["extra"]
        assert fault == {"message": "Expected `int` <= 2147483647", "key": "account_id", "source": "body"}


async def test_break_even_a_moving_target_and_a_trailing_take_profit_are_each_set_over_the_api(
    api: Api,
) -> None:
    """The kinds beside the trailing stop: each previewed with what it is, confirmed, and in force alone (a
    position has one mode: the next confirmed replaces it)."""
    alice = await api.sign_in(6205, "Alice")
    await buy_with_a_stop(api, alice)
    url = "/api/v1/positions/eth/stop-mode"
    for body, percent, after_target in (
        ({"kind": "break_even", "after_target": 1}, None, 1),
        ({"kind": "moving_target"}, None, None),
        ({"kind": "trailing_take_profit", "percent": "3"}, "3", None),
    ):
        preview = await api.json("PUT", url, alice, json=body)
        mode = preview["mode"]
        assert (mode["kind"], mode["percent"]) == (body["kind"], percent)
        assert after_target is None or mode["after_target"] == after_target
        await api.json("POST", f"/api/v1/positions/stop-modes/{mode['id']}/confirm", alice)
        [listed] = await api.json("GET", "/api/v1/positions/stop-modes", alice)
        assert (listed["id"], listed["kind"]) == (mode["id"], body["kind"])
