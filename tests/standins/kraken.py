"""A local stand-in of Kraken's REST API (spot), enough of it for ccxt's real kraken client.

Public: Assets, AssetPairs, Ticker, Depth, OHLC. Private (signed requests are checked: API-Key and the
HMAC-SHA512 API-Sign over path and nonce): BalanceEx, AddOrder (with cl_ord_id), OpenOrders and ClosedOrders
(filtered by cl_ord_id, trade ids on request), QueryTrades, CancelOrder (by txid or cl_ord_id). Kraken names
assets XXBT and ZUSD and pairs XXBTZUSD (altname XBTUSD). Endpoint names for fault injection: markets, ticker,
order_book, candles, balance, create_order, open_orders, closed_orders, query_trades, cancel_order.
"""

import base64
import hashlib
import hmac
import itertools
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.standins.venue import (
    Refusal,
    Refused,
    SimOrder,
    SimulatedAccount,
    StandInServer,
    btc_and_eth,
    plain,
)

API_KEY = "standin-kraken-key"
SECRET = base64.b64encode(b"standin-kraken-secret-of-32-bytes").decode()

PrivateHandler = Callable[[dict[str, str]], Awaitable[web.Response]]

ASSETS = {
    "XXBT": {
        "aclass": "currency",
        "altname": "XBT",
        "decimals": 10,
        "display_decimals": 5,
        "status": "enabled",
    },
    "XETH": {
        "aclass": "currency",
        "altname": "ETH",
        "decimals": 10,
        "display_decimals": 5,
        "status": "enabled",
    },
    "ZUSD": {
        "aclass": "currency",
        "altname": "USD",
        "decimals": 4,
        "display_decimals": 2,
        "status": "enabled",
    },
}
_ALTNAMES = {"XXBTZUSD": "XBTUSD", "XETHZUSD": "ETHUSD"}
_REFUSALS = {
    Refusal.INSUFFICIENT_BALANCE: "EOrder:Insufficient funds",
    Refusal.BELOW_MINIMUM: "EOrder:Cost minimum not met",
    Refusal.DUPLICATE: "EOrder:Duplicate order",
    Refusal.UNKNOWN_ORDER: "EOrder:Unknown order",
    Refusal.TOO_MANY_STOPS: "EOrder:Orders limit exceeded",
}
_KINDS = {"market": "market", "limit": "limit", "stop-loss": "stop"}
_STATUS = {"open": "open", "filled": "closed", "canceled": "canceled"}


def asset_pair(
    venue_id: str, base: str, quote: str, pair_decimals: int, ordermin: str, costmin: str
) -> dict[str, Any]:
    altname = _ALTNAMES[venue_id]
    return {
        "altname": altname,
        "wsname": f"{altname[:3]}/{altname[3:]}",
        "aclass_base": "currency",
        "base": base,
        "aclass_quote": "currency",
        "quote": quote,
        "lot": "unit",
        "cost_decimals": 5,
        "pair_decimals": pair_decimals,
        "lot_decimals": 8,
        "lot_multiplier": 1,
        "leverage_buy": [],
        "leverage_sell": [],
        "fees": [[0, 0.4], [10000, 0.35]],
        "fees_maker": [[0, 0.25], [10000, 0.2]],
        "fee_volume_currency": "ZUSD",
        "margin_call": 80,
        "margin_stop": 40,
        "ordermin": ordermin,
        "costmin": costmin,
        "tick_size": str(Decimal(1).scaleb(-pair_decimals)),
        "status": "online",
    }


class KrakenStandIn(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        self.asset_pairs = {
            "XXBTZUSD": asset_pair("XXBTZUSD", "XXBT", "ZUSD", 1, "0.0001", "5"),
            "XETHZUSD": asset_pair("XETHZUSD", "XETH", "ZUSD", 2, "0.001", "5"),
        }
        markets = btc_and_eth(("XXBTZUSD", "XXBT"), ("XETHZUSD", "XETH"), "ZUSD", (Decimal(5), Decimal(5)))
        order_ids = itertools.count(1)
        self.account = SimulatedAccount(
            markets,
            {"ZUSD": Decimal(10_000), "XXBT": Decimal("0.5")},
            new_order_id=lambda: f"O{next(order_ids):05d}-STAND-INKRKN",
        )
        public, private = "/0/public", "/0/private"
        self.route("GET", f"{public}/Assets", "markets", self._assets)
        self.route("GET", f"{public}/AssetPairs", "markets", self._asset_pairs)
        self.route("GET", f"{public}/Ticker", "ticker", self._ticker)
        self.route("GET", f"{public}/Depth", "order_book", self._depth)
        self.route("GET", f"{public}/OHLC", "candles", self._ohlc)
        self.route("POST", f"{private}/BalanceEx", "balance", self._signed(self._balance))
        self.route("POST", f"{private}/AddOrder", "create_order", self._signed(self._add_order))
        self.route("POST", f"{private}/OpenOrders", "open_orders", self._signed(self._open_orders))
        self.route("POST", f"{private}/ClosedOrders", "closed_orders", self._signed(self._closed_orders))
        self.route("POST", f"{private}/QueryTrades", "query_trades", self._signed(self._query_trades))
        self.route("POST", f"{private}/CancelOrder", "cancel_order", self._signed(self._cancel))

    def rate_limited(self) -> web.Response:
        return _error("EAPI:Rate limit exceeded", status=429)

    def insufficient_balance(self) -> web.Response:
        return _error(_REFUSALS[Refusal.INSUFFICIENT_BALANCE])

    # Public

    async def _assets(self, request: web.Request) -> web.Response:
        return _result(ASSETS)

    async def _asset_pairs(self, request: web.Request) -> web.Response:
        return _result(self.asset_pairs)

    async def _ticker(self, request: web.Request) -> web.Response:
        market = self.account.markets[request.query["pair"]]
        last = (market.bid + market.ask) / 2
        opened = last / Decimal("1.025")
        ticker = {
            "a": [plain(market.ask, 5), "1", "1.000"],
            "b": [plain(market.bid, 5), "2", "2.000"],
            "c": [plain(last, 5), "0.01000000"],
            "v": ["100.00000000", "1234.50000000"],
            "p": [plain(last, 5), plain(last, 5)],
            "t": [100, 1000],
            "l": [plain(opened * Decimal("0.99"), 5)] * 2,
            "h": [plain(market.ask * Decimal("1.01"), 5)] * 2,
            "o": plain(opened, 5),
        }
        return _result({market.venue_id: ticker})

    async def _depth(self, request: web.Request) -> web.Response:
        market = self.account.markets[request.query["pair"]]
        count = int(request.query.get("count", "100"))
        bids = [
            [plain(market.bid - i, 5), plain(Decimal(i + 1) / 10, 3), 1_700_000_000] for i in range(count)
        ]
        asks = [
            [plain(market.ask + i, 5), plain(Decimal(i + 1) / 10, 3), 1_700_000_000] for i in range(count)
        ]
        return _result({market.venue_id: {"bids": bids, "asks": asks}})

    async def _ohlc(self, request: web.Request) -> web.Response:
        market = self.account.markets[request.query["pair"]]
        minutes = int(request.query.get("interval", "1"))
        start = 1_700_000_000 - 720 * minutes * 60
        rows = []
        for i in range(720):  # Kraken always answers with its last 720 candles
            close = market.bid + i
            rows.append(
                [start + i * minutes * 60, *(plain(p, 1) for p in (close - 1, close + 5, close - 5, close))]
            )
            rows[-1] += [plain(close, 1), "10.50000000", 42]
        return _result({market.venue_id: rows, "last": start + 719 * minutes * 60})

    # Private

    def _signed(self, handler: PrivateHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def check(request: web.Request) -> web.Response:
            body = await request.text()
            form = dict(parse_qsl(body))
            digest = hashlib.sha256((form.get("nonce", "") + body).encode()).digest()
            mac = hmac.new(base64.b64decode(SECRET), request.path.encode() + digest, hashlib.sha512)
            expected = base64.b64encode(mac.digest()).decode()
            if request.headers.get("API-Key") != API_KEY or request.headers.get("API-Sign") != expected:
                return _error("EAPI:Invalid key")
            return await handler(form)

        return check

    async def _balance(self, form: dict[str, str]) -> web.Response:
        account = self.account
        assets = sorted(set(account.free) | set(account.locked))
        return _result(
            {
                a: {
                    "balance": plain(account.free[a] + account.locked[a]),
                    "hold_trade": plain(account.locked[a]),
                }
                for a in assets
            }
        )

    async def _add_order(self, form: dict[str, str]) -> web.Response:
        kind = _KINDS.get(form["ordertype"])
        if kind is None:
            return _error("EGeneral:Invalid arguments:ordertype")
        try:
            order = self.account.place(
                form["pair"],
                form["type"],
                kind,
                Decimal(form["volume"]),
                Decimal(form["price"]) if "price" in form else None,
                form.get("cl_ord_id"),
            )
        except Refused as refused:
            return _error(_REFUSALS[refused.reason])
        return _result({"descr": {"order": _description(order)}, "txid": [order.order_id]})

    async def _open_orders(self, form: dict[str, str]) -> web.Response:
        return _result({"open": self._orders(form, open_ones=True)})

    async def _closed_orders(self, form: dict[str, str]) -> web.Response:
        closed = self._orders(form, open_ones=False)
        return _result({"closed": closed, "count": len(closed)})

    async def _query_trades(self, form: dict[str, str]) -> web.Response:
        wanted = set(form.get("txid", "").split(","))
        found = {}
        for order in self.account.orders.values():
            for trade in order.trades:
                if f"T{trade.trade_id}" in wanted:
                    found[f"T{trade.trade_id}"] = {
                        "ordertxid": order.order_id,
                        "postxid": f"P{trade.trade_id}",
                        "pair": order.market.venue_id,
                        "time": trade.time_ms / 1000,
                        "type": order.side,
                        "ordertype": form.get("ordertype", order.kind),
                        "price": plain(trade.price, 5),
                        "cost": plain(trade.price * trade.quantity, 5),
                        "fee": plain(trade.fee, 5),
                        "vol": plain(trade.quantity),
                        "margin": "0.00000",
                        "misc": "",
                    }
        return _result(found)

    async def _cancel(self, form: dict[str, str]) -> web.Response:
        if "cl_ord_id" in form:
            order = self.account.by_client_id(form["cl_ord_id"])
        else:
            order = self.account.orders.get(form.get("txid", ""))
        try:
            if order is None:
                raise Refused(Refusal.UNKNOWN_ORDER)
            self.account.cancel(order)
        except Refused as refused:
            return _error(_REFUSALS[refused.reason])
        return _result({"count": 1})

    def _orders(self, form: dict[str, str], open_ones: bool) -> dict[str, Any]:
        client_id = form.get("cl_ord_id")
        with_trades = form.get("trades", "").lower() in ("true", "1")
        return {
            order.order_id: _order_info(order, with_trades)
            for order in self.account.orders.values()
            if (order.status == "open") == open_ones and client_id in (None, order.client_order_id)
        }


def _result(result: Any) -> web.Response:
    return web.json_response({"error": [], "result": result})


def _error(message: str, status: int = 200) -> web.Response:
    return web.json_response({"error": [message]}, status=status)


def _description(order: SimOrder) -> str:
    altname = _ALTNAMES[order.market.venue_id]
    how = {"market": "market", "limit": f"limit {order.price}", "stop": f"stop loss {order.price}"}[
        order.kind
    ]
    return f"{order.side} {plain(order.quantity)} {altname} @ {how}"


def _order_info(order: SimOrder, with_trades: bool) -> dict[str, Any]:
    final = order.status != "open"
    info: dict[str, Any] = {
        "refid": None,
        "userref": 0,
        "cl_ord_id": order.client_order_id,
        "status": _STATUS[order.status],
        "opentm": order.created_ms / 1000,
        "starttm": 0,
        "expiretm": 0,
        "descr": {
            "pair": _ALTNAMES[order.market.venue_id],
            "type": order.side,
            "ordertype": {"market": "market", "limit": "limit", "stop": "stop-loss"}[order.kind],
            "price": str(order.price) if order.price is not None else "0",
            "price2": "0",
            "leverage": "none",
            "order": _description(order),
            "close": "",
        },
        "vol": plain(order.quantity),
        "vol_exec": plain(order.filled),
        "cost": plain(order.cost, 5),
        "fee": plain(order.fee, 5),
        "price": plain(order.average, 5),
        "stopprice": "0.00000",
        "limitprice": "0.00000",
        "misc": "",
        "oflags": "fciq",
    }
    if final:
        info["closetm"] = order.updated_ms / 1000
    if with_trades and order.trades:
        info["trades"] = [f"T{trade.trade_id}" for trade in order.trades]
    return info
