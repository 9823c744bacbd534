"""Per-user risk limits over HTTP: read, set (only tighter than the operator's), reset; previews obey them."""

from decimal import Decimal
from typing import Any

from tests.webapp.conftest import Api
from trading.domain.risk_sizing import NEEDS_A_STOP

OPERATOR = {  # tests.harness.GENEROUS, and the default stop-for-leverage rule
    "max_order_value": "10000000",
    "max_position_share": "1",
    "max_open_positions": 100,
    "daily_loss_limit": "10000000",
    "require_stop_for_leverage": True,
    "max_leverage": "20",
    "max_margin_share": "1",
}


def _limits(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in OPERATOR}


def _same(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    def norm(value: Any) -> Any:
        return Decimal(value) if isinstance(value, str) else value

    return {k: norm(v) for k, v in found.items()} == {k: norm(v) for k, v in wanted.items()}


async def test_a_new_user_has_the_operators_limits_and_none_of_their_own(api: Api) -> None:
    headers = await api.sign_in(5001)
    body = await api.json("GET", "/api/v1/risk", headers)
    assert _same(_limits(body), OPERATOR) and _same(body["operator"], OPERATOR)
    assert set(body["overrides"].values()) == {None}
    assert body["editable"] is True and body["draft_ttl_seconds"] > 0


async def test_own_limits_are_set_read_back_and_reset(api: Api) -> None:
    headers = await api.sign_in(5002)
    own = {"max_order_value": "250", "max_position_share": "0.2", "max_open_positions": 3}
    body = await api.json("PUT", "/api/v1/risk", headers, json=own)
    wanted = {**OPERATOR, **own}
    assert _same(_limits(body), wanted)
    unset = dict.fromkeys(
        ("daily_loss_limit", "require_stop_for_leverage", "max_leverage", "max_margin_share")
    )
    assert _same(body["overrides"], {**own, **unset})
    assert _same(_limits(await api.json("GET", "/api/v1/risk", headers)), wanted)
    assert await api.harness.count("risk_settings") == 1

    body = await api.json("PUT", "/api/v1/risk", headers, json={"max_leverage": "5"})
    assert Decimal(body["max_leverage"]) == 5 and Decimal(body["operator"]["max_leverage"]) == 20

    # PUT replaces: what is left out returns to the operator's.
    body = await api.json("PUT", "/api/v1/risk", headers, json={"daily_loss_limit": "40.5"})
    assert _same(_limits(body), {**OPERATOR, "daily_loss_limit": "40.5"})

    body = await api.json("DELETE", "/api/v1/risk", headers)
    assert _same(_limits(body), OPERATOR) and set(body["overrides"].values()) == {None}
    assert await api.harness.count("risk_settings") == 0
    other = await api.sign_in(5003)
    assert _same(_limits(await api.json("GET", "/api/v1/risk", other)), OPERATOR)


async def test_invalid_or_looser_limits_are_400_with_the_reason_and_nothing_is_written(api: Api) -> None:
    headers = await api.sign_in(5004)
    await api.json("PUT", "/api/v1/risk", headers, json={"max_order_value": "100"})
    refused = {
        "above the operator's": (
            {"max_order_value": "20000000"},
            "The limit per order can be at most 10,000,000.00 USDT, the operator's limit.",
        ),
        "zero": ({"daily_loss_limit": "0"}, "`daily_loss_limit` must be a number above 0"),
        "negative": ({"max_order_value": "-5"}, "`max_order_value` must be a number above 0"),
        "not a number": ({"max_order_value": "NaN"}, "`max_order_value` must be a number above 0"),
        "a share over one": (
            {"max_position_share": "1.5"},
            "`max_position_share` must be above 0 and at most 1",
        ),
        "a margin share over one": (
            {"max_margin_share": "2"},
            "`max_margin_share` must be above 0 and at most 1",
        ),
        "no positions": ({"max_open_positions": 0}, "max_open_positions"),
        "the stop rule off": (
            {"require_stop_for_leverage": False},
            "A stop loss on leveraged trades is required by the operator; it cannot be turned off.",
        ),
        "more leverage than the operator's": (
            {"max_leverage": "50"},
            "The most leverage can be 20x at most, the operator's limit.",
        ),
        "a part of a leverage": ({"max_leverage": "2.5"}, "The most leverage must be a whole number"),
        "an unknown field": ({"max_laverage": "3"}, "max_laverage"),
        "a word": ({"max_order_value": "lots"}, "max_order_value"),
    }
    for name, (payload, reason) in refused.items():
        answer = await api.client.put("/api/v1/risk", headers=headers, json=payload)
        assert answer.status_code == 400, (name, answer.text)
        body = answer.json()
        assert reason in body["detail"] + str(body.get("extra", "")), (name, body)
    body = await api.json("GET", "/api/v1/risk", headers)
    assert Decimal(body["max_order_value"]) == 100 and body["overrides"]["daily_loss_limit"] is None


async def test_reading_needs_a_sign_in_and_changing_needs_the_trade_scope(api: Api) -> None:
    assert (await api.client.get("/api/v1/risk")).status_code == 401
    assert (await api.client.put("/api/v1/risk", json={"max_order_value": "1"})).status_code == 401
    assert (await api.client.delete("/api/v1/risk")).status_code == 401
    session = await api.sign_in(5005)
    made = await api.json("POST", "/api/v1/tokens", session, json={"name": "reader", "scope": "read"})
    reader = {"Authorization": f"Bearer {made['secret']}"}
    assert _same(_limits(await api.json("GET", "/api/v1/risk", reader)), OPERATOR)
    refused = await api.client.put("/api/v1/risk", headers=reader, json={"max_order_value": "1"})
    assert refused.status_code == 403 and "only read" in refused.json()["detail"]
    assert (await api.client.delete("/api/v1/risk", headers=reader)).status_code == 403
    assert await api.harness.count("risk_settings") == 0


async def test_a_preview_is_refused_by_the_users_own_tighter_limit_and_allowed_after_reset(api: Api) -> None:
    headers = await api.sign_in(5006)
    order = {"symbol": "ETH", "side": "buy", "amount": "80", "unit": "quote"}
    assert (await api.client.post("/api/v1/orders/preview", headers=headers, json=order)).status_code == 201
    await api.json("PUT", "/api/v1/risk", headers, json={"max_order_value": "50"})
    refused = await api.client.post("/api/v1/orders/preview", headers=headers, json=order)
    assert refused.status_code == 422 and refused.json()["error"] == "risk_rejected"
    assert "your limit per order is 50.00 USDT" in refused.json()["detail"]
    other = await api.sign_in(5007)  # another user keeps the operator's limits
    assert (await api.client.post("/api/v1/orders/preview", headers=other, json=order)).status_code == 201
    await api.json("DELETE", "/api/v1/risk", headers)
    assert (await api.client.post("/api/v1/orders/preview", headers=headers, json=order)).status_code == 201


async def test_the_share_limit_of_a_user_refuses_a_large_position(api: Api) -> None:
    headers = await api.sign_in(5008)
    await api.json("PUT", "/api/v1/risk", headers, json={"max_position_share": "0.1"})
    order = {"symbol": "BTC", "side": "buy", "amount": "2000", "unit": "quote"}
    refused = await api.client.post("/api/v1/orders/preview", headers=headers, json=order)
    assert refused.status_code == 422 and "the limit is 10%" in refused.json()["detail"]


async def test_the_margin_cap_counts_the_margin_in_use_and_refuses_past_it(api: Api) -> None:
    headers = await api.sign_in(5009)
    body = await api.json("PUT", "/api/v1/risk", headers, json={"max_margin_share": "0.05"})
    assert (
        Decimal(body["max_margin_share"]) == Decimal("0.05")
        and body["overrides"]["max_margin_share"] == "0.05"
    )
    short = {"symbol": "ETH", "side": "sell", "amount": "0.05", "position": "short", "leverage": "5"}
    price = Decimal((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["last"])
    short["stop_loss"] = str((price * Decimal("1.05")).quantize(Decimal("0.01")))
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=short)
    margin = Decimal(draft["futures"]["margin"])
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    big = {**short, "amount": str((Decimal(500) * 5 / price).quantize(Decimal("0.001")))}
    refused = await api.client.post("/api/v1/orders/preview", headers=headers, json=big)
    assert refused.status_code == 422 and refused.json()["error"] == "risk_rejected", refused.text
    detail = refused.json()["detail"]
    assert "USDT in use, past your cap of 5% of your futures equity (" in detail, detail
    in_use = Decimal(detail.split("on top of the ")[1].split(" USDT")[0].replace(",", ""))
    assert abs(in_use - margin) < margin / 100  # the short's margin, at its fill
    assert await api.harness.count("order_drafts") == 1


async def test_a_preview_sized_from_risk_says_so_and_one_without_a_stop_is_refused(api: Api) -> None:
    headers = await api.sign_in(5010)
    price = Decimal((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["last"])
    stop = str((price * Decimal("0.97")).quantize(Decimal("0.01")))
    order = {"symbol": "ETH", "side": "buy", "amount": "1", "unit": "risk", "stop_loss": stop}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=order)
    preview = draft["preview"]
    assert Decimal(preview["risk_percent"]) == 1 and Decimal(99) < Decimal(preview["at_risk"]) <= 100
    leveraged = await api.json("POST", "/api/v1/orders/preview", headers, json={**order, "leverage": "5"})
    assert leveraged["futures"] is not None and Decimal(leveraged["preview"]["at_risk"]) <= 100
    del order["stop_loss"]
    refused = await api.client.post("/api/v1/orders/preview", headers=headers, json=order)
    assert refused.status_code == 400 and refused.json()["detail"] == NEEDS_A_STOP, refused.text


async def test_the_risk_endpoints_are_in_the_openapi_schema(api: Api) -> None:
    schema = (await api.client.get("/api/v1/openapi.json")).json()
    risk = schema["paths"]["/api/v1/risk"]
    assert {"get", "put", "delete"} <= set(risk)
    assert "tighter than the operator's" in risk["put"]["description"]
    assert "RiskIn" in str(risk["put"]["requestBody"])
