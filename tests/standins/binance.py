"""A local stand-in of Binance's REST API, enough of it for ccxt's real binance client.

Spot: exchangeInfo, 24h ticker, depth, klines, account, order (new, query and cancel, by orderId or
origClientOrderId), openOrders and myTrades; signed requests are checked (X-MBX-APIKEY and the HMAC-SHA256
signature). It also answers what ccxt asks for while loading markets with keys (capital/config/getall, margin
pairs) and serves a USDⓈ-M perpetual (markets and ticker, no orders). Endpoint names for fault injection:
markets, ticker, order_book, candles, balance, create_order, fetch_order, cancel_order, open_orders, my_trades.
"""

import hashlib
import hmac
import itertools
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.standins.binance_usdm_json import perpetual
from tests.standins.venue import (
    Refusal,
    Refused,
    SimMarket,
    SimOrder,
    SimOrderBook,
    SimTrade,
    SimulatedAccount,
    StandInServer,
    btc_and_eth,
    plain,
)

API_KEY = "standin-binance-key"
SECRET = "standin-binance-secret"

SignedHandler = Callable[[web.Request, dict[str, str]], Awaitable[web.Response]]

_STATUS = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}
_TYPES = {"MARKET": "market", "LIMIT": "limit", "STOP_LOSS": "stop"}
_REFUSALS = {
    Refusal.INSUFFICIENT_BALANCE: (-2010, "Account has insufficient balance for requested action."),
    Refusal.BELOW_MINIMUM: (-1013, "Filter failure: NOTIONAL"),
    Refusal.DUPLICATE: (-2010, "Duplicate order sent."),
    Refusal.UNKNOWN_ORDER: (-2011, "Unknown order sent."),
    Refusal.TOO_MANY_STOPS: (-1013, "Filter failure: MAX_NUM_ALGO_ORDERS"),
}


def spot_market(
    venue_id: str, base: str, quote: str, tick: str, step: str, min_notional: str
) -> dict[str, Any]:
    return {
        "symbol": venue_id,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "1000000.00", "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "9000.0", "stepSize": step},
            {"filterType": "NOTIONAL", "minNotional": min_notional, "applyMinToMarket": True},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
    }


class BinanceServer(StandInServer):
    """What Binance's spot and USDⓈ-M stand-ins answer alike: error bodies and the exchangeInfo envelope."""

    refusals: Mapping[Refusal, tuple[int, str]] = _REFUSALS
    exchange_info: list[dict[str, Any]]

    def rate_limited(self) -> web.Response:
        return error_response(429, -1003, "Too many requests; current limit is 1200 requests per minute.")

    def insufficient_balance(self) -> web.Response:
        return error_response(400, *self.refusals[Refusal.INSUFFICIENT_BALANCE])

    def answer_wallet_lists(self, *paths: str) -> None:
        """What ccxt asks of the wallet API (/sapi) while loading markets with keys, answered with nothing."""
        for path in paths:
            self.route("GET", f"/sapi/v1/{path}", "markets", signed(self._empty_list))

    async def _exchange_info(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"timezone": "UTC", "serverTime": 0, "rateLimits": [], "symbols": self.exchange_info}
        )

    async def _empty_list(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return web.json_response([])


class BinanceStandIn(BinanceServer):
    def __init__(self) -> None:
        super().__init__()
        self.exchange_info = [
            spot_market("BTCUSDT", "BTC", "USDT", "0.01", "0.00001", "5.00000000"),
            spot_market("ETHUSDT", "ETH", "USDT", "0.01", "0.0001", "5.00000000"),
        ]
        markets = btc_and_eth(("BTCUSDT", "BTC"), ("ETHUSDT", "ETH"), "USDT", (Decimal(5), Decimal(5)))
        order_ids = itertools.count(1)
        self.account = SimulatedAccount(
            markets,
            {"USDT": Decimal(10_000), "BTC": Decimal("0.5")},
            new_order_id=lambda: str(next(order_ids)),
            refuse_open_duplicates=True,  # as Binance refuses a client id that an open order has
        )
        public = "/api/v3"
        self.route("GET", f"{public}/exchangeInfo", "markets", self._exchange_info)
        self.route("GET", f"{public}/ticker/24hr", "ticker", self._ticker)
        self.route("GET", f"{public}/depth", "order_book", self._depth)
        self.route("GET", f"{public}/klines", "candles", self._klines)
        self.route("GET", f"{public}/account", "balance", signed(self._balance))
        self.route("POST", f"{public}/order", "create_order", signed(self._create))
        self.route("GET", f"{public}/order", "fetch_order", signed(self._fetch))
        self.route("DELETE", f"{public}/order", "cancel_order", signed(self._cancel))
        self.route("GET", f"{public}/openOrders", "open_orders", signed(self._open_orders))
        self.route("GET", f"{public}/myTrades", "my_trades", signed(self._my_trades))
        self.answer_wallet_lists("capital/config/getall", "margin/allPairs", "margin/isolated/allPairs")
        self.route("GET", "/fapi/v1/exchangeInfo", "markets", self._futures_info)
        self.route("GET", "/fapi/v1/ticker/24hr", "ticker", self._ticker)
        self.route("GET", "/dapi/v1/exchangeInfo", "markets", self._no_symbols)

    # Public

    async def _futures_info(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": 0,
                "symbols": [perpetual("BTCUSDT", "BTC", "0.10", "0.001", "100")],
            }
        )

    async def _no_symbols(self, request: web.Request) -> web.Response:
        return web.json_response({"timezone": "UTC", "serverTime": 0, "symbols": []})

    async def _ticker(self, request: web.Request) -> web.Response:
        return web.json_response(ticker_json(self._market(request.query["symbol"])))

    async def _depth(self, request: web.Request) -> web.Response:
        market = self._market(request.query["symbol"])
        limit = int(request.query.get("limit", "100"))
        tick = Decimal("0.01")
        bids = [[plain(market.bid - tick * i), plain(Decimal(i + 1) / 10)] for i in range(limit)]
        asks = [[plain(market.ask + tick * i), plain(Decimal(i + 1) / 10)] for i in range(limit)]
        return web.json_response({"lastUpdateId": 1, "bids": bids, "asks": asks})

    async def _klines(self, request: web.Request) -> web.Response:
        market = self._market(request.query["symbol"])
        limit = int(request.query.get("limit", "500"))
        hour, end = 3_600_000, 1_700_000_000_000  # the history ends there
        start, count = end - limit * hour, limit
        if "startTime" in request.query:  # a page from a time on, as Binance pages its history
            start = -(-int(request.query["startTime"]) // hour) * hour
            count = max(0, min(limit, (end - start) // hour))
        rows = []
        for i in range(count):
            close = market.bid + i
            row = [
                start + i * hour,
                plain(close - 1),
                plain(close + 5),
                plain(close - 5),
                plain(close),
                "10.5",
            ]
            rows.append([*row, start + (i + 1) * hour - 1, plain(close * 10), 42, "5.0", "1.0", "0"])
        return web.json_response(rows)

    # Signed

    async def _balance(self, request: web.Request, form: dict[str, str]) -> web.Response:
        assets = sorted(set(self.account.free) | set(self.account.locked))
        balances = [
            {"asset": a, "free": plain(self.account.free[a]), "locked": plain(self.account.locked[a])}
            for a in assets
        ]
        return web.json_response(
            {
                "makerCommission": 10,
                "takerCommission": 10,
                "canTrade": True,
                "updateTime": 0,
                "balances": balances,
            }
        )

    async def _create(self, request: web.Request, form: dict[str, str]) -> web.Response:
        kind = _TYPES.get(form["type"])
        if kind is None:
            return error_response(400, -1116, "Invalid orderType.")
        price = form.get("stopPrice") if kind == "stop" else form.get("price")
        try:
            order = self.account.place(
                form["symbol"],
                form["side"].lower(),
                kind,
                Decimal(form["quantity"]),
                Decimal(price) if price else None,
                form.get("newClientOrderId"),
            )
        except Refused as refused:
            return error_response(400, *_REFUSALS[refused.reason])
        fills = [
            {
                "price": plain(t.price),
                "qty": plain(t.quantity),
                "commission": plain(t.fee),
                "commissionAsset": order.market.quote,
                "tradeId": int(t.trade_id),
            }
            for t in order.trades
        ]
        return web.json_response({**_order_json(order), "transactTime": order.created_ms, "fills": fills})

    async def _fetch(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return order_answer(self._order(form), _order_json)

    async def _cancel(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return cancel_answer(self.account, self._order(form), _REFUSALS, _cancelled_json)

    async def _open_orders(self, request: web.Request, form: dict[str, str]) -> web.Response:
        orders = [o for o in self.account.orders.values() if o.status == "open"]
        symbol = form.get("symbol")
        return web.json_response([_order_json(o) for o in orders if symbol in (None, o.market.venue_id)])

    async def _my_trades(self, request: web.Request, form: dict[str, str]) -> web.Response:
        order = self.account.orders.get(form.get("orderId", ""))
        trades = [] if order is None else [_trade_json(order, trade) for trade in order.trades]
        return web.json_response(trades)

    def _order(self, form: dict[str, str]) -> SimOrder | None:
        if "origClientOrderId" in form:
            found = self.account.by_client_id(form["origClientOrderId"])
        else:
            found = self.account.orders.get(form.get("orderId", ""))
        return found if found is not None and found.market.venue_id == form.get("symbol") else None

    def _market(self, venue_id: str) -> SimMarket:
        market = self.account.markets.get(venue_id)
        if market is None:
            raise web.HTTPBadRequest(
                text='{"code":-1121,"msg":"Invalid symbol."}', content_type="application/json"
            )
        return market


def error_response(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "msg": message}, status=status)


def order_answer(order: SimOrder | None, shown: Callable[[SimOrder], dict[str, Any]]) -> web.Response:
    """The order as `shown`, or Binance's refusal when there is none."""
    if order is None:
        return error_response(400, -2013, "Order does not exist.")
    return web.json_response(shown(order))


def cancel_answer(
    account: SimOrderBook,
    order: SimOrder | None,
    refusals: Mapping[Refusal, tuple[int, str]],
    shown: Callable[[SimOrder], dict[str, Any]],
) -> web.Response:
    """Cancels the order (None: an unknown one) and answers with it as `shown`, or with the refusal."""
    try:
        if order is None:
            raise Refused(Refusal.UNKNOWN_ORDER)
        account.cancel(order)
    except Refused as refused:
        return error_response(400, *refusals[refused.reason])
    return web.json_response(shown(order))


def signed(handler: SignedHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Checks X-MBX-APIKEY and the HMAC-SHA256 signature of the query (GET, DELETE) or the body (POST)."""

    async def check(request: web.Request) -> web.Response:
        body = await request.text()
        raw = body if request.method == "POST" else request.query_string
        payload, _, signature = raw.rpartition("&signature=")
        if request.headers.get("X-MBX-APIKEY") != API_KEY:
            return error_response(401, -2015, "Invalid API-key, IP, or permissions for action.")
        expected = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return error_response(400, -1022, "Signature for this request is not valid.")
        return await handler(request, dict(parse_qsl(payload)))

    return check


def ticker_json(market: SimMarket) -> dict[str, Any]:
    """The 24h ticker at the market's bid and ask, up 2.5% on the day."""
    last = (market.bid + market.ask) / 2
    opened = last / Decimal("1.025")
    return {
        "symbol": market.venue_id,
        "priceChange": plain(last - opened),
        "priceChangePercent": "2.500",
        "weightedAvgPrice": plain(last),
        "prevClosePrice": plain(opened),
        "lastPrice": plain(last),
        "lastQty": "0.01000000",
        "bidPrice": plain(market.bid),
        "bidQty": "1.00000000",
        "askPrice": plain(market.ask),
        "askQty": "1.00000000",
        "openPrice": plain(opened),
        "highPrice": plain(market.ask * Decimal("1.01")),
        "lowPrice": plain(opened * Decimal("0.99")),
        "volume": "1234.50000000",
        "quoteVolume": plain(last * Decimal("1234.5")),
        "openTime": 1_699_913_600_000,
        "closeTime": 1_700_000_000_000,
        "firstId": 1,
        "lastId": 100,
        "count": 100,
    }


def _cancelled_json(order: SimOrder) -> dict[str, Any]:
    """Binance's answer to a cancel names the cancel request's own client id."""
    return {**_order_json(order), "origClientOrderId": order.client_order_id, "clientOrderId": "cancel-1"}


def _order_json(order: SimOrder) -> dict[str, Any]:
    kind = {"market": "MARKET", "limit": "LIMIT", "stop": "STOP_LOSS"}[order.kind]
    price = order.price if order.price is not None and order.kind != "stop" else Decimal(0)
    stop = order.price if order.kind == "stop" and order.price is not None else Decimal(0)
    status = _STATUS[order.status]
    if status == "NEW" and order.filled:
        status = "PARTIALLY_FILLED"
    return {
        "symbol": order.market.venue_id,
        "orderId": int(order.order_id),
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "price": plain(price),
        "origQty": plain(order.quantity),
        "executedQty": plain(order.filled),
        "cummulativeQuoteQty": plain(order.cost),
        "status": status,
        "timeInForce": "GTC",
        "type": kind,
        "side": order.side.upper(),
        "stopPrice": plain(stop),
        "time": order.created_ms,
        "updateTime": order.updated_ms,
        "workingTime": order.created_ms,
        "isWorking": True,
        "selfTradePreventionMode": "NONE",
    }


def _trade_json(order: SimOrder, trade: SimTrade) -> dict[str, Any]:
    return {
        "symbol": order.market.venue_id,
        "id": int(trade.trade_id),
        "orderId": int(order.order_id),
        "orderListId": -1,
        "price": plain(trade.price),
        "qty": plain(trade.quantity),
        "quoteQty": plain(trade.price * trade.quantity),
        "commission": plain(trade.fee),
        "commissionAsset": order.market.quote,
        "time": trade.time_ms,
        "isBuyer": order.side == "buy",
        "isMaker": order.kind == "limit",
        "isBestMatch": True,
    }
