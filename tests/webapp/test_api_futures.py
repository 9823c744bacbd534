"""Futures over HTTP: the order ticket with leverage, margin mode and a short, previewed with its margin and
liquidation price, then confirmed; the positions listed, and each one reduced, its stop moved or set, and closed,
every action a preview confirmed like any order; the refusals clear, 4xx, and writing nothing."""

from decimal import Decimal
from typing import Any

from tests.webapp.conftest import Api
from trading.usecases.routing import NO_FUTURES_ACCOUNT

D = Decimal
ETH = "ETH/USDT:USDT"
POSITIONS = "/api/v1/futures/positions"


async def _preview(api: Api, headers: dict[str, str], **body: Any) -> Any:
    return await api.json("POST", "/api/v1/orders/preview", headers, json=body)


async def _confirm(api: Api, headers: dict[str, str], draft: dict[str, Any]) -> Any:
    return await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})


async def _eth(api: Api, headers: dict[str, str]) -> Decimal:
    return D((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["last"])


async def _position(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    [position] = (await api.json("GET", POSITIONS, headers))["positions"]
    return dict(position)


async def _refused(api: Api, headers: dict[str, str], path: str, body: Any, status: int) -> dict[str, Any]:
    answer = await api.client.post(path, headers=headers, json=body)
    assert answer.status_code == status, answer.text
    return dict(answer.json())


async def test_a_leveraged_short_is_previewed_with_its_liquidation_and_listed_once_confirmed(
    api: Api,
) -> None:
    headers = await api.sign_in(9001)
    price = await _eth(api, headers)
    stop = (price * D("1.05")).quantize(D("0.01"))
    body = {"symbol": "ETH", "side": "sell", "amount": "0.5", "position": "short", "leverage": "5"}
    draft = await _preview(api, headers, **body, stop_loss=str(stop), margin_mode="isolated")
    terms = draft["futures"]
    assert (draft["symbol"], draft["side"], terms["position_side"]) == (ETH, "sell", "short")
    assert (D(terms["leverage"]), terms["leverage_capped"], terms["leverage_asked"]) == (D(5), False, None)
    assert terms["margin_mode"] == "isolated" and not terms["reduce_only"]
    assert D(terms["margin"]) == D(draft["preview"]["cost"]) / 5
    liquidation = D(terms["liquidation_price"])
    assert liquidation > stop * D("1.01")
    assert D(terms["stop_to_liquidation_pct"]) == round((liquidation - stop) / stop * 100, 2)
    assert terms["funding_rate"] is not None and D(draft["preview"]["fee"]) > 0
    assert (await api.json("GET", POSITIONS, headers))["positions"] == []  # a preview places nothing

    order = await _confirm(api, headers, draft)
    assert (order["status"], order["symbol"], order["account_id"]) == ("filled", ETH, draft["account_id"])
    listed = await api.json("GET", POSITIONS, headers)
    assert listed["account_id"] == draft["account_id"] and listed["currency"] == "USDT"
    [position] = listed["positions"]
    assert (position["base"], position["side"], D(position["size"]), D(position["leverage"])) == (
        "ETH",
        "short",
        D("0.5"),
        D(5),
    )
    assert position["margin_mode"] == "isolated" and [D(s) for s in position["stops"]] == [stop]
    assert D(position["liquidation_price"]) == liquidation and D(position["margin"]) > 0
    assert D(position["mark_price"]) > 0 and "unrealised_pnl" in position
    assert D(position["price_tick"]) == D(draft["price_tick"]) == D("0.01")  # ETH's, the precision shown
    spot = await api.json("GET", "/api/v1/portfolio", headers)
    assert spot["positions"] == [] and D(spot["cash"]) == 10_000  # no coin was sold for the short


async def test_leverage_above_the_most_is_capped_and_said_and_cross_margin_is_taken(api: Api) -> None:
    headers = await api.sign_in(9002)
    price = await _eth(api, headers)
    stop = str((price * D("0.99")).quantize(D("0.01")))
    capped = await _preview(
        api, headers, symbol="ETH", side="buy", amount="0.1", leverage="50", stop_loss=stop
    )
    terms = capped["futures"]
    assert (terms["position_side"], D(terms["leverage"]), D(terms["leverage_asked"])) == (
        "long",
        D(20),
        D(50),
    )
    assert terms["leverage_capped"] is True

    cross = await _preview(
        api,
        headers,
        symbol="ETH",
        side="buy",
        amount="0.1",
        leverage="3",
        margin_mode="cross",
        stop_loss=stop,
    )
    assert cross["futures"]["margin_mode"] == "cross"
    isolated = await _preview(
        api, headers, symbol="ETH", side="buy", amount="0.1", leverage="3", stop_loss=stop
    )
    # Backed by the whole wallet (10,000 USDT), a cross long of 0.1 ETH has no liquidation price at all.
    assert (
        cross["futures"]["liquidation_price"] is None and cross["futures"]["stop_to_liquidation_pct"] is None
    )
    assert (
        D(isolated["futures"]["liquidation_price"]) > 0 and isolated["futures"]["margin_mode"] == "isolated"
    )
    await _confirm(api, headers, cross)
    assert (await _position(api, headers))["margin_mode"] == "cross"
    refused = await _refused(
        api,
        headers,
        "/api/v1/orders/preview",
        {"symbol": "ETH", "side": "buy", "amount": "0.1", "leverage": "3", "margin_mode": "isolated"},
        400,
    )
    assert "an add must keep its leverage and margin mode" in refused["detail"]


async def test_a_position_is_reduced_its_stop_moved_then_closed_each_previewed_and_confirmed(
    api: Api,
) -> None:
    headers = await api.sign_in(9003)
    price = await _eth(api, headers)
    stop = (price * D("0.95")).quantize(D("0.01"))
    body = {"symbol": "ETH", "side": "buy", "amount": "1", "leverage": "4", "stop_loss": str(stop)}
    await _confirm(api, headers, await _preview(api, headers, **body))

    half = await api.json("POST", f"{POSITIONS}/ETH/reduce", headers, json={"fraction": "0.5"})
    assert (half["side"], D(half["quantity"]), half["futures"]["reduce_only"]) == ("sell", D("0.5"), True)
    assert half["futures"]["closes"] is False and D(half["futures"]["margin"]) == 0
    assert D((await _position(api, headers))["size"]) == 1  # not yet
    await _confirm(api, headers, half)
    assert D((await _position(api, headers))["size"]) == D("0.5")
    by_size = await api.json("POST", f"{POSITIONS}/eth/reduce", headers, json={"size": "0.1"})
    await _confirm(api, headers, by_size)
    position = await _position(api, headers)
    assert D(position["size"]) == D("0.4") and [D(s) for s in position["stops"]] == [stop]

    higher = (price * D("0.97")).quantize(D("0.01"))
    move = await api.json("POST", f"{POSITIONS}/ETH/stop", headers, json={"price": str(higher)})
    assert move["replaces_order_id"] is not None and (move["type"], move["side"]) == ("stop", "sell")
    assert D(move["price"]) == higher and move["futures"]["reduce_only"] is True
    assert D(move["futures"]["stop_to_liquidation_pct"]) > 1
    assert [D(s) for s in (await _position(api, headers))["stops"]] == [stop]  # not yet
    moved = await _confirm(api, headers, move)
    assert (moved["id"], moved["status"], D(moved["price"])) == (move["replaces_order_id"], "armed", higher)
    assert [D(s) for s in (await _position(api, headers))["stops"]] == [higher]

    close = await api.json("POST", f"{POSITIONS}/ETH/close", headers)
    assert (D(close["quantity"]), close["futures"]["closes"], close["type"]) == (D("0.4"), True, "market")
    await _confirm(api, headers, close)
    assert (await api.json("GET", POSITIONS, headers))["positions"] == []
    assert await api.json("GET", "/api/v1/orders", headers) == []  # its stop went with it
    again = await _refused(api, headers, f"{POSITIONS}/ETH/close", None, 400)
    assert again["detail"] == "You have no open ETH position on Paper futures."


async def test_a_stop_is_set_on_a_position_without_one_and_a_stop_past_liquidation_is_refused(
    api: Api,
) -> None:
    headers = await api.sign_in(9004)
    price = await _eth(api, headers)
    short = {"symbol": "ETH", "side": "sell", "amount": "0.2", "position": "short"}
    await _confirm(api, headers, await _preview(api, headers, **short))  # 1x: no stop needed
    assert (await _position(api, headers))["stops"] == []

    past = await _refused(api, headers, f"{POSITIONS}/ETH/stop", {"price": str(price * D("0.9"))}, 400)
    assert "would buy at once" in past["detail"]
    above = (price * D("1.1")).quantize(D("0.01"))
    new = await api.json("POST", f"{POSITIONS}/ETH/stop", headers, json={"price": str(above)})
    assert (new["type"], new["side"], D(new["price"]), new["replaces_order_id"]) == (
        "stop",
        "buy",
        above,
        None,
    )
    assert new["futures"]["closes"] is True and D(new["quantity"]) == D("0.2")
    placed = await _confirm(api, headers, new)
    assert (placed["status"], placed["role"]) == ("open", "close")  # resting at the venue, reduce-only
    assert [D(s) for s in (await _position(api, headers))["stops"]] == [above]
    closer = (price * D("1.05")).quantize(D("0.01"))
    move = await api.json("POST", f"{POSITIONS}/ETH/stop", headers, json={"price": str(closer)})
    assert move["replaces_order_id"] == placed["id"]
    await _confirm(api, headers, move)
    assert [D(s) for s in (await _position(api, headers))["stops"]] == [closer]

    leveraged = await api.sign_in(9005)
    lev_stop = str((price * D("1.03")).quantize(D("0.01")))
    body = {**short, "leverage": "20", "stop_loss": lev_stop}
    await _confirm(api, leveraged, await _preview(api, leveraged, **body))
    liquidation = D((await _position(api, leveraged))["liquidation_price"])
    beyond = await _refused(
        api, leveraged, f"{POSITIONS}/ETH/stop", {"price": str(liquidation.quantize(D("0.01")))}, 422
    )
    assert beyond["error"] == "risk_rejected" and "would be liquidated at" in beyond["detail"]


async def test_refusals_are_clear_4xx_and_write_nothing(api: Api) -> None:
    headers = await api.sign_in(9006)
    before = await api.harness.counts()
    cases: list[tuple[str, Any, int, str]] = [
        (f"{POSITIONS}/ETH/close", None, 400, "You have no open ETH position"),
        (f"{POSITIONS}/ETH/reduce", {"fraction": "0.5"}, 400, "You have no open ETH position"),
        (f"{POSITIONS}/ETH/stop", {"price": "100"}, 400, "You have no open ETH position"),
        (f"{POSITIONS}/ETH/reduce", {"fraction": "1.5"}, 400, "at most 1"),
        (f"{POSITIONS}/ETH/reduce", {"fraction": "0.5", "size": "1"}, 400, "either"),
        (f"{POSITIONS}/ETH/reduce", {}, 400, "either"),
        (f"{POSITIONS}/ETH/stop", {"price": "-1"}, 400, "above 0"),
        (f"{POSITIONS}/ETH/close?account_id=999999", None, 404, "not found"),
        (f"{POSITIONS}/E$H/close", None, 400, ""),
    ]
    ticket = "/api/v1/orders/preview"
    order = {"symbol": "ETH", "side": "buy", "amount": "0.1"}
    cases += [
        (ticket, {**order, "leverage": "0.5"}, 400, "whole number"),
        (ticket, {**order, "leverage": "2.5"}, 400, "whole number"),
        (ticket, {**order, "margin_mode": "both"}, 400, ""),
        (ticket, {**order, "position": "sideways"}, 400, ""),
        (ticket, {**order, "margin_mode": "cross"}, 400, "A margin mode goes with a futures order"),
        (ticket, {**order, "leverage": "5"}, 422, "needs a stop loss"),
    ]
    for path, body, status, words in cases:
        answer = await _refused(api, headers, path, body, status)
        assert words in answer["detail"] or words in str(answer.get("extra")), (path, body, answer)
    spot = (await api.json("GET", "/api/v1/accounts", headers))[0]["id"]
    wrong = await _refused(api, headers, ticket, {**order, "position": "short", "account_id": spot}, 400)
    assert wrong["error"] == "no_futures_account" and "trades spot" in wrong["detail"]
    assert await api.harness.counts() == before


async def test_a_spot_only_user_is_refused_a_short_in_the_chats_own_words_and_keeps_every_coin(
    api: Api,
) -> None:
    headers = await api.sign_in(9007)
    await _confirm(api, headers, await _preview(api, headers, symbol="ETH", side="buy", amount="0.1"))
    [_, futures] = await api.json("GET", "/api/v1/accounts", headers)
    assert futures["market_type"] == "futures"
    await api.json("DELETE", f"/api/v1/accounts/{futures['id']}", headers)
    before = await api.harness.counts()
    asks = [
        ("/api/v1/orders/preview", {"symbol": "ETH", "side": "sell", "amount": "0.1", "position": "short"}),
        ("/api/v1/orders/preview", {"symbol": "ETH", "side": "buy", "amount": "0.1", "leverage": "3"}),
        (f"{POSITIONS}/ETH/close", None),
    ]
    for path, body in asks:
        refused = await _refused(api, headers, path, body, 400)
        assert (refused["error"], refused["detail"]) == ("no_futures_account", NO_FUTURES_ACCOUNT)
    listing = await api.client.get(POSITIONS, headers=headers)
    assert listing.status_code == 400 and listing.json()["detail"] == NO_FUTURES_ACCOUNT
    assert await api.harness.counts() == before
    [held] = (await api.json("GET", "/api/v1/portfolio", headers))["positions"]
    assert (held["symbol"], D(held["quantity"])) == ("ETH/USDT", D("0.1"))
