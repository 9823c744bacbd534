"""Finding an order again by its client order id on a ccxt venue, with its trades.

Binance answers `fetch_order` by client order id; elsewhere the open, then the finished orders are listed with
the id as a filter. Binance keeps a contract's conditional orders (stop-market, take-profit-market) apart, as
algo orders that ccxt reaches with `trigger=True`; one that has triggered names the order it placed, which holds
the fills.
"""

from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from ccxt.base import errors as ccxt_errors

from trading.ccxt.client import (
    CLIENT_ID_FILTER,
    LOOKUP_BY_FETCH_ORDER,
    ORDER_LIST_PARAMS,
    TRIGGERS_APART,
    CcxtSession,
)
from trading.ccxt.convert import has_priced_trades, order_from_ccxt, trades_from_ccxt
from trading.domain.enums import OrderType
from trading.domain.errors import ExchangeError, OrderNotFound
from trading.domain.orders import ExchangeOrder, ExchangeTrade, OrderRequest

TRIGGER = {"trigger": True}


class CcxtOrderLookup:
    def __init__(self, session: CcxtSession) -> None:
        self._session = session
        self._client = session.client

    async def find(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        """One look-up, not retried; None when the venue never received the order."""
        for raw in await self._candidates(symbol, client_order_id):
            if raw.get("clientOrderId") == client_order_id:
                return await self.with_trades(raw, None)
        return None

    async def best_effort_find(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        try:
            return await self.find(symbol, client_order_id)
        except ExchangeError:
            return None

    def cancel_params(self, order: ExchangeOrder) -> dict[str, Any]:
        """What ccxt needs to cancel this order: Binance's conditional contract orders are cancelled apart."""
        kept_apart = order.order_type is OrderType.STOP and self._triggers_apart(order.symbol)
        return dict(TRIGGER) if kept_apart else {}

    async def with_trades(self, raw: Any, request: OrderRequest | None) -> ExchangeOrder:
        """The order with its trades: fetched when the venue reports fills without them (best effort, as the
        cumulative filled, average and fee are there already)."""
        order = order_from_ccxt(raw, request)
        if order.filled <= 0 or has_priced_trades(raw) or not self._client.has.get("fetchOrderTrades"):
            return order
        trade_ids = [trade["id"] for trade in raw.get("trades") or [] if trade.get("id")]
        params = {"trades": trade_ids} if trade_ids else {}
        try:
            raw_trades = await self._session.once(
                partial(self._order_trades, order.exchange_order_id, order.symbol, params)
            )
        except ExchangeError:
            return order
        trades = trades_from_ccxt(raw_trades, order.exchange_order_id)
        if not trades:
            return order
        # An order listing may leave the fee out (Binance's does) where its trades carry it.
        return replace(order, trades=trades, fee=order.fee or _fees(trades))

    async def _order_trades(self, order_id: str, symbol: str, params: dict[str, Any]) -> Any:
        client = self._client
        try:
            return await client.fetch_order_trades(order_id, symbol, None, None, params)
        except ccxt_errors.NotSupported:
            # Binance lists a contract order's trades only among the account's, filtered by order id.
            trades = await client.fetch_my_trades(symbol, None, None, {**params, "orderId": order_id})
            return [trade for trade in trades if str(trade.get("order")) == order_id]

    async def _candidates(self, symbol: str, client_order_id: str) -> list[Any]:
        client, session = self._client, self._session
        if session.exchange_id in LOOKUP_BY_FETCH_ORDER:
            return await self._fetched(symbol, client_order_id)
        by_client_id = {CLIENT_ID_FILTER.get(session.exchange_id, "clientOrderId"): client_order_id}
        params = {**by_client_id, **ORDER_LIST_PARAMS.get(session.exchange_id, {})}
        if client.has.get("fetchOpenOrders") and client.has.get("fetchClosedOrders"):
            open_orders = await session.once(partial(client.fetch_open_orders, symbol, None, None, params))
            matching = [order for order in open_orders if order.get("clientOrderId") == client_order_id]
            if matching:
                return matching
            # Bybit's closed orders are the filled ones only: a cancelled order is among the others.
            finished = client.fetch_closed_orders
            if client.has.get("fetchCanceledAndClosedOrders"):
                finished = client.fetch_canceled_and_closed_orders
            return list(await session.once(partial(finished, symbol, None, None, params)))
        if client.has.get("fetchOrders"):
            return list(await session.once(partial(client.fetch_orders, symbol, None, None, params)))
        raise ExchangeError(
            f"{session.venue} cannot look orders up, so orders there cannot be placed safely."
        )

    async def _fetched(self, symbol: str, client_order_id: str) -> list[Any]:
        """Binance: the order by client order id, then among the conditional ones where they live apart."""
        client, session = self._client, self._session
        kinds = ({}, TRIGGER) if self._triggers_apart(symbol) else ({},)
        for kind in kinds:
            # The id argument is ignored when a client order id is given.
            params = {"clientOrderId": client_order_id, **kind}
            try:
                order = await session.once(partial(client.fetch_order, client_order_id, symbol, params))
            except OrderNotFound:
                continue
            return [await self._placed_by_trigger(order, symbol)]
        return []

    async def _placed_by_trigger(self, order: Any, symbol: str) -> Any:
        """A triggered Binance algo order names the order it placed (`actualOrderId`): that one has the fills,
        reported under the stop's client order id and trigger."""
        placed_id = (order.get("info") or {}).get("actualOrderId")
        if not placed_id:
            return order
        placed = await self._session.once(partial(self._client.fetch_order, str(placed_id), symbol))
        return {
            **placed,
            "clientOrderId": order.get("clientOrderId"),
            "triggerPrice": order.get("triggerPrice"),
        }

    def _triggers_apart(self, symbol: str) -> bool:
        if self._session.exchange_id not in TRIGGERS_APART:
            return False
        return bool((self._client.markets or {}).get(symbol, {}).get("contract"))


def _fees(trades: tuple[ExchangeTrade, ...]) -> Decimal:
    return sum((trade.fee for trade in trades), Decimal(0))
