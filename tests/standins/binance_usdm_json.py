"""How Binance USDⓈ-M shows its perpetuals, orders, algo (conditional) orders, trades, funding fees and liquidation
orders, for the stand-ins."""

from decimal import Decimal
from typing import Any

from tests.standins.futures import SimFunding, SimLiquidation
from tests.standins.venue import SimOrder, plain

# A triggered algo order's placed order has this added to its id, so that the two id spaces stay apart.
PLACED_ID_OFFSET = 1_000_000

_STATUS = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}
_ALGO_STATUS = {"open": "NEW", "filled": "FINISHED", "canceled": "CANCELED"}


def perpetual(venue_id: str, base: str, tick: str, step: str, min_notional: str) -> dict[str, Any]:
    """A USDⓈ-M perpetual as /fapi/v1/exchangeInfo lists it."""
    return {
        "symbol": venue_id,
        "pair": venue_id,
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000,
        "status": "TRADING",
        "marginAsset": "USDT",
        "baseAsset": base,
        "quoteAsset": "USDT",
        "pricePrecision": 2,
        "quantityPrecision": 3,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "4529764", "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": step, "maxQty": "1000", "stepSize": step},
            {"filterType": "MIN_NOTIONAL", "notional": min_notional},
        ],
    }


def listed_id(order: SimOrder) -> int:
    """A plain order's id; a triggered stop's placed order's, apart from the stop's own (its algo id)."""
    return int(order.order_id) + (PLACED_ID_OFFSET if order.kind == "stop" else 0)


def order_json(order: SimOrder) -> dict[str, Any]:
    """A plain order; a triggered stop's placed order is a MARKET one with its own id and client id."""
    placed, order_id = order.kind == "stop", listed_id(order)
    kind = "MARKET" if placed else order.kind.upper()
    status = _STATUS[order.status]
    if status == "NEW" and order.filled:
        status = "PARTIALLY_FILLED"
    return {
        "orderId": order_id,
        "symbol": order.market.venue_id,
        "status": status,
        "clientOrderId": f"autoclose-{order_id}" if placed else order.client_order_id,
        "price": plain(order.price if order.price is not None and not placed else Decimal(0)),
        "avgPrice": plain(order.average),
        "origQty": plain(order.quantity, 3),
        "executedQty": plain(order.filled, 3),
        "cumQty": plain(order.filled, 3),
        "cumQuote": plain(order.cost),
        "timeInForce": "GTC",
        "type": kind,
        "reduceOnly": order.reduce_only,
        "closePosition": False,
        "side": order.side.upper(),
        "positionSide": "BOTH",
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "origType": kind,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
        "time": order.created_ms,
        "updateTime": order.updated_ms,
    }


def algo_json(order: SimOrder) -> dict[str, Any]:
    placed = order.status == "filled"
    return {
        "algoId": int(order.order_id),
        "clientAlgoId": order.client_order_id,
        "algoType": "CONDITIONAL",
        "orderType": "STOP_MARKET",
        "symbol": order.market.venue_id,
        "side": order.side.upper(),
        "positionSide": "BOTH",
        "timeInForce": "GTC",
        "quantity": plain(order.quantity, 3),
        "algoStatus": _ALGO_STATUS[order.status],
        "triggerPrice": plain(order.price or Decimal(0)),
        "price": "0.00",
        "actualOrderId": str(listed_id(order)) if placed else "",
        "actualPrice": plain(order.average) if placed else "",
        "selfTradePreventionMode": "NONE",
        "workingType": "CONTRACT_PRICE",
        "priceMatch": "NONE",
        "closePosition": False,
        "priceProtect": False,
        "reduceOnly": order.reduce_only,
        "createTime": order.created_ms,
        "updateTime": order.updated_ms,
        "triggerTime": order.updated_ms if placed else 0,
        "goodTillDate": 0,
    }


def algo_cancelled_json(order: SimOrder) -> dict[str, Any]:
    return {
        "algoId": int(order.order_id),
        "clientAlgoId": order.client_order_id,
        "code": "200",
        "msg": "success",
    }


def trade_json(order: SimOrder, index: int) -> dict[str, Any]:
    trade = order.trades[index]
    return {
        "buyer": order.side == "buy",
        "commission": plain(trade.fee),
        "commissionAsset": "USDT",
        "id": int(trade.trade_id),
        "maker": order.kind == "limit",
        "orderId": listed_id(order),
        "price": plain(trade.price),
        "qty": plain(trade.quantity, 3),
        "quoteQty": plain(trade.price * trade.quantity),
        "realizedPnl": "0",
        "side": order.side.upper(),
        "positionSide": "BOTH",
        "symbol": order.market.venue_id,
        "time": trade.time_ms,
    }


def income_json(funding: SimFunding) -> dict[str, Any]:
    """A funding fee as /fapi/v1/income lists it: `income` is what the account received."""
    return {
        "symbol": funding.venue_id,
        "incomeType": "FUNDING_FEE",
        "income": plain(-funding.paid),
        "asset": "USDT",
        "info": "FUNDING_FEE",
        "time": funding.time_ms,
        "tranId": funding.record_id,
        "tradeId": "",
    }


def force_order_json(liquidation: SimLiquidation) -> dict[str, Any]:
    """A liquidation order as /fapi/v1/forceOrders lists it."""
    return {
        "orderId": int(liquidation.record_id),
        "symbol": liquidation.venue_id,
        "status": "FILLED",
        "clientOrderId": f"autoclose-{liquidation.time_ms}",
        "price": plain(liquidation.price),
        "avgPrice": plain(liquidation.price),
        "origQty": plain(liquidation.size, 3),
        "executedQty": plain(liquidation.size, 3),
        "cumQuote": plain(liquidation.size * liquidation.price),
        "timeInForce": "IOC",
        "type": "LIMIT",
        "reduceOnly": False,
        "closePosition": False,
        "side": liquidation.side.upper(),
        "positionSide": "BOTH",
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "origType": "LIMIT",
        "time": liquidation.time_ms,
        "updateTime": liquidation.time_ms,
    }
