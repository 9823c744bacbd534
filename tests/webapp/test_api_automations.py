"""Automations over the API: previewed, confirmed once, listed, paused, resumed, stopped, and owned."""

from decimal import Decimal

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


async def test_a_rebalance_on_a_schedule_or_past_a_drift_is_previewed_confirmed_and_stopped(api: Api) -> None:
    alice = await api.sign_in(3104)
    body = {"shares": {"btc": "50", "ETH": "30", "USDT": "20"}, "every": "week", "weekday": 0, "at": "09:00"}
    preview = await api.json("POST", "/api/v1/automations/rebalance", alice, json=body)
    plan = preview["automation"]
    assert (plan["kind"], plan["status"], plan["shares"], plan["drift"]) == (
        "rebalance",
        "pending",
        {"BTC": "50", "ETH": "30", "USDT": "20"},
        None,
    )
    assert plan["description"] == "rebalance to BTC 50%, ETH 30%, USDT 20% every Monday at 09:00 UTC"
    assert Decimal(preview["drift_now"]) == 80  # all cash
    assert [(t["symbol"], t["side"]) for t in preview["trades_now"]["trades"]] == [
        ("BTC/USDT", "buy"),
        ("ETH/USDT", "buy"),
    ]
    assert len(await api.json("GET", "/api/v1/orders?status=all", alice)) == 0  # a preview places nothing
    confirmed = await api.json("POST", f"/api/v1/automations/{plan['id']}/confirm", alice)
    assert confirmed["status"] == "active" and confirmed["next_due_at"] is not None
    drifting = {"shares": {"BTC": "60", "USDT": "40"}, "drift": "5"}
    second = (await api.json("POST", "/api/v1/automations/rebalance", alice, json=drifting))["automation"]
    assert (
        second["description"]
        == "rebalance to BTC 60%, USDT 40% when drift over 5 points (checked every hour)"
    )
    assert (await api.json("POST", f"/api/v1/automations/{plan['id']}/stop", alice))["status"] == "stopped"


async def test_a_rebalance_automation_without_a_when_or_with_bad_shares_is_refused(api: Api) -> None:
    alice = await api.sign_in(3105)
    path = "/api/v1/automations/rebalance"
    for body, detail in (
        ({"shares": {"BTC": "100"}}, "give `every`"),
        ({"shares": {"BTC": "100"}, "drift": "-1"}, "`drift` must be a number above 0"),
        ({"shares": {"BTC": "100"}, "drift": "100"}, "below 100"),
        ({"shares": {"BTC": "50", "ETH": "30"}, "every": "month"}, "add up to 80%, not 100%"),
        ({"shares": {"NOPE": "100"}, "every": "day"}, "cannot be traded"),
    ):
        refused = await api.client.post(path, headers=alice, json=body)
        assert refused.status_code == 400 and detail in str(refused.json()), refused.json()
    assert await api.json("GET", "/api/v1/automations", alice) == []
