"""A local stand-in of Binance USDⓈ-M futures (/fapi), enough of it for ccxt's real binanceusdm client.

Public: exchangeInfo, the 24h ticker, premiumIndex (mark price and funding). Signed (checked as on spot):
leverageBracket, positionSide/dual, leverage, marginType, symbolConfig, positionRisk (v3), account (v3), order
(new, query by orderId or origClientOrderId, cancel), algoOrder (the conditional orders, STOP_MARKET and
TAKE_PROFIT_MARKET, kept apart as Binance does since its algo migration: new, query by algoId or clientAlgoId,
cancel), userTrades, income (funding fees) and forceOrders (liquidations). A triggered algo order names the order
it placed (`actualOrderId`), which holds the fills. The account is a SimulatedFuturesAccount. Endpoint names for fault injection: markets, ticker, funding,
leverage_brackets, position_mode, leverage, margin_mode, symbol_config, positions, balance, create_order,
fetch_order, cancel_order, my_trades, funding_history, liquidations.
"""

import itertools
from decimal import Decimal
from typing import Any

from aiohttp import web

from tests.standins.binance import (
    BinanceServer,
    cancel_answer,
    error_response,
    order_answer,
    signed,
    ticker_json,
)
from tests.standins.binance_usdm_json import (
    PLACED_ID_OFFSET,
    algo_cancelled_json,
    algo_json,
    force_order_json,
    income_json,
    order_json,
    perpetual,
    trade_json,
)
from tests.standins.futures import SimulatedFuturesAccount
from tests.standins.venue import Refusal, Refused, SimMarket, SimOrder, btc_and_eth, plain

MAX_LEVERAGE = {"BTCUSDT": 125, "ETHUSDT": 100}

_REFUSALS = {
    Refusal.INSUFFICIENT_BALANCE: (-2019, "Margin is insufficient."),
    Refusal.BELOW_MINIMUM: (
        -4164,
        "Order's notional must be no smaller than 100 (unless you choose reduce only).",
    ),
    Refusal.DUPLICATE: (-4116, "ClientOrderId is duplicated."),
    Refusal.UNKNOWN_ORDER: (-2011, "Unknown order sent."),
    Refusal.REDUCE_ONLY: (-2022, "ReduceOnly Order is rejected."),
    Refusal.POSITION_OPEN: (-4048, "Margin type cannot be changed if there exists position."),
    Refusal.POSITION_SIDE: (-4061, "Order's position side does not match user's setting."),
}
_KINDS = {"MARKET": "market", "LIMIT": "limit", "STOP_MARKET": "stop"}


class BinanceUsdmStandIn(BinanceServer):
    refusals = _REFUSALS

    def __init__(self) -> None:
        super().__init__()
        self.exchange_info = [
            perpetual("BTCUSDT", "BTC", "0.10", "0.001", "100"),
            perpetual("ETHUSDT", "ETH", "0.01", "0.001", "20"),
        ]
        markets = btc_and_eth(("BTCUSDT", "BTC"), ("ETHUSDT", "ETH"), "USDT", (Decimal(100), Decimal(20)))
        order_ids = itertools.count(1)
        self.account = SimulatedFuturesAccount(
            markets,
            "USDT",
            Decimal(10_000),
            MAX_LEVERAGE,
            lambda: str(next(order_ids)),
            refuse_open_duplicates=True,
        )
        self.funding_rate = Decimal("0.0001")
        fapi = "/fapi/v1"
        self.route("GET", f"{fapi}/exchangeInfo", "markets", self._exchange_info)
        self.answer_wallet_lists("capital/config/getall", "margin/allPairs")
        self.route("GET", f"{fapi}/ticker/24hr", "ticker", self._ticker)
        self.route("GET", f"{fapi}/premiumIndex", "funding", self._premium_index)
        self.route("GET", f"{fapi}/leverageBracket", "leverage_brackets", signed(self._brackets))
        self.route("GET", f"{fapi}/positionSide/dual", "position_mode", signed(self._position_mode))
        self.route("POST", f"{fapi}/leverage", "leverage", signed(self._leverage))
        self.route("POST", f"{fapi}/marginType", "margin_mode", signed(self._margin_type))
        self.route("GET", f"{fapi}/symbolConfig", "symbol_config", signed(self._symbol_config))
        self.route("GET", "/fapi/v3/positionRisk", "positions", signed(self._position_risk))
        self.route("GET", "/fapi/v3/account", "balance", signed(self._account))
        self.route("POST", f"{fapi}/order", "create_order", signed(self._create))
        self.route("GET", f"{fapi}/order", "fetch_order", signed(self._fetch))
        self.route("DELETE", f"{fapi}/order", "cancel_order", signed(self._cancel))
        self.route("POST", f"{fapi}/algoOrder", "create_order", signed(self._create))
        self.route("GET", f"{fapi}/algoOrder", "fetch_order", signed(self._fetch_algo))
        self.route("DELETE", f"{fapi}/algoOrder", "cancel_order", signed(self._cancel_algo))
        self.route("GET", f"{fapi}/userTrades", "my_trades", signed(self._user_trades))
        self.route("GET", f"{fapi}/income", "funding_history", signed(self._income))
        self.route("GET", f"{fapi}/forceOrders", "liquidations", signed(self._force_orders))

    # Public

    async def _ticker(self, request: web.Request) -> web.Response:
        # The futures 24h ticker names no bid or ask.
        ticker = ticker_json(self._market(request.query["symbol"]))
        return web.json_response({k: v for k, v in ticker.items() if not k.startswith(("bid", "ask"))})

    async def _premium_index(self, request: web.Request) -> web.Response:
        venue_id = self._market(request.query["symbol"]).venue_id
        mark = plain(self.account.mark(venue_id))
        return web.json_response(
            {
                "symbol": venue_id,
                "markPrice": mark,
                "indexPrice": mark,
                "estimatedSettlePrice": mark,
                "lastFundingRate": plain(self.funding_rate),
                "interestRate": "0.00010000",
                "nextFundingTime": 1_700_006_400_000,
                "time": 1_700_000_000_000,
            }
        )

    # Settings

    async def _brackets(self, request: web.Request, form: dict[str, str]) -> web.Response:
        entries = []
        for venue_id, ceiling in MAX_LEVERAGE.items():
            first = {"bracket": 1, "initialLeverage": ceiling, "notionalCap": 50_000, "notionalFloor": 0}
            second = {
                "bracket": 2,
                "initialLeverage": ceiling // 5,
                "notionalCap": 10_000_000,
                "notionalFloor": 50_000,
            }
            brackets = [
                {**first, "maintMarginRatio": 0.004, "cum": 0.0},
                {**second, "maintMarginRatio": 0.01, "cum": 300.0},
            ]
            entries.append({"symbol": venue_id, "notionalCoef": 1.0, "brackets": brackets})
        return web.json_response(entries)

    async def _position_mode(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return web.json_response({"dualSidePosition": self.account.hedge_mode})

    async def _leverage(self, request: web.Request, form: dict[str, str]) -> web.Response:
        venue_id, leverage = self._market(form["symbol"]).venue_id, int(form["leverage"])
        try:
            self.account.set_leverage(venue_id, leverage)
        except Refused:
            return error_response(400, -4028, f"Leverage {leverage} is not valid")
        return web.json_response({"leverage": leverage, "maxNotionalValue": "50000", "symbol": venue_id})

    async def _margin_type(self, request: web.Request, form: dict[str, str]) -> web.Response:
        venue_id = self._market(form["symbol"]).venue_id
        try:
            changed = self.account.set_isolated(venue_id, form["marginType"] == "ISOLATED")
        except Refused as refused:
            return error_response(400, *_REFUSALS[refused.reason])
        if not changed:
            return error_response(400, -4046, "No need to change margin type.")
        return web.json_response({"code": 200, "msg": "success"})

    async def _symbol_config(self, request: web.Request, form: dict[str, str]) -> web.Response:
        account = self.account
        return web.json_response(
            [
                {
                    "symbol": venue_id,
                    "marginType": "ISOLATED" if account.isolated[venue_id] else "CROSSED",
                    "isAutoAddMargin": "false",
                    "leverage": account.leverage[venue_id],
                    "maxNotionalValue": "50000",
                }
                for venue_id in account.markets
            ]
        )

    # Account

    async def _position_risk(self, request: web.Request, form: dict[str, str]) -> web.Response:
        held = [venue_id for venue_id, position in self.account.positions.items() if position.size]
        return web.json_response([self._position_json(venue_id) for venue_id in held])

    def _position_json(self, venue_id: str) -> dict[str, Any]:
        account, position = self.account, self.account.positions[venue_id]
        isolated, mark, unrealised = (
            account.isolated[venue_id],
            account.mark(venue_id),
            account.unrealised(venue_id),
        )
        liquidation = account.liquidation_price(venue_id) or Decimal(0)
        return {
            "symbol": venue_id,
            "positionSide": "BOTH",
            "positionAmt": plain(position.size, 3),
            "entryPrice": plain(position.entry),
            "breakEvenPrice": plain(position.entry),
            "markPrice": plain(mark),
            "unRealizedProfit": plain(unrealised),
            "liquidationPrice": plain(liquidation),
            "isolatedMargin": plain(position.margin + unrealised if isolated else Decimal(0)),
            "notional": plain(position.size * mark),
            "marginAsset": "USDT",
            "isolatedWallet": plain(position.margin if isolated else Decimal(0)),
            "initialMargin": plain(position.margin),
            "maintMargin": plain(abs(position.size) * mark * account.maintenance_rate),
            "positionInitialMargin": plain(position.margin),
            "openOrderInitialMargin": "0",
            "adl": 1,
            "bidNotional": "0",
            "askNotional": "0",
            "updateTime": position.updated_ms,
        }

    async def _account(self, request: web.Request, form: dict[str, str]) -> web.Response:
        account = self.account
        unrealised = account.equity() - account.wallet
        asset = {
            "asset": account.settle,
            "walletBalance": plain(account.wallet),
            "unrealizedProfit": plain(unrealised),
            "marginBalance": plain(account.equity()),
            "maintMargin": "0",
            "initialMargin": plain(account.margin_in_use()),
            "positionInitialMargin": plain(account.margin_in_use()),
            "openOrderInitialMargin": "0",
            "crossWalletBalance": plain(account.wallet),
            "crossUnPnl": plain(unrealised),
            "availableBalance": plain(account.available()),
            "maxWithdrawAmount": plain(account.available()),
            "updateTime": 1_700_000_000_000,
        }
        return web.json_response(
            {"totalWalletBalance": plain(account.wallet), "assets": [asset], "positions": []}
        )

    # Orders

    async def _create(self, request: web.Request, form: dict[str, str]) -> web.Response:
        kind = _KINDS.get(form["type"])
        if kind is None:
            return error_response(400, -1116, "Invalid orderType.")
        price = form.get("triggerPrice") if kind == "stop" else form.get("price")
        try:
            order = self.account.place(
                self._market(form["symbol"]).venue_id,
                form["side"].lower(),
                kind,
                Decimal(form["quantity"]),
                Decimal(price) if price else None,
                form.get("clientAlgoId") if kind == "stop" else form.get("newClientOrderId"),
                reduce_only=form.get("reduceOnly", "").lower() == "true",
            )
        except Refused as refused:
            return error_response(400, *_REFUSALS[refused.reason])
        return web.json_response(algo_json(order) if kind == "stop" else order_json(order))

    async def _fetch(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return order_answer(self._order(form), order_json)

    async def _cancel(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return cancel_answer(self.account, self._order(form), _REFUSALS, order_json)

    async def _fetch_algo(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return order_answer(self._algo(form), algo_json)

    async def _cancel_algo(self, request: web.Request, form: dict[str, str]) -> web.Response:
        return cancel_answer(self.account, self._algo(form), _REFUSALS, algo_cancelled_json)

    async def _user_trades(self, request: web.Request, form: dict[str, str]) -> web.Response:
        order = self._order({"symbol": form["symbol"], "orderId": form.get("orderId", "")})
        trades = [] if order is None else [trade_json(order, index) for index in range(len(order.trades))]
        return web.json_response(trades)

    # What the venue did on its own

    async def _income(self, request: web.Request, form: dict[str, str]) -> web.Response:
        if form.get("incomeType") != "FUNDING_FEE":
            return error_response(400, -1130, "Data sent for parameter 'incomeType' is not valid.")
        since = int(form.get("startTime", 0))
        fundings = [f for f in self.account.fundings if f.time_ms >= since]
        return web.json_response([income_json(funding) for funding in fundings])

    async def _force_orders(self, request: web.Request, form: dict[str, str]) -> web.Response:
        since = int(form.get("startTime", 0))
        liquidations = [x for x in self.account.liquidations if x.time_ms >= since]
        return web.json_response([force_order_json(liquidation) for liquidation in liquidations])

    def _order(self, form: dict[str, str]) -> SimOrder | None:
        """A plain order, or the order a triggered stop placed (by its own id)."""
        if "origClientOrderId" in form:
            order = self.account.by_client_id(form["origClientOrderId"])
            found = order if order is not None and order.kind != "stop" else None
        else:
            found = self._byorder_id(int(form.get("orderId") or 0))
        return found if found is not None and found.market.venue_id == form.get("symbol") else None

    def _byorder_id(self, order_id: int) -> SimOrder | None:
        if order_id < PLACED_ID_OFFSET:
            order = self.account.orders.get(str(order_id))
            return order if order is not None and order.kind != "stop" else None
        stop = self.account.orders.get(str(order_id - PLACED_ID_OFFSET))
        return stop if stop is not None and stop.kind == "stop" and stop.status == "filled" else None

    def _algo(self, form: dict[str, str]) -> SimOrder | None:
        if "clientAlgoId" in form:
            order = self.account.by_client_id(form["clientAlgoId"])
        else:
            order = self.account.orders.get(form.get("algoId", ""))
        return order if order is not None and order.kind == "stop" else None

    def _market(self, venue_id: str) -> SimMarket:
        market = self.account.markets.get(venue_id)
        if market is None:
            raise web.HTTPBadRequest(
                text='{"code":-1121,"msg":"Invalid symbol."}', content_type="application/json"
            )
        return market
