"""A local stand-in of Bybit's v5 API for linear perpetuals on a unified account, enough of it for ccxt's real
bybit client.

Public: market/instruments-info, market/tickers (prices and funding). Private (checked: X-BAPI-API-KEY and the
HMAC-SHA256 X-BAPI-SIGN over timestamp, key, receive window and the query or the JSON body): user/query-api and
account/info (which ccxt asks to know the account is unified), asset/coin/query-info, account/wallet-balance,
position/list, position/set-leverage, account/set-margin-mode (account-wide on a unified account),
order/create (conditional orders with triggerPrice are kept with the others, as Bybit does), order/realtime and
order/history (filtered by orderLinkId), order/cancel and execution/list (an order's trades; by execType the
funding settled and the liquidations' bust trades). Errors come as Bybit sends them: HTTP 200 with a retCode. The account is a SimulatedFuturesAccount. Endpoint names for fault injection: markets,
ticker, account_info, balance, positions, leverage, margin_mode, create_order, open_orders, closed_orders,
cancel_order, my_trades.
"""

import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.standins.futures import SimFunding, SimLiquidation, SimulatedFuturesAccount
from tests.standins.venue import Refusal, Refused, SimMarket, SimOrder, StandInServer, btc_and_eth, plain

API_KEY = "standin-bybit-key"
SECRET = "standin-bybit-secret"
MAX_LEVERAGE = {"BTCUSDT": 100, "ETHUSDT": 50}
NOW_MS = 1_700_000_000_000

PrivateHandler = Callable[[dict[str, Any]], Awaitable[web.Response]]

_REFUSALS = {
    Refusal.INSUFFICIENT_BALANCE: (110007, "ab not enough for new order"),
    Refusal.BELOW_MINIMUM: (110094, "Order does not meet minimum order value 5USDT"),
    Refusal.DUPLICATE: (110072, "OrderLinkedID is duplicate"),
    Refusal.UNKNOWN_ORDER: (110001, "order not exists or too late to cancel"),
    Refusal.REDUCE_ONLY: (110017, "current position is zero, cannot fix reduce-only order qty"),
    Refusal.LEVERAGE_TOO_HIGH: (110013, "Due to risk limit, cannot set leverage"),
    Refusal.POSITION_OPEN: (110073, "Set margin mode failed"),
    Refusal.POSITION_SIDE: (10001, "position idx not match position mode"),
}
_OPEN_STATUS = {"limit": "New", "market": "New", "stop": "Untriggered"}
_CLOSED_STATUS = {"filled": "Filled", "canceled": "Cancelled"}


class BybitStandIn(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        markets = btc_and_eth(("BTCUSDT", "BTC"), ("ETHUSDT", "ETH"), "USDT", (Decimal(5), Decimal(5)))
        order_ids = itertools.count(1)
        self.account = SimulatedFuturesAccount(
            markets, "USDT", Decimal(10_000), MAX_LEVERAGE, lambda: f"bybit-{next(order_ids):04d}"
        )
        self.funding_rate = Decimal("0.0001")
        self.route("GET", "/v5/market/instruments-info", "markets", self._instruments)
        self.route("GET", "/v5/market/tickers", "ticker", self._tickers)
        routes = [
            ("GET", "asset/coin/query-info", "markets", self._coins),
            ("GET", "user/query-api", "account_info", self._api_key_info),
            ("GET", "account/info", "account_info", self._account_info),
            ("GET", "account/wallet-balance", "balance", self._wallet_balance),
            ("GET", "position/list", "positions", self._positions),
            ("POST", "position/set-leverage", "leverage", self._set_leverage),
            ("POST", "account/set-margin-mode", "margin_mode", self._set_margin_mode),
            ("POST", "order/create", "create_order", self._create),
            ("GET", "order/realtime", "open_orders", self._open_orders),
            ("GET", "order/history", "closed_orders", self._closed_orders),
            ("POST", "order/cancel", "cancel_order", self._cancel),
            ("GET", "execution/list", "my_trades", self._executions),
        ]
        for method, path, endpoint, handler in routes:
            self.route(method, f"/v5/{path}", endpoint, self._private(handler))

    def rate_limited(self) -> web.Response:
        return _refused(10006, "Too many visits!")

    def insufficient_balance(self) -> web.Response:
        return _refused(*_REFUSALS[Refusal.INSUFFICIENT_BALANCE])

    def _private(self, handler: PrivateHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def check(request: web.Request) -> web.Response:
            body = await request.text()
            headers = request.headers
            if headers.get("X-BAPI-API-KEY") != API_KEY:
                return _refused(10003, "API key is invalid.")
            signed = request.query_string if request.method == "GET" else body
            payload = (
                headers.get("X-BAPI-TIMESTAMP", "") + API_KEY + headers.get("X-BAPI-RECV-WINDOW", "") + signed
            )
            expected = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("X-BAPI-SIGN", "")):
                return _refused(10004, "error sign! origin_string[...]")
            params: dict[str, Any] = json.loads(body) if request.method == "POST" else dict(request.query)
            return await handler(params)

        return check

    # Public

    async def _instruments(self, request: web.Request) -> web.Response:
        listed = request.query.get("category") == "linear" and request.query.get("status") != "PreLaunch"
        markets = list(self.account.markets.values()) if listed else []
        return _ok(
            {"category": request.query.get("category"), "list": [_instrument_json(m) for m in markets]}
        )

    async def _tickers(self, request: web.Request) -> web.Response:
        symbol = request.query.get("symbol")
        markets = [m for m in self.account.markets.values() if symbol in (None, m.venue_id)]
        return _ok({"category": "linear", "list": [self._ticker_json(market) for market in markets]})

    def _ticker_json(self, market: SimMarket) -> dict[str, Any]:
        mark = self.account.mark(market.venue_id)
        opened = mark / Decimal("1.025")
        return {
            "symbol": market.venue_id,
            "lastPrice": plain(mark),
            "indexPrice": plain(mark),
            "markPrice": plain(mark),
            "prevPrice24h": plain(opened),
            "price24hPcnt": "0.025",
            "highPrice24h": plain(market.ask * Decimal("1.01")),
            "lowPrice24h": plain(opened * Decimal("0.99")),
            "openInterest": "1000",
            "openInterestValue": plain(mark * 1000),
            "turnover24h": plain(mark * Decimal("1234.5")),
            "volume24h": "1234.5",
            "fundingRate": plain(self.funding_rate),
            "nextFundingTime": str(NOW_MS + 6_400_000),
            "bid1Price": plain(market.bid),
            "bid1Size": "1",
            "ask1Price": plain(market.ask),
            "ask1Size": "1",
        }

    # Account

    async def _coins(self, params: dict[str, Any]) -> web.Response:
        return _ok({"rows": []})

    async def _api_key_info(self, params: dict[str, Any]) -> web.Response:
        return _ok({"apiKey": API_KEY, "readOnly": 0, "unified": 0, "uta": 1, "isMaster": True, "userID": 1})

    async def _account_info(self, params: dict[str, Any]) -> web.Response:
        isolated = any(self.account.isolated.values())
        mode = "ISOLATED_MARGIN" if isolated else "REGULAR_MARGIN"
        return _ok({"marginMode": mode, "unifiedMarginStatus": 5, "updatedTime": str(NOW_MS)})

    async def _wallet_balance(self, params: dict[str, Any]) -> web.Response:
        account = self.account
        coin = {
            "coin": account.settle,
            "walletBalance": plain(account.wallet),
            "equity": plain(account.equity()),
            "unrealisedPnl": plain(account.equity() - account.wallet),
            "totalPositionIM": plain(account.margin_in_use()),
            "totalOrderIM": "0",
            "locked": "0",
            "availableToWithdraw": "",
            "borrowAmount": "0",
            "accruedInterest": "0",
        }
        return _ok(
            {"list": [{"accountType": "UNIFIED", "totalEquity": plain(account.equity()), "coin": [coin]}]}
        )

    async def _positions(self, params: dict[str, Any]) -> web.Response:
        account, symbol = self.account, params.get("symbol")
        if symbol is not None:
            # Asked by symbol, Bybit lists it flat or not: one entry in one-way mode, a long and a short in hedge.
            sides = (1, 2) if account.hedge_mode else (0,)
            return _ok(
                {"category": "linear", "list": [self._position_json(symbol, index) for index in sides]}
            )
        held = [venue_id for venue_id, position in account.positions.items() if position.size]
        return _ok({"category": "linear", "list": [self._position_json(venue_id, 0) for venue_id in held]})

    def _position_json(self, venue_id: str, index: int) -> dict[str, Any]:
        account, position = self.account, self.account.positions[venue_id]
        side = "Buy" if position.size > 0 else "Sell" if position.size < 0 else ""
        return {
            "positionIdx": index,
            "symbol": venue_id,
            "side": side,
            "size": plain(abs(position.size), 3),
            "avgPrice": plain(position.entry),
            "positionValue": plain(abs(position.size) * position.entry),
            "leverage": str(account.leverage[venue_id]),
            "markPrice": plain(account.mark(venue_id)),
            "liqPrice": plain(account.liquidation_price(venue_id) or Decimal(0)),
            "positionIM": plain(position.margin),
            "positionMM": plain(abs(position.size) * account.mark(venue_id) * account.maintenance_rate),
            "positionBalance": plain(position.margin if account.isolated[venue_id] else Decimal(0)),
            "unrealisedPnl": plain(account.unrealised(venue_id)),
            "positionStatus": "Normal",
            "createdTime": str(NOW_MS),
            "updatedTime": str(position.updated_ms or NOW_MS),
        }

    async def _set_leverage(self, params: dict[str, Any]) -> web.Response:
        try:
            changed = self.account.set_leverage(params["symbol"], int(Decimal(params["buyLeverage"])))
        except Refused as refused:
            return _refused(*_REFUSALS[refused.reason])
        return _ok({}) if changed else _refused(110043, "leverage not modified")

    async def _set_margin_mode(self, params: dict[str, Any]) -> web.Response:
        isolated = params["setMarginMode"] == "ISOLATED_MARGIN"
        try:
            for venue_id in self.account.markets:  # one mode for the whole unified account
                self.account.set_isolated(venue_id, isolated)
        except Refused as refused:
            return _refused(*_REFUSALS[refused.reason])
        return _ok({"reasons": []}, "Request accepted")

    # Orders

    async def _create(self, params: dict[str, Any]) -> web.Response:
        trigger = params.get("triggerPrice")
        kind = "stop" if trigger else str(params["orderType"]).lower()
        price = trigger or params.get("price")
        try:
            order = self.account.place(
                params["symbol"],
                str(params["side"]).lower(),
                kind,
                Decimal(params["qty"]),
                Decimal(price) if price else None,
                params.get("orderLinkId"),
                reduce_only=bool(params.get("reduceOnly")),
            )
        except Refused as refused:
            return _refused(*_REFUSALS[refused.reason])
        return _ok({"orderId": order.order_id, "orderLinkId": order.client_order_id or ""})

    async def _open_orders(self, params: dict[str, Any]) -> web.Response:
        return _ok(
            {"category": "linear", "list": [_order_json(o) for o in self._orders(params, open_ones=True)]}
        )

    async def _closed_orders(self, params: dict[str, Any]) -> web.Response:
        return _ok(
            {"category": "linear", "list": [_order_json(o) for o in self._orders(params, open_ones=False)]}
        )

    async def _cancel(self, params: dict[str, Any]) -> web.Response:
        order = self.account.orders.get(str(params.get("orderId")))
        try:
            if order is None:
                raise Refused(Refusal.UNKNOWN_ORDER)
            self.account.cancel(order)
        except Refused as refused:
            return _refused(*_REFUSALS[refused.reason])
        return _ok({"orderId": order.order_id, "orderLinkId": order.client_order_id or ""})

    async def _executions(self, params: dict[str, Any]) -> web.Response:
        """An order's trades; or, by execType, the funding settled (Funding) or the liquidations (BustTrade)."""
        since, kind = int(params.get("startTime", 0)), params.get("execType")
        if kind == "Funding":
            fundings = [f for f in self.account.fundings if f.time_ms >= since]
            return _ok({"category": "linear", "list": [_funding_json(f) for f in fundings]})
        if kind == "BustTrade":
            liquidations = [x for x in self.account.liquidations if x.time_ms >= since]
            return _ok({"category": "linear", "list": [_bust_json(x) for x in liquidations]})
        order = self.account.orders.get(str(params.get("orderId")))
        executions = (
            [] if order is None else [_execution_json(order, index) for index in range(len(order.trades))]
        )
        return _ok({"category": "linear", "list": executions})

    def _orders(self, params: dict[str, Any], open_ones: bool) -> list[SimOrder]:
        """Newest first, filtered as Bybit filters: symbol, orderId, orderLinkId, orderStatus."""
        status = params.get("orderStatus")
        return [
            order
            for order in reversed(self.account.orders.values())
            if (order.status == "open") == open_ones
            and params.get("symbol") in (None, order.market.venue_id)
            and params.get("orderId") in (None, order.order_id)
            and params.get("orderLinkId") in (None, order.client_order_id)
            and status in (None, _status(order))
        ]


def _ok(result: dict[str, Any], message: str = "OK") -> web.Response:
    return web.json_response(
        {"retCode": 0, "retMsg": message, "result": result, "retExtInfo": {}, "time": NOW_MS}
    )


def _refused(code: int, message: str) -> web.Response:
    return web.json_response(
        {"retCode": code, "retMsg": message, "result": {}, "retExtInfo": {}, "time": NOW_MS}
    )


def _instrument_json(market: SimMarket) -> dict[str, Any]:
    step, tick = "0.001", "0.10" if market.base == "BTC" else "0.01"
    return {
        "symbol": market.venue_id,
        "contractType": "LinearPerpetual",
        "status": "Trading",
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "settleCoin": market.quote,
        "launchTime": "1585526400000",
        "deliveryTime": "0",
        "priceScale": "2",
        "leverageFilter": {
            "minLeverage": "1",
            "maxLeverage": f"{MAX_LEVERAGE[market.venue_id]}.00",
            "leverageStep": "0.01",
        },
        "priceFilter": {"minPrice": tick, "maxPrice": "1999999.80", "tickSize": tick},
        "lotSizeFilter": {
            "maxOrderQty": "1190.000",
            "minOrderQty": step,
            "qtyStep": step,
            "maxMktOrderQty": "500.000",
            "minNotionalValue": plain(market.min_notional, 0),
        },
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
    }


def _status(order: SimOrder) -> str:
    if order.status == "open":
        return "PartiallyFilled" if order.filled else _OPEN_STATUS[order.kind]
    if order.kind == "stop" and order.status == "canceled":
        return "Deactivated"
    return _CLOSED_STATUS[order.status]


def _order_json(order: SimOrder) -> dict[str, Any]:
    stop = order.kind == "stop"
    return {
        "orderId": order.order_id,
        "orderLinkId": order.client_order_id or "",
        "symbol": order.market.venue_id,
        "price": plain(order.price if order.kind == "limit" and order.price is not None else Decimal(0)),
        "qty": plain(order.quantity, 3),
        "side": order.side.capitalize(),
        "positionIdx": 0,
        "orderStatus": _status(order),
        "avgPrice": plain(order.average) if order.filled else "",
        "leavesQty": plain(order.remaining, 3),
        "cumExecQty": plain(order.filled, 3),
        "cumExecValue": plain(order.cost),
        "cumExecFee": plain(order.fee),
        "timeInForce": "GTC" if order.kind == "limit" else "IOC",
        "orderType": "Limit" if order.kind == "limit" else "Market",
        "stopOrderType": "Stop" if stop else "",
        "triggerPrice": plain(order.price if stop and order.price is not None else Decimal(0)),
        "triggerDirection": (1 if order.side == "buy" else 2) if stop else 0,
        "takeProfit": "0",
        "stopLoss": "0",
        "reduceOnly": order.reduce_only,
        "closeOnTrigger": False,
        "tpslMode": "",
        "createdTime": str(order.created_ms),
        "updatedTime": str(order.updated_ms),
    }


def _execution_json(order: SimOrder, index: int) -> dict[str, Any]:
    trade = order.trades[index]
    return {
        "symbol": order.market.venue_id,
        "orderId": order.order_id,
        "orderLinkId": order.client_order_id or "",
        "side": order.side.capitalize(),
        "orderType": "Limit" if order.kind == "limit" else "Market",
        "execId": trade.trade_id,
        "execPrice": plain(trade.price),
        "execQty": plain(trade.quantity, 3),
        "execValue": plain(trade.price * trade.quantity),
        "execFee": plain(trade.fee),
        "feeCurrency": "USDT",
        "feeRate": "0.0005",
        "execType": "Trade",
        "execTime": str(trade.time_ms),
        "isMaker": order.kind == "limit",
        "createType": "CreateByUser",
        "closedSize": "0",
    }


def _funding_json(funding: SimFunding) -> dict[str, Any]:
    """Funding as Bybit lists it among the executions: execFee is what the account paid."""
    return {
        "symbol": funding.venue_id,
        "orderId": "",
        "orderLinkId": "",
        "side": "Buy"
        if funding.paid * funding.rate > 0
        else "Sell",  # the position's: a long pays a positive rate
        "orderType": "UNKNOWN",
        "execId": f"funding-{funding.record_id}",
        "execPrice": plain(funding.mark),
        "execQty": plain(funding.size, 3),
        "execValue": plain(funding.mark * funding.size),
        "execFee": plain(funding.paid),
        "feeCurrency": "",
        "feeRate": plain(funding.rate),
        "markPrice": plain(funding.mark),
        "execType": "Funding",
        "execTime": str(funding.time_ms),
        "isMaker": False,
        "closedSize": "0",
    }


def _bust_json(liquidation: SimLiquidation) -> dict[str, Any]:
    """A liquidation as Bybit lists it among the executions: a bust trade of the liquidation order."""
    return {
        "symbol": liquidation.venue_id,
        "orderId": f"liq-{liquidation.record_id}",
        "orderLinkId": "",
        "side": liquidation.side.capitalize(),
        "orderType": "Market",
        "execId": f"bust-{liquidation.record_id}",
        "execPrice": plain(liquidation.price),
        "execQty": plain(liquidation.size, 3),
        "execValue": plain(liquidation.price * liquidation.size),
        "execFee": "0",
        "feeRate": "0",
        "markPrice": plain(liquidation.price),
        "execType": "BustTrade",
        "execTime": str(liquidation.time_ms),
        "isMaker": False,
        "closedSize": plain(liquidation.size, 3),
    }
