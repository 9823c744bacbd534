"""A local stand-in of OKX's v5 API for USDT-margined perpetual swaps, enough of it for ccxt's real okx client.

OKX sizes swap orders and positions in contracts (`ctVal` of the base each: 0.01 BTC, 0.1 ETH, in steps of
0.01 contract); prices are per coin. Public: public/instruments (SWAP), market/ticker, public/funding-rate.
Private (checked: OK-ACCESS-KEY and -PASSPHRASE, and OK-ACCESS-SIGN, the base64 HMAC-SHA256 of timestamp, method,
path with its query, and body): asset/currencies, account/config (the position mode), account/balance,
account/positions, account/set-leverage (per instrument and margin mode), trade/batch-orders (ccxt's way to
place one), trade/order (by ordId or clOrdId), trade/cancel-order, trade/fills-history, and account/bills-archive
(funding fees, type 8). Errors come as OKX sends them: HTTP 200 with a code (an order's in its data's sCode), a
rate limit as HTTP 429 with code 50011. Conditional (algo) orders are not served: tsbot holds stops itself on OKX.
The account is a SimulatedFuturesAccount in coins. Endpoint names for fault injection: markets, ticker, funding,
account_info, balance, positions, leverage, create_order, fetch_order, cancel_order, my_trades, funding_history.
"""

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.standins.futures import SimFunding, SimulatedFuturesAccount
from tests.standins.venue import Refusal, Refused, SimMarket, SimOrder, StandInServer, btc_and_eth, plain

API_KEY = "standin-okx-key"
SECRET = "standin-okx-secret"
PASSPHRASE = "standin-okx-passphrase"
MAX_LEVERAGE = {"BTC-USDT-SWAP": 100, "ETH-USDT-SWAP": 75}
CONTRACT_SIZE = {"BTC-USDT-SWAP": Decimal("0.01"), "ETH-USDT-SWAP": Decimal("0.1")}
NOW_MS = 1_700_000_000_000

PrivateHandler = Callable[[Any], Awaitable[web.Response]]

_REFUSALS = {
    Refusal.INSUFFICIENT_BALANCE: ("51008", "Order failed. Insufficient USDT margin in account"),
    Refusal.BELOW_MINIMUM: ("51020", "Order amount should be greater than the min available amount."),
    Refusal.DUPLICATE: ("51016", "Duplicated client order ID"),
    Refusal.UNKNOWN_ORDER: ("51603", "Order does not exist"),
    Refusal.REDUCE_ONLY: (
        "51169",
        "Order failed because you don't have any positions in this direction for this contract to reduce or close.",
    ),
    Refusal.LEVERAGE_TOO_HIGH: ("59102", "Leverage exceeds the maximum leverage."),
    Refusal.POSITION_OPEN: ("59000", "Settings failed. Close any open positions or pending orders first."),
    Refusal.POSITION_SIDE: ("51000", "Parameter posSide error"),
}
_STATES = {"open": "live", "filled": "filled", "canceled": "canceled"}


class OkxStandIn(StandInServer):
    def __init__(self) -> None:
        super().__init__()
        markets = btc_and_eth(
            ("BTC-USDT-SWAP", "BTC"), ("ETH-USDT-SWAP", "ETH"), "USDT", (Decimal(0), Decimal(0))
        )
        order_ids = itertools.count(600_000_001)
        self.account = SimulatedFuturesAccount(
            markets, "USDT", Decimal(10_000), MAX_LEVERAGE, lambda: str(next(order_ids))
        )
        self.funding_rate = Decimal("0.0001")
        self.route("GET", "/api/v5/public/instruments", "markets", self._instruments)
        self.route("GET", "/api/v5/market/ticker", "ticker", self._ticker)
        self.route("GET", "/api/v5/public/funding-rate", "funding", self._funding_rate)
        routes: list[tuple[str, str, str, PrivateHandler]] = [
            ("GET", "asset/currencies", "markets", self._currencies),
            ("GET", "account/config", "account_info", self._config),
            ("GET", "account/balance", "balance", self._balance),
            ("GET", "account/positions", "positions", self._positions),
            ("POST", "account/set-leverage", "leverage", self._set_leverage),
            ("POST", "trade/batch-orders", "create_order", self._create),
            ("GET", "trade/order", "fetch_order", self._fetch),
            ("POST", "trade/cancel-order", "cancel_order", self._cancel),
            ("GET", "trade/fills-history", "my_trades", self._fills),
            ("GET", "account/bills-archive", "funding_history", self._bills),
        ]
        for method, path, endpoint, handler in routes:
            self.route(method, f"/api/v5/{path}", endpoint, self._private(handler))

    def rate_limited(self) -> web.Response:
        return web.json_response({"code": "50011", "msg": "Too Many Requests", "data": []}, status=429)

    def insufficient_balance(self) -> web.Response:
        return _order_refused(*_REFUSALS[Refusal.INSUFFICIENT_BALANCE])

    def contracts(self, venue_id: str, coins: Decimal) -> Decimal:
        return coins / CONTRACT_SIZE[venue_id]

    def _private(self, handler: PrivateHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def check(request: web.Request) -> web.Response:
            body, headers = await request.text(), request.headers
            if headers.get("OK-ACCESS-KEY") != API_KEY or headers.get("OK-ACCESS-PASSPHRASE") != PASSPHRASE:
                return _refused("50111", "Invalid OK-ACCESS-KEY.")
            signed = headers.get("OK-ACCESS-TIMESTAMP", "") + request.method + request.raw_path + body
            digest = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(base64.b64encode(digest).decode(), headers.get("OK-ACCESS-SIGN", "")):
                return _refused("50113", "Invalid Sign")
            return await handler(json.loads(body) if request.method == "POST" else dict(request.query))

        return check

    # Public

    async def _instruments(self, request: web.Request) -> web.Response:
        listed = request.query.get("instType") == "SWAP"
        markets = list(self.account.markets.values()) if listed else []
        return _ok([_instrument_json(market) for market in markets])

    async def _ticker(self, request: web.Request) -> web.Response:
        market = self.account.markets.get(request.query.get("instId", ""))
        if market is None:
            return _refused("51001", "Instrument ID does not exist")
        mark = self.account.mark(market.venue_id)
        return _ok(
            [
                {
                    "instType": "SWAP",
                    "instId": market.venue_id,
                    "last": plain(mark),
                    "bidPx": plain(market.bid),
                    "askPx": plain(market.ask),
                    "open24h": plain(mark / Decimal("1.025")),
                    "high24h": plain(mark),
                    "low24h": plain(mark),
                    "vol24h": "1000",
                    "ts": str(NOW_MS),
                }
            ]
        )

    async def _funding_rate(self, request: web.Request) -> web.Response:
        venue_id = request.query.get("instId", "")
        return _ok(
            [
                {
                    "instType": "SWAP",
                    "instId": venue_id,
                    "fundingRate": plain(self.funding_rate),
                    "nextFundingRate": "",
                    "fundingTime": str(NOW_MS + 6_400_000),
                    "nextFundingTime": str(NOW_MS + 35_200_000),
                }
            ]
        )

    # Account

    async def _currencies(self, params: dict[str, Any]) -> web.Response:
        return _ok([])

    async def _config(self, params: dict[str, Any]) -> web.Response:
        mode = "long_short_mode" if self.account.hedge_mode else "net_mode"
        return _ok([{"uid": "44705892343619584", "acctLv": "2", "posMode": mode, "autoLoan": False}])

    async def _balance(self, params: dict[str, Any]) -> web.Response:
        account = self.account
        detail = {
            "ccy": account.settle,
            "eq": plain(account.equity()),
            "cashBal": plain(account.wallet),
            "availBal": plain(account.available()),
            "availEq": plain(account.available()),
            "frozenBal": plain(account.margin_in_use()),
            "upl": plain(account.equity() - account.wallet),
        }
        return _ok([{"totalEq": plain(account.equity()), "uTime": str(NOW_MS), "details": [detail]}])

    async def _positions(self, params: dict[str, Any]) -> web.Response:
        wanted = str(params.get("instId", "")).split(",") if params.get("instId") else None
        held = [
            venue_id
            for venue_id, position in self.account.positions.items()
            if position.size and (wanted is None or venue_id in wanted)
        ]
        return _ok([self._position_json(venue_id) for venue_id in held])

    def _position_json(self, venue_id: str) -> dict[str, Any]:
        account, position = self.account, self.account.positions[venue_id]
        isolated, mark = account.isolated[venue_id], account.mark(venue_id)
        return {
            "instType": "SWAP",
            "instId": venue_id,
            "posId": f"pos-{venue_id}",
            "posSide": "net",
            "pos": plain(self.contracts(venue_id, position.size), 2),
            "mgnMode": "isolated" if isolated else "cross",
            "lever": str(account.leverage[venue_id]),
            "avgPx": plain(position.entry),
            "markPx": plain(mark),
            "upl": plain(account.unrealised(venue_id)),
            "liqPx": plain(account.liquidation_price(venue_id) or Decimal(0)),
            "margin": plain(position.margin) if isolated else "",
            "imr": "" if isolated else plain(position.margin),
            "mmr": plain(abs(position.size) * mark * account.maintenance_rate),
            "notionalUsd": plain(abs(position.size) * mark),
            "ccy": account.settle,
            "cTime": str(position.updated_ms),
            "uTime": str(position.updated_ms),
        }

    async def _set_leverage(self, params: dict[str, Any]) -> web.Response:
        """OKX keeps a leverage per instrument and margin mode; the mode an order trades in is its own
        (tdMode). The stand-in's account keeps the last one set."""
        venue_id = str(params["instId"])
        try:
            self.account.set_isolated(venue_id, params["mgnMode"] == "isolated")
            self.account.set_leverage(venue_id, int(params["lever"]))
        except Refused as refused:
            return _refused(*_REFUSALS[refused.reason])
        data = {
            "instId": venue_id,
            "lever": str(params["lever"]),
            "mgnMode": params["mgnMode"],
            "posSide": "net",
        }
        return _ok([data])

    # Orders

    async def _create(self, params: list[dict[str, Any]]) -> web.Response:
        [order_params] = params
        venue_id, kind = str(order_params["instId"]), str(order_params["ordType"])
        if kind not in ("market", "limit") or order_params.get("tdMode") not in ("cross", "isolated"):
            return _order_refused("51000", f"Parameter ordType or tdMode error: {kind}")
        if (order_params["tdMode"] == "isolated") != self.account.isolated[venue_id]:
            return _order_refused(
                "51000", "Parameter tdMode error: set the leverage of this margin mode first"
            )
        price = order_params.get("px")
        try:
            order = self.account.place(
                venue_id,
                str(order_params["side"]),
                kind,
                Decimal(order_params["sz"]) * CONTRACT_SIZE[venue_id],
                Decimal(price) if price else None,
                order_params.get("clOrdId"),
                reduce_only=bool(order_params.get("reduceOnly")),
            )
        except Refused as refused:
            return _order_refused(*_REFUSALS[refused.reason])
        placed = {"clOrdId": order.client_order_id or "", "ordId": order.order_id, "sCode": "0", "sMsg": ""}
        return _ok([{**placed, "tag": ""}])

    async def _fetch(self, params: dict[str, Any]) -> web.Response:
        order = self._order(params)
        if order is None:
            return _refused(*_REFUSALS[Refusal.UNKNOWN_ORDER])
        return _ok([self._order_json(order)])

    async def _cancel(self, params: dict[str, Any]) -> web.Response:
        order = self._order(params)
        try:
            if order is None:
                raise Refused(Refusal.UNKNOWN_ORDER)
            self.account.cancel(order)
        except Refused as refused:
            return _order_refused(*_REFUSALS[refused.reason])
        return _ok(
            [{"clOrdId": order.client_order_id or "", "ordId": order.order_id, "sCode": "0", "sMsg": ""}]
        )

    async def _fills(self, params: dict[str, Any]) -> web.Response:
        order = self.account.orders.get(str(params.get("ordId")))
        fills = [] if order is None else [self._fill_json(order, index) for index in range(len(order.trades))]
        return _ok(fills)

    async def _bills(self, params: dict[str, Any]) -> web.Response:
        if params.get("type") != "8":
            return _ok([])
        return _ok([_funding_bill_json(funding) for funding in self.account.fundings])

    def _order(self, params: dict[str, Any]) -> SimOrder | None:
        if params.get("clOrdId"):
            order = self.account.by_client_id(str(params["clOrdId"]))
        else:
            order = self.account.orders.get(str(params.get("ordId")))
        return order if order is not None and order.market.venue_id == params.get("instId") else None

    def _order_json(self, order: SimOrder) -> dict[str, Any]:
        venue_id = order.market.venue_id
        state = "partially_filled" if order.status == "open" and order.filled else _STATES[order.status]
        return {
            "instType": "SWAP",
            "instId": venue_id,
            "ordId": order.order_id,
            "clOrdId": order.client_order_id or "",
            "px": plain(order.price) if order.kind == "limit" and order.price is not None else "",
            "sz": plain(self.contracts(venue_id, order.quantity), 2),
            "ordType": order.kind,
            "side": order.side,
            "posSide": "net",
            "tdMode": "isolated" if self.account.isolated[venue_id] else "cross",
            "accFillSz": plain(self.contracts(venue_id, order.filled), 2),
            "avgPx": plain(order.average) if order.filled else "",
            "state": state,
            "lever": str(self.account.leverage[venue_id]),
            "fee": plain(-order.fee),
            "feeCcy": "USDT",
            "reduceOnly": "true" if order.reduce_only else "false",
            "cTime": str(order.created_ms),
            "uTime": str(order.updated_ms),
        }

    def _fill_json(self, order: SimOrder, index: int) -> dict[str, Any]:
        trade, venue_id = order.trades[index], order.market.venue_id
        return {
            "instType": "SWAP",
            "instId": venue_id,
            "tradeId": trade.trade_id,
            "ordId": order.order_id,
            "clOrdId": order.client_order_id or "",
            "fillPx": plain(trade.price),
            "fillSz": plain(self.contracts(venue_id, trade.quantity), 2),
            "side": order.side,
            "posSide": "net",
            "execType": "M" if order.kind == "limit" else "T",
            "fee": plain(-trade.fee),
            "feeCcy": "USDT",
            "ts": str(trade.time_ms),
        }


def _ok(data: list[dict[str, Any]]) -> web.Response:
    return web.json_response({"code": "0", "msg": "", "data": data})


def _refused(code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "msg": message, "data": []})


def _order_refused(code: str, message: str) -> web.Response:
    """An order operation's refusal: the reason is in its data's sCode and sMsg."""
    failed = {"clOrdId": "", "ordId": "", "sCode": code, "sMsg": message, "tag": ""}
    return web.json_response({"code": "1", "msg": "All operations failed", "data": [failed]})


def _instrument_json(market: SimMarket) -> dict[str, Any]:
    venue_id = market.venue_id
    return {
        "instType": "SWAP",
        "instId": venue_id,
        "uly": f"{market.base}-USDT",
        "instFamily": f"{market.base}-USDT",
        "baseCcy": "",
        "quoteCcy": "",
        "settleCcy": "USDT",
        "ctVal": plain(CONTRACT_SIZE[venue_id], 2),
        "ctMult": "1",
        "ctValCcy": market.base,
        "ctType": "linear",
        "lever": str(MAX_LEVERAGE[venue_id]),
        "tickSz": "0.1" if market.base == "BTC" else "0.01",
        "lotSz": "0.01",
        "minSz": "0.01",
        "maxLmtSz": "100000000",
        "maxMktSz": "12000",
        "state": "live",
        "listTime": "1611916828000",
        "expTime": "",
    }


def _funding_bill_json(funding: SimFunding) -> dict[str, Any]:
    """A funding fee as OKX's bills list it: balChg is what the account's balance moved by."""
    return {
        "billId": funding.record_id,
        "instType": "SWAP",
        "instId": funding.venue_id,
        "ccy": "USDT",
        "type": "8",
        "subType": "173" if funding.paid > 0 else "174",
        "balChg": plain(-funding.paid),
        "posBalChg": "0",
        "sz": plain(funding.size),
        "px": plain(funding.mark),
        "ts": str(funding.time_ms),
    }
