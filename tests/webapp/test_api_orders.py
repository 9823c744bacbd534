"""The money path over HTTP: preview, confirm by draft id (once), cancel; portfolio after it."""

from decimal import Decimal

from tests.webapp.conftest import Api


async def test_portfolio_of_a_new_mini_app_user_is_the_paper_start_balance(api: Api) -> None:
    headers = await api.sign_in(1001)
    body = await api.json("GET", "/api/v1/portfolio", headers)
    assert Decimal(body["cash"]) == Decimal(10_000) and body["quote"] == "USDT"
    assert body["positions"] == []
    me = await api.json("GET", "/api/v1/me", headers)
    assert me["telegram_id"] == 1001 and me["name"] == "Ada" and me["scope"] == "trade"


async def test_preview_confirm_once_then_the_position_shows(api: Api) -> None:
    headers = await api.sign_in(1002)
    draft = await api.json(
        "POST", "/api/v1/orders/preview", headers, json={"symbol": "BTC", "side": "buy", "amount": "0.01"}
    )
    preview = draft["preview"]
    assert Decimal(preview["quantity"]) == Decimal("0.01")
    assert Decimal(preview["cost"]) == Decimal(preview["price"]) * Decimal("0.01")
    assert await api.json("GET", "/api/v1/orders", headers) == []  # a preview places nothing

    order = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    assert order["status"] == "filled" and order["symbol"] == "BTC/USDT"
    again = await api.client.post(
        "/api/v1/orders/confirm", headers=headers, json={"draft_id": draft["draft_id"]}
    )
    assert again.status_code == 409 and again.json()["error"] == "draft_already_used"

    body = await api.json("GET", "/api/v1/portfolio", headers)
    assert [p["symbol"] for p in body["positions"]] == ["BTC/USDT"]
    assert Decimal(body["cash"]) < Decimal(10_000)
    # The unrealised P&L beside the realised: the position at the price now against what it cost.
    [position] = body["positions"]
    marked = (Decimal(position["price"]) - Decimal(position["average_cost"])) * Decimal(position["quantity"])
    assert Decimal(position["unrealised_pnl"]) == marked == Decimal(body["unrealised_pnl"])
    assert Decimal(body["realised_pnl"]) == 0


async def test_a_stop_and_target_given_as_distances_come_back_as_prices(api: Api) -> None:
    headers = await api.sign_in(1006)
    body = {
        "symbol": "ETH",
        "side": "buy",
        "amount": "0.01",
        "type": "limit",
        "price": "3000",
        "stop_loss_percent": "5",
        "take_profit_percents": ["10"],
    }
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=body)
    assert Decimal(draft["stop_loss"]) == Decimal(2850) and [Decimal(t) for t in draft["take_profits"]] == [
        Decimal(3300)
    ]
    refused = await api.client.post(
        "/api/v1/orders/preview", headers=headers, json={**body, "stop_loss_percent": "100"}
    )
    assert refused.status_code == 400 and "below 100%" in refused.json()["detail"]


async def test_a_buys_stop_is_moved_by_a_preview_confirmed_like_any(api: Api) -> None:
    headers = await api.sign_in(1007)
    body = {"symbol": "ETH", "side": "buy", "amount": "0.01", "stop_loss_percent": "5"}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=body)
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    [stop] = await api.json("GET", "/api/v1/orders", headers)
    assert (stop["role"], stop["status"]) == ("stop_loss", "armed")
    bid = Decimal((await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers))["bid"])
    higher = (bid * Decimal("0.98")).quantize(Decimal("0.01"))
    move = await api.json("POST", f"/api/v1/orders/{stop['id']}/move", headers, json={"price": str(higher)})
    assert move["replaces_order_id"] == stop["id"] and Decimal(move["price"]) == higher
    assert Decimal(move["quantity"]) == Decimal(stop["quantity"]) and move["type"] == "stop"
    assert [o["price"] for o in await api.json("GET", "/api/v1/orders", headers)] == [
        stop["price"]
    ]  # not yet
    moved = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": move["draft_id"]})
    assert (moved["id"], moved["status"], Decimal(moved["price"])) == (stop["id"], "armed", higher)

    refusals = {
        "/api/v1/orders/999999/move": (404, "not found"),
        f"/api/v1/orders/{stop['id'] - 1}/move": (400, "only such a stop moves"),  # the buy itself
    }
    for path, (status, words) in refusals.items():
        answer = await api.client.post(path, headers=headers, json={"price": "100"})
        assert answer.status_code == status and words in answer.json()["detail"], answer.json()
    above = await api.client.post(
        f"/api/v1/orders/{stop['id']}/move", headers=headers, json={"price": str(bid + 100)}
    )
    assert above.status_code == 400 and "it would sell at once" in above.json()["detail"]
    other = await api.sign_in(1008)
    theirs = await api.client.post(f"/api/v1/orders/{stop['id']}/move", headers=other, json={"price": "100"})
    assert theirs.status_code == 404


async def test_a_resting_limit_order_is_cancelled(api: Api) -> None:
    headers = await api.sign_in(1003)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers)
    low = (Decimal(ticker["bid"]) * Decimal("0.5")).quantize(Decimal("0.01"))
    draft = await api.json(
        "POST",
        "/api/v1/orders/preview",
        headers,
        json={
            "symbol": "ETH/USDT",
            "side": "buy",
            "amount": "100",
            "unit": "quote",
            "type": "limit",
            "price": str(low),
        },
    )
    order = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    assert order["status"] == "open"
    assert [o["id"] for o in await api.json("GET", "/api/v1/orders", headers)] == [order["id"]]
    cancelled = await api.json("POST", f"/api/v1/orders/{order['id']}/cancel", headers)
    assert cancelled["status"] == "cancelled"
    assert await api.json("GET", "/api/v1/orders", headers) == []
    again = await api.client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    assert again.status_code == 400 and "only open orders cancel" in again.json()["detail"]


async def test_a_discarded_preview_cannot_be_confirmed(api: Api) -> None:
    headers = await api.sign_in(1004)
    draft = await api.json(
        "POST", "/api/v1/orders/preview", headers, json={"symbol": "BTC", "side": "buy", "amount": "0.001"}
    )
    answer = await api.client.delete(f"/api/v1/orders/previews/{draft['draft_id']}", headers=headers)
    assert answer.status_code == 204
    confirm = await api.client.post(
        "/api/v1/orders/confirm", headers=headers, json={"draft_id": draft["draft_id"]}
    )
    assert confirm.status_code == 409


async def test_refusals_are_clear_and_write_nothing(api: Api) -> None:
    headers = await api.sign_in(1005)
    before = await api.harness.counts()
    cases = [
        ({"symbol": "BTC", "side": "buy", "amount": "-1"}, 400, None),
        ({"symbol": "BTC", "side": "buy", "amount": "abc"}, 400, None),
        ({"symbol": "../etc", "side": "buy", "amount": "1"}, 400, None),
        ({"symbol": "NOPE", "side": "buy", "amount": "1"}, 400, "unknown_symbol"),
        ({"symbol": "BTC", "side": "buy", "amount": "5"}, 422, "insufficient_funds"),
        ({"symbol": "BTC", "side": "buy", "amount": "1", "extra": 1}, 400, None),
    ]
    for body, status, code in cases:
        answer = await api.client.post("/api/v1/orders/preview", headers=headers, json=body)
        assert answer.status_code == status, (body, answer.text)
        if code:
            assert answer.json()["error"] == code and answer.json()["detail"].endswith(".")
    assert await api.harness.counts() == before


async def test_markets_candles_accounts_and_risk(api: Api) -> None:
    headers = await api.sign_in(1006)
    markets = await api.json("GET", "/api/v1/markets", headers)
    assert "BTC/USDT" in {m["symbol"] for m in markets}
    candles = await api.json("GET", "/api/v1/markets/candles?symbol=BTC&limit=5", headers)
    assert len(candles) == 5
    risk = await api.json("GET", "/api/v1/risk", headers)
    assert Decimal(risk["max_order_value"]) > 0
    added = await api.json("POST", "/api/v1/accounts", headers, json={"exchange": "paper", "label": "Second"})
    accounts = await api.json("GET", "/api/v1/accounts", headers)
    assert [(a["label"], a["market_type"]) for a in accounts] == [
        ("Paper", "spot"),
        ("Paper futures", "futures"),
        ("Second", "spot"),
    ]
    assert all(
        set(a) == {"id", "exchange", "label", "testnet", "has_credentials", "created_at", "market_type"}
        for a in accounts
    )
    second = await api.json("GET", f"/api/v1/portfolio?account_id={added['id']}", headers)
    assert Decimal(second["cash"]) == Decimal(10_000)
    for removed in (added["id"], accounts[1]["id"]):
        assert (await api.client.delete(f"/api/v1/accounts/{removed}", headers=headers)).status_code == 204
    last = await api.client.delete(f"/api/v1/accounts/{accounts[0]['id']}", headers=headers)
    assert last.status_code == 400 and "only exchange account" in last.json()["detail"]


async def test_a_limit_on_the_wrong_side_of_the_market_says_where_it_would_fill(api: Api) -> None:
    headers = await api.sign_in(1009)
    quote = await api.json("GET", "/api/v1/markets/ticker?symbol=ETH", headers)
    above = str(int(Decimal(quote["ask"])) + 500)
    wrong = {"symbol": "ETH", "side": "buy", "amount": "0.01", "type": "limit", "price": above}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=wrong)
    assert Decimal(draft["preview"]["fills_at_once_near"]) == Decimal(quote["ask"])
    breakout = await api.json("POST", "/api/v1/orders/preview", headers, json={**wrong, "type": "stop"})
    assert breakout["preview"]["fills_at_once_near"] is None and breakout["type"] == "stop"


async def test_a_confirmation_repeats_the_stop_and_targets_it_placed(api: Api) -> None:
    headers = await api.sign_in(2113)
    body = {
        "symbol": "ETH",
        "side": "buy",
        "amount": "0.02",
        "stop_loss_percent": "5",
        "take_profit_percents": ["10"],
    }
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=body)
    order = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    assert order["status"] == "filled"
    legs = {leg["role"]: leg for leg in order["legs"]}
    assert sorted(legs) == ["stop_loss", "take_profit"]
    assert Decimal(legs["stop_loss"]["price"]) == Decimal(draft["stop_loss"])
    assert [Decimal(legs["take_profit"]["price"])] == [Decimal(t) for t in draft["take_profits"]]
    listed = {o["id"] for o in await api.json("GET", "/api/v1/orders", headers)}
    assert {leg["id"] for leg in order["legs"]} <= listed
    plain = await api.json(
        "POST",
        "/api/v1/orders/preview",
        headers,
        json={**body, "side": "sell", "stop_loss_percent": None, "take_profit_percents": []},
    )
    sold = await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": plain["draft_id"]})
    assert sold["legs"] == []
