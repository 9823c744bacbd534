"""Rebalancing over the API: the trades previewed (nothing placed), then placed, sales first; bad shares refused."""

from decimal import Decimal

from tests.webapp.conftest import Api


async def test_a_rebalance_is_previewed_then_placed_sales_first(api: Api) -> None:
    headers = await api.sign_in(3201)
    order = {"symbol": "ETH", "side": "buy", "amount": "2000", "unit": "quote"}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=order)
    await api.json("POST", "/api/v1/orders/confirm", headers, json={"draft_id": draft["draft_id"]})
    shares = {"shares": {"btc": "50", "USDT": "50"}}
    preview = await api.json("POST", "/api/v1/rebalance/preview", headers, json=shares)
    assert [(t["symbol"], t["side"]) for t in preview["trades"]] == [
        ("ETH/USDT", "sell"),
        ("BTC/USDT", "buy"),
    ]
    assert Decimal(preview["fees"]) == sum(Decimal(t["fee"]) for t in preview["trades"])
    assert len(await api.json("GET", "/api/v1/orders?status=all", headers)) == 1  # the preview placed nothing

    results = await api.json("POST", "/api/v1/rebalance", headers, json=shares)
    assert [(r["trade"]["side"], r["order"]["status"], r["error"]) for r in results] == [
        ("sell", "filled", None),
        ("buy", "filled", None),
    ]
    portfolio = await api.json("GET", "/api/v1/portfolio", headers)
    assert [p["symbol"] for p in portfolio["positions"]] == ["BTC/USDT"]


async def test_shares_that_do_not_add_up_are_refused_and_nothing_is_placed(api: Api) -> None:
    headers = await api.sign_in(3202)
    for shares, detail in (
        ({"BTC": "50", "ETH": "30"}, "add up to 80%, not 100%"),
        ({"BTC": "100", "ETH": "0"}, "above 0%"),
        ({"BTC": "-10", "USDT": "110"}, "above 0%"),
    ):
        refused = await api.client.post("/api/v1/rebalance", headers=headers, json={"shares": shares})
        assert refused.status_code == 400 and detail in refused.json()["detail"], refused.json()
    empty = await api.client.post("/api/v1/rebalance/preview", headers=headers, json={"shares": {}})
    assert empty.status_code == 400
    assert await api.json("GET", "/api/v1/orders?status=all", headers) == []
