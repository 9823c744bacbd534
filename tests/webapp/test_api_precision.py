"""Prices over the API as exact decimal strings at their market's precision: a cheap coin and a tiny one."""

from decimal import Decimal

from tests.webapp.conftest import Api


async def test_a_tiny_priced_markets_ticker_and_preview_are_exact_decimal_strings(api: Api) -> None:
    api.served.market.set_price("PEPE/USDT", Decimal("0.00001234"))
    headers = await api.sign_in(2111)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=PEPE", headers)
    assert ticker["last"] == "0.00001234"
    for side in ("bid", "ask"):
        assert isinstance(ticker[side], str) and "E" not in ticker[side].upper()
        assert Decimal(ticker[side]) == Decimal(ticker[side]).quantize(Decimal("0.00000001"))
    body = {"symbol": "PEPE", "side": "buy", "amount": "1000000", "stop_loss": "0.00001111"}
    draft = await api.json("POST", "/api/v1/orders/preview", headers, json=body)
    # The increment itself is a Decimal as str() writes it ("1E-8"), which the API's decimal pattern allows.
    assert Decimal(draft["price_tick"]) == Decimal("0.00000001") and draft["stop_loss"] == "0.00001111"
    assert draft["preview"]["price"] == ticker["ask"]


async def test_a_cheap_coins_ticker_keeps_its_markets_digits(api: Api) -> None:
    api.served.market.set_price("DOGE/USDT", Decimal("0.11234"))
    headers = await api.sign_in(2112)
    ticker = await api.json("GET", "/api/v1/markets/ticker?symbol=DOGE", headers)
    assert ticker["last"] == "0.11234"
    draft = await api.json(
        "POST", "/api/v1/orders/preview", headers, json={"symbol": "DOGE", "side": "buy", "amount": "500"}
    )
    assert draft["price_tick"] == "0.00001" and draft["preview"]["price"] == ticker["ask"]
    assert len(ticker["ask"].split(".")[1]) <= len("11234")
