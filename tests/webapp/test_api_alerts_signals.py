import re
from decimal import Decimal

from tests.webapp.conftest import Api


async def test_alerts_set_listed_deleted_and_owned(api: Api) -> None:
    alice = await api.sign_in(3001, "Alice")
    bob = await api.sign_in(3002, "Bob")
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=SOL", alice)
    above = str((Decimal(ticker["last"]) * 2).quantize(Decimal("0.01")))
    alert = await api.json("POST", "/api/v1/alerts", alice, json={"symbol": "SOL", "price": above})
    assert alert["condition"] == "above" and alert["symbol"] == "SOL/USDT"
    assert [a["id"] for a in await api.json("GET", "/api/v1/alerts", alice)] == [alert["id"]]
    assert await api.json("GET", "/api/v1/alerts", bob) == []
    assert (await api.client.delete(f"/api/v1/alerts/{alert['id']}", headers=bob)).status_code == 404
    pointless = await api.client.post(
        "/api/v1/alerts", headers=alice, json={"symbol": "SOL", "price": above, "condition": "below"}
    )
    assert pointless.status_code == 400 and "nothing to wait for" in pointless.json()["detail"]
    assert re.search(r"SOL/USDT is at \d+\.\d{2} already, below \d+\.\d{2}", pointless.json()["detail"])
    assert (await api.client.delete(f"/api/v1/alerts/{alert['id']}", headers=alice)).status_code == 204
    assert await api.json("GET", "/api/v1/alerts", alice) == []


async def test_an_alert_on_a_move_in_percent_and_a_body_with_both_or_neither(api: Api) -> None:
    headers = await api.sign_in(3004)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=SOL", headers)
    body = {"symbol": "SOL", "percent": "10", "condition": "below"}
    alert = await api.json("POST", "/api/v1/alerts", headers, json=body)
    assert Decimal(alert["threshold"]) < Decimal(ticker["last"]) and alert["condition"] == "below"
    for bad in ({"symbol": "SOL"}, {"symbol": "SOL", "price": "100", "percent": "5"}):
        answer = await api.client.post("/api/v1/alerts", headers=headers, json=bad)
        assert answer.status_code == 400 and "either price or percent" in answer.text


async def test_signals_and_sources_of_a_new_user_are_empty_and_foreign_ids_404(api: Api) -> None:
    headers = await api.sign_in(3003)
    assert await api.json("GET", "/api/v1/signals", headers) == []
    assert await api.json("GET", "/api/v1/signals/sources", headers) == []
    follow = await api.client.post(
        "/api/v1/signals/sources/1/follow", headers=headers, json={"auto_follow": True}
    )
    assert follow.status_code == 404
    assert (await api.client.post("/api/v1/signals/1/ignore", headers=headers)).status_code == 404
