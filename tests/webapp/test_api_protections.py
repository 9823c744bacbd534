"""The kill switch and the protections of automatic following over HTTP: close all and cancel all previewed,
then confirmed once (409 after, 404 for another's or an unknown confirmation); pause and resume; the user's
own protections, only stricter than the operator's; bad input refused with a sentence, nothing changed."""

from decimal import Decimal
from typing import Any

from tests.webapp.conftest import Api

OPERATOR = {  # tests.harness.GENEROUS turns the counting protections off; the windows are the defaults
    "max_drawdown": "0",
    "drawdown_hours": 48,
    "stoploss_guard": 0,
    "stoploss_guard_hours": 24,
    "cooldown_hours": 4,
    "losing_streak": 0,
}


async def buy_with_a_stop(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    order = {
        "symbol": "ETH",
        "side": "buy",
        "amount": "0.2",
        "stop_loss_percent": "5",
        "take_profit_percents": ["10"],
    }
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=order)
    placed: dict[str, Any] = await api.json(
        "POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]}
    )
    return placed


async def test_close_all_is_previewed_then_confirmed_once(api: Api) -> None:
    alice = await api.sign_in(6101, "Alice")
    bob = await api.sign_in(6102, "Bob")
    empty = await api.json("POST", "/api/v1/kill-switch/close-all/preview", alice)
    assert empty == {"confirmation_id": None, "expires_at": None, "closings": [], "totals": {}}
    await buy_with_a_stop(api, alice)

    preview = await api.json("POST", "/api/v1/kill-switch/close-all/preview", alice)
    [closing] = preview["closings"]
    assert (closing["symbol"], closing["side"], closing["position"], closing["quantity"]) == (
        "ETH/USDT",
        "sell",
        None,
        "0.2",
    )
    assert {o["role"] for o in closing["cancels"]} == {"stop_loss", "take_profit"}
    assert Decimal(preview["totals"]["USDT"]) == Decimal(closing["value"]) > 0
    confirm = {"confirmation_id": preview["confirmation_id"]}
    others = await api.client.post("/api/v1/kill-switch/close-all/confirm", headers=bob, json=confirm)
    assert others.status_code == 404 and others.json()["detail"] == "That preview was not found."

    [done] = await api.json("POST", "/api/v1/kill-switch/close-all/confirm", alice, json=confirm)
    assert done["error"] is None and done["order"]["status"] == "filled" and done["order"]["side"] == "sell"
    assert sorted(o["status"] for o in done["cancelled"]) == ["cancelled", "cancelled"]
    again = await api.client.post("/api/v1/kill-switch/close-all/confirm", headers=alice, json=confirm)
    assert again.status_code == 409 and "only once" in again.json()["detail"]
    portfolio = await api.json("GET", "/api/v1/portfolio", alice)
    assert portfolio["positions"] == []


async def test_cancel_all_is_previewed_with_the_stops_it_lifts(api: Api) -> None:
    alice = await api.sign_in(6103)
    entry = await buy_with_a_stop(api, alice)
    preview = await api.json("POST", "/api/v1/kill-switch/cancel-all/preview", alice)
    assert preview["count"] == 2 and preview["in_flight"] == []
    [stop] = [o for o in preview["orders"] if o["role"] == "stop_loss"]
    assert preview["protecting"] == [stop["id"]] and entry["id"] not in [o["id"] for o in preview["orders"]]
    done = await api.json(
        "POST",
        "/api/v1/kill-switch/cancel-all/confirm",
        alice,
        json={"confirmation_id": preview["confirmation_id"]},
    )
    assert len(done["cancelled"]) == 2 and done["refused"] == []
    assert await api.json("GET", "/api/v1/orders?status=open", alice) == []


async def test_bad_confirmations_are_refused_with_a_sentence(api: Api) -> None:
    alice = await api.sign_in(6104)
    path = "/api/v1/kill-switch/cancel-all/confirm"
    for body in (
        {},
        {"confirmation_id": ""},
        {"confirmation_id": "a b"},
        {"confirmation_id": "x", "more": 1},
    ):
        answer = await api.client.post(path, headers=alice, json=body)
        assert answer.status_code == 400 and answer.json()["detail"], body
    unknown = await api.client.post(path, headers=alice, json={"confirmation_id": "nope"})
    assert unknown.status_code == 404


async def test_automatic_following_is_paused_and_resumed(api: Api) -> None:
    alice = await api.sign_in(6105)
    state = await api.json("GET", "/api/v1/protections", alice)
    assert (state["paused"], state["pauses"], state["limits"], state["operator"]) == (
        False,
        [],
        OPERATOR,
        OPERATOR,
    )
    paused = await api.json("POST", "/api/v1/protections/pause", alice)
    [pause] = paused["pauses"]
    assert paused["paused"] and (pause["kind"], pause["source_id"], pause["until"]) == ("manual", None, None)
    assert pause["text"] == "automatic following is paused: you paused it"
    resumed = await api.json("POST", "/api/v1/protections/resume", alice)
    assert (resumed["paused"], resumed["pauses"]) == (False, [])


async def test_own_protections_are_only_stricter_and_bad_input_changes_nothing(api: Api) -> None:
    alice = await api.sign_in(6106)
    own = {"max_drawdown": "0.15", "stoploss_guard": 2, "cooldown_hours": 8}
    body = await api.json("PUT", "/api/v1/protections/settings", alice, json=own)
    assert body["limits"] == {**OPERATOR, **own} and body["overrides"]["losing_streak"] is None
    for bad, sentence in (
        ({"max_drawdown": "1.5"}, "below 1"),
        ({"cooldown_hours": 2}, "must be from 4 hours"),
        ({"stoploss_guard": 0}, "Expected `int` >= 1"),
        ({"streak": 3}, "Object contains unknown field"),
    ):
        refused = await api.client.put("/api/v1/protections/settings", headers=alice, json=bad)
        assert refused.status_code == 400 and sentence in str(refused.json()), (bad, refused.json())
    assert (await api.json("GET", "/api/v1/protections", alice))["limits"] == {**OPERATOR, **own}
    reset = await api.json("DELETE", "/api/v1/protections/settings", alice)
    assert reset["limits"] == OPERATOR
    made = await api.json("POST", "/api/v1/tokens", alice, json={"name": "reader", "scope": "read"})
    reader = {"Authorization": f"Bearer {made['secret']}"}
    assert (await api.client.post("/api/v1/protections/pause", headers=reader)).status_code == 403
    assert (await api.client.post("/api/v1/kill-switch/close-all/preview", headers=reader)).status_code == 403
