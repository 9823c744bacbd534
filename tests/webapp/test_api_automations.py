"""Automations over the API: previewed, confirmed once, listed, paused, resumed, stopped, and owned."""

from tests.webapp.conftest import Api


async def test_an_automation_is_previewed_confirmed_once_and_managed(api: Api) -> None:
    alice = await api.sign_in(3101, "Alice")
    bob = await api.sign_in(3102, "Bob")
    body = {
        "side": "buy",
        "symbol": "ETH",
        "amount": "50",
        "unit": "quote",
        "every": "week",
        "weekday": 0,
        "runs": 4,
    }
    preview = await api.json("POST", "/api/v1/automations", alice, json=body)
    plan = preview["automation"]
    assert (plan["status"], plan["schedule"], preview["total"]) == ("pending", "every Monday", "200")
    assert await api.json("GET", "/api/v1/automations", alice) == []  # pending: not yet set up
    path = f"/api/v1/automations/{plan['id']}"
    assert (await api.client.post(f"{path}/confirm", headers=bob)).status_code == 404
    confirmed = await api.json("POST", f"{path}/confirm", alice)
    assert confirmed["status"] == "active" and confirmed["next_due_at"] is not None
    again = await api.client.post(f"{path}/confirm", headers=alice)
    assert again.status_code == 400 and "cannot be set up" in again.json()["detail"]
    assert (await api.json("POST", f"{path}/pause", alice))["status"] == "paused"
    assert (await api.json("POST", f"{path}/resume", alice))["status"] == "active"
    assert [p["id"] for p in await api.json("GET", "/api/v1/automations", alice)] == [plan["id"]]
    assert await api.json("GET", f"{path}/runs", alice) == []
    assert (await api.json("POST", f"{path}/stop", alice))["status"] == "stopped"
    assert await api.json("GET", "/api/v1/automations", alice) == []


async def test_a_twap_is_sliced_and_a_bad_request_is_refused(api: Api) -> None:
    alice = await api.sign_in(3103)
    body = {"side": "buy", "symbol": "ETH", "amount": "100", "unit": "quote", "over_minutes": 10}
    preview = await api.json("POST", "/api/v1/automations", alice, json=body)
    assert (preview["automation"]["kind"], preview["automation"]["runs"], preview["total"]) == (
        "twap",
        10,
        "100",
    )
    both = {**body, "every": "day"}
    refused = await api.client.post("/api/v1/automations", headers=alice, json=both)
    assert refused.status_code == 400 and "either `every`" in str(refused.json())
