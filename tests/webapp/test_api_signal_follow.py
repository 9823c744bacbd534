"""Following one signal over HTTP: its plan previewed for an amount, then followed (placed once) or ignored."""

from decimal import Decimal
from typing import Any

import pytest

from tests.fakes import ManualClock
from tests.webapp.conftest import Api
from trading.domain.enums import Side
from trading.domain.signals import SignalSpec
from trading.usecases.signals import receive_signal


async def _signal(api: Api, headers: dict[str, str], text: str, leverage: Decimal | None = None) -> int:
    """A signal from a channel, recorded for the signed-in user as the bot records a forwarded post."""
    me = await api.json("GET", "/api/v1/me", headers)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers)
    ask = Decimal(ticker["ask"])
    spec = SignalSpec(
        "ETH",
        Side.BUY,
        entries=(ask.quantize(Decimal("0.01")),),
        targets=((ask * Decimal("1.1")).quantize(Decimal("0.01")),),
        stop_loss=(ask * Decimal("0.9")).quantize(Decimal("0.01")),
        leverage=leverage,
    )
    received = await receive_signal(api.harness.core, me["id"], "-100777", "Alpha Calls", text, spec)
    return received.signal.id


async def _signal_of(api: Api, headers: dict[str, str], signal_id: int) -> dict[str, Any]:
    signals: list[dict[str, Any]] = await api.json("GET", "/api/v1/signals", headers)
    return next(s for s in signals if s["id"] == signal_id)


async def test_a_signal_is_planned_for_an_amount_then_followed_once(api: Api) -> None:
    headers = await api.sign_in(6001)
    signal_id = await _signal(api, headers, "ETH buy now, TP +10%, SL -10%")
    assert (await _signal_of(api, headers, signal_id))["plan_id"] is None
    early = await api.client.post(f"/api/v1/signals/{signal_id}/follow", headers=headers)
    assert early.status_code == 400 and "Preview a plan for this signal first" in early.json()["detail"]

    plan = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "100"})
    assert plan["signal_id"] == signal_id and plan["symbol"] == "ETH/USDT" and plan["side"] == "buy"
    assert len(plan["entries"]) == 1 and Decimal(plan["cost"]) <= 100
    assert Decimal(plan["stop_loss"]) < Decimal(plan["entries"][0]["preview"]["price"])
    assert [Decimal(t["share"]) for t in plan["targets"]] == [1] and plan["leverage_asked"] is None
    assert (await _signal_of(api, headers, signal_id))["plan_id"] == plan["plan_id"]
    assert await api.json("GET", "/api/v1/orders?status=all", headers) == []  # a plan places nothing

    followed = await api.json("POST", f"/api/v1/signals/{signal_id}/follow", headers)
    assert followed["failures"] == [] and [o["symbol"] for o in followed["orders"]] == ["ETH/USDT"]
    assert (await _signal_of(api, headers, signal_id))["status"] == "followed"
    again = await api.client.post(f"/api/v1/signals/{signal_id}/follow", headers=headers)
    assert again.status_code == 400 and again.json()["detail"] == "That signal was followed already."
    assert (await api.client.post(f"/api/v1/signals/{signal_id}/ignore", headers=headers)).status_code == 400
    entries = [o for o in await api.json("GET", "/api/v1/orders?status=all", headers) if o["role"] == "entry"]
    assert len(entries) == 1


async def test_a_leveraged_signals_plan_trades_futures_at_its_leverage(api: Api) -> None:
    headers = await api.sign_in(6009)
    signal_id = await _signal(api, headers, "ETH long 5x", leverage=Decimal(5))
    plan = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "100"})
    assert (
        plan["symbol"] == "ETH/USDT:USDT"
        and Decimal(plan["leverage_asked"]) == Decimal(plan["leverage"]) == 5
    )
    assert Decimal(plan["margin"]) <= 100 and Decimal(plan["cost"]) == Decimal(plan["margin"]) * 5
    assert Decimal(plan["liquidation_price"]) < Decimal(plan["stop_loss"])
    followed = await api.json("POST", f"/api/v1/signals/{signal_id}/follow", headers)
    assert followed["failures"] == [] and [o["symbol"] for o in followed["orders"]] == ["ETH/USDT:USDT"]


async def test_a_sources_settings_route_and_size_its_plans_and_bad_ones_are_refused(api: Api) -> None:
    headers = await api.sign_in(6010)
    signal_id = await _signal(api, headers, "ETH buy now")
    [source] = await api.json("GET", "/api/v1/signals/sources", headers)
    assert (source["market"], source["risk_percent"]) == ("auto", None)
    url = f"/api/v1/signals/sources/{source['id']}/settings"
    body = await api.json("PUT", url, headers, json={"market": "futures", "risk_percent": "1"})
    assert (body["id"], body["market"], body["signals"]) == (source["id"], "futures", 1)
    assert Decimal(body["risk_percent"]) == 1
    plan = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "100"})
    assert plan["symbol"] == "ETH/USDT:USDT" and Decimal(plan["risk_percent"]) == 1
    assert Decimal(90) < Decimal(plan["at_risk"]) <= 100  # 1% of the futures account's 10,000
    await api.json("PUT", url, headers, json={"market": "spot"})
    spot = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "100"})
    assert spot["symbol"] == "ETH/USDT" and spot["risk_percent"] is None
    for wrong, status, reason in (
        ({"market": "margin"}, 400, "market"),
        ({"risk_percent": "25"}, 400, "at most 10%"),
        ({"risk_percent": "-1"}, 400, "`risk_percent` must be a number above 0"),
    ):
        answer = await api.client.put(url, headers=headers, json=wrong)
        assert answer.status_code == status and reason in answer.text, answer.text
    other = await api.sign_in(6011)
    answer = await api.client.put(url, headers=other, json={"market": "spot"})
    assert answer.status_code == 404
    schema = (await api.client.get("/api/v1/openapi.json")).json()
    settings = schema["paths"]["/api/v1/signals/sources/{source_id}/settings"]["put"]
    assert (
        "SourceSettingsIn" in str(settings["requestBody"])
        and "never a sale of coins held" in settings["description"]
    )


async def test_an_ignored_plan_is_dropped_and_cannot_be_followed(api: Api) -> None:
    headers = await api.sign_in(6002)
    signal_id = await _signal(api, headers, "ETH long, TP +10%, SL -10%")
    await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "60"})
    assert (await api.client.post(f"/api/v1/signals/{signal_id}/ignore", headers=headers)).status_code == 204
    assert (await api.client.post(f"/api/v1/signals/{signal_id}/ignore", headers=headers)).status_code == 204
    assert (await _signal_of(api, headers, signal_id))["status"] == "ignored"
    refused = await api.client.post(f"/api/v1/signals/{signal_id}/follow", headers=headers)
    assert refused.status_code == 400 and "ignored already" in refused.json()["detail"]
    assert await api.harness.count("orders") == 0


async def test_an_expired_plan_is_409_and_a_new_plan_replaces_it(api: Api, clock: ManualClock) -> None:
    headers = await api.sign_in(6003)
    signal_id = await _signal(api, headers, "ETH entry now")
    first = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "50"})
    clock.advance(3600)
    late = await api.client.post(f"/api/v1/signals/{signal_id}/follow", headers=headers)
    assert late.status_code == 409 and late.json()["error"] == "draft_expired"
    second = await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "50"})
    assert second["plan_id"] != first["plan_id"]
    followed = await api.json("POST", f"/api/v1/signals/{signal_id}/follow", headers)
    assert len(followed["orders"]) == 1


async def test_plans_obey_the_users_own_limits_amounts_scopes_and_ownership(api: Api) -> None:
    alice = await api.sign_in(6004, "Alice")
    bob = await api.sign_in(6005, "Bob")
    signal_id = await _signal(api, alice, "ETH buy, SL -10%")
    url = f"/api/v1/signals/{signal_id}/plan"
    for amount in ("0", "-5", "ten"):
        assert (await api.client.post(url, headers=alice, json={"amount": amount})).status_code == 400
    broke = await api.client.post(url, headers=alice, json={"amount": "1000000"})
    assert broke.status_code == 422 and broke.json()["error"] == "insufficient_funds"

    await api.json("PUT", "/api/v1/risk", alice, json={"max_order_value": "40"})
    refused = await api.client.post(url, headers=alice, json={"amount": "100"})
    assert refused.status_code == 422 and "your limit per order is 40.00 USDT" in refused.json()["detail"]
    await api.json("DELETE", "/api/v1/risk", alice)

    assert (await api.client.post(url, headers=bob, json={"amount": "100"})).status_code == 404
    assert (await api.client.post(f"/api/v1/signals/{signal_id}/follow", headers=bob)).status_code == 404
    assert (await api.client.post(f"/api/v1/signals/{signal_id}/ignore", headers=bob)).status_code == 404
    made = await api.json("POST", "/api/v1/tokens", alice, json={"name": "reader", "scope": "read"})
    reader = {"Authorization": f"Bearer {made['secret']}"}
    assert (await api.client.post(url, headers=reader, json={"amount": "100"})).status_code == 403
    assert (await _signal_of(api, alice, signal_id))["plan_id"] is None


async def test_a_source_followed_automatically_keeps_its_break_even_choice(api: Api) -> None:
    headers = await api.sign_in(6005)
    await _signal(api, headers, "ETH buy now, TP +10%, SL -10%")
    [source] = await api.json("GET", "/api/v1/signals/sources", headers)
    assert source["auto_follow"] is False and source["move_stop_to_entry"] is False
    url = f"/api/v1/signals/sources/{source['id']}/follow"
    on = await api.json("POST", url, headers, json={"auto_follow": True, "move_stop_to_entry": True})
    assert on["auto_follow"] is True and on["move_stop_to_entry"] is True
    kept = await api.json("POST", url, headers, json={"auto_follow": False})  # left out: the choice stays
    assert kept["auto_follow"] is False and kept["move_stop_to_entry"] is True
    bad = await api.client.post(url, headers=headers, json={"auto_follow": True, "move_stop_to_entry": "yes"})
    assert bad.status_code == 400


@pytest.mark.parametrize(("keep", "followed"), [(Decimal(75), True), (Decimal(25), False)])
async def test_a_signal_is_followed_only_where_an_entry_was_placed(
    api: Api, keep: Decimal, followed: bool
) -> None:
    """As the chat has it (tests/bot/test_signals_alerts_e2e.py): one entry of two refused is followed, both
    refused is not, and the signal can then be planned again."""
    headers = await api.sign_in(6010 if followed else 6011)
    me = await api.json("GET", "/api/v1/me", headers)
    ask = Decimal((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["ask"])
    low = (ask * Decimal("0.97")).quantize(Decimal("0.01"))
    spec = SignalSpec("ETH", Side.BUY, (ask + 10, low), (ask * 2,), stop_loss=low - 100)
    received = await receive_signal(api.harness.core, me["id"], "-100778", "Thin Calls", "two entries", spec)
    signal_id = received.signal.id
    await api.json("POST", f"/api/v1/signals/{signal_id}/plan", headers, json={"amount": "100"})
    holding = await api.harness.hold_all_but(me["id"], keep)  # about 50 USDT each entry

    answer = await api.json("POST", f"/api/v1/signals/{signal_id}/follow", headers)
    assert (len(answer["orders"]), len(answer["failures"])) == ((1, 1) if followed else (0, 2))
    assert (await _signal_of(api, headers, signal_id))["status"] == ("followed" if followed else "previewed")
    await api.json("POST", f"/api/v1/orders/{holding.id}/cancel", headers)
    again = await api.client.post(
        f"/api/v1/signals/{signal_id}/plan", headers=headers, json={"amount": "100"}
    )
    assert again.status_code == (400 if followed else 201)
