"""The ExchangeGateway over ccxt.async_support: binance, coinbase, kraken or any other ccxt id.

Orders carry the core's client order id to the venue (ccxt's unified `clientOrderId` parameter: Binance's
newClientOrderId, Kraken's cl_ord_id, Coinbase's client_order_id), which is how an order is found again: by
`fetch_order`, by a retried `create_order` before it places anything, and by reconciliation at start-up.
"""

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.convert import balances_from_ccxt
from trading.ccxt.lookup import CcxtOrderLookup
from trading.ccxt.market_data import CcxtMarketData
from trading.domain.accounts import AssetBalance, Credentials
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.errors import InvalidOrder, OrderNotFound
from trading.domain.futures import MarketType
from trading.domain.market import Market, Ticker
from trading.domain.orders import ExchangeOrder, OrderRequest

# How venues that list each market's order types name a stop-market order: Binance spot, Binance futures.
STOP_MARKET_TYPES = frozenset({"STOP_LOSS", "STOP_MARKET"})


class CcxtGateway:
    """One account on one ccxt venue."""

    def __init__(self, session: CcxtSession) -> None:
        self._session = session
        self._client = session.client
        self._market_data = CcxtMarketData(session)
        self._lookup = CcxtOrderLookup(session)
        self.name = session.exchange_id

    @classmethod
    def open(cls, config: CcxtVenueConfig, credentials: Credentials | None = None) -> "CcxtGateway":
        """A gateway with its own ccxt client, closed by `close()`. No I/O until the first call."""
        return cls(CcxtSession.open(config, credentials))

    @property
    def market_data(self) -> CcxtMarketData:
        """The venue's public data through the same client."""
        return self._market_data

    async def markets(self) -> Mapping[str, Market]:
        return await self._session.markets()

    async def market(self, symbol: str) -> Market:
        return await self._session.market(symbol)

    async def ticker(self, symbol: str) -> Ticker:
        return await self._market_data.ticker(symbol)

    async def balances(self) -> Mapping[str, AssetBalance]:
        raw = await self._session.call(self._client.fetch_balance)
        return balances_from_ccxt(raw)

    async def create_order(
        self, request: OrderRequest, venue_params: Mapping[str, Any] | None = None
    ) -> ExchangeOrder:
        """`venue_params`: more of ccxt's parameters for this venue (OKX's margin mode)."""
        market = await self.market(request.symbol)
        request, reference = await self._checked(request, market)
        maybe_placed = False

        async def attempt() -> ExchangeOrder:
            nonlocal maybe_placed
            # After a failed attempt the venue may hold the order even so (the answer was lost, or came too
            # late): look it up by its client order id before placing it again.
            if maybe_placed:
                found = await self._lookup.find(request.symbol, request.client_order_id)
                if found is not None:
                    return found
            maybe_placed = True
            raw = await self._session.once(
                lambda: self._send(request, reference, venue_params or {}), request.symbol
            )
            return await self._acknowledged(raw, request)

        return await self._session.retrying(attempt)

    async def fetch_order(self, symbol: str, client_order_id: str) -> ExchangeOrder | None:
        market = await self.market(symbol)
        return await self._session.retrying(lambda: self._lookup.find(market.symbol, client_order_id))

    async def cancel_order(self, symbol: str, client_order_id: str) -> ExchangeOrder:
        market = await self.market(symbol)
        return await self._session.retrying(lambda: self._cancel(market.symbol, client_order_id))

    async def holds_stops(self, symbol: str) -> bool:
        """ccxt can place a stop-market order here (its `has`), and the market allows one where its venue lists
        the order types each market takes (Binance's `orderTypes`: some spot pairs have no STOP_LOSS)."""
        has = self._client.has
        if not (has.get("createStopLossOrder") or has.get("createStopMarketOrder")):
            return False
        market = await self.market(symbol)
        raw = self._client.markets.get(market.symbol) or {}
        order_types = (raw.get("info") or {}).get("orderTypes")
        if order_types is None:
            return True
        return bool(STOP_MARKET_TYPES & {str(kind).upper() for kind in order_types})

    async def close(self) -> None:
        await self._session.close()

    # Placing

    async def _checked(self, request: OrderRequest, market: Market) -> tuple[OrderRequest, Decimal | None]:
        """The request rounded with ccxt's precision helpers, refused here when below the venue's minimums, and
        the price it is reckoned at (a market order's: the touch)."""
        if request.reduce_only and market.market_type is not MarketType.FUTURES:
            raise InvalidOrder(f"A reduce-only order needs a futures market; {market.symbol} is spot.")
        if request.reduce_only:
            # Venues exempt an order that only shrinks a position from the minimum notional (Binance's -4164).
            market = replace(market, min_notional=Decimal(0))
        quantity = self._session.amount_to_precision(market, request.quantity)
        price = None
        if request.price is not None:
            price = self._session.price_to_precision(market, request.price)
        if request.order_type is not OrderType.MARKET and price is None:
            raise InvalidOrder(f"A {request.order_type.value} order on {market.symbol} needs a price.")
        reference = price
        if reference is None and (
            market.min_notional > 0 or market.min_amount > 0 or self._buy_needs_price()
        ):
            ticker = await self.ticker(market.symbol)
            reference = ticker.price_for(request.side is Side.BUY)
        market.check_minimums(quantity, reference if reference is not None else Decimal(0))
        return replace(request, symbol=market.symbol, quantity=quantity, price=price), reference

    def _buy_needs_price(self) -> bool:
        """Coinbase and others reckon a market buy in quote: ccxt then wants a price to turn the amount into."""
        return bool(self._client.options.get("createMarketBuyOrderRequiresPrice"))

    async def _send(
        self, request: OrderRequest, reference: Decimal | None, venue_params: Mapping[str, Any]
    ) -> Any:
        params: dict[str, Any] = {**venue_params, "clientOrderId": request.client_order_id}
        if request.reduce_only:
            params["reduceOnly"] = True
        kind = request.order_type.value
        price = float(request.price) if request.price is not None else None
        # Only where ccxt asks for it: Binance would read amount x price as a quote quantity instead.
        if request.order_type is OrderType.MARKET and request.side is Side.BUY and self._buy_needs_price():
            price = float(reference) if reference is not None else None
        if request.order_type is OrderType.STOP:
            # A stop-market order: ccxt's unified stopLossPrice is what both Binance and Kraken understand.
            kind, params["stopLossPrice"], price = "market", price, None
        return await self._client.create_order(
            request.symbol, kind, request.side.value, float(request.quantity), price, params
        )

    async def _acknowledged(self, raw: Any, request: OrderRequest) -> ExchangeOrder:
        """Some venues (Kraken) acknowledge with an id and no state: then the order is read back."""
        if raw.get("status") is None:
            found = await self._lookup.best_effort_find(request.symbol, request.client_order_id)
            if found is not None:
                return found
        return await self._lookup.with_trades(raw, request)

    # Cancelling

    async def _cancel(self, symbol: str, client_order_id: str) -> ExchangeOrder:
        lookup = self._lookup
        order = await lookup.find(symbol, client_order_id)
        if order is None:
            raise OrderNotFound(f"{self._session.venue} has no order {client_order_id} on {symbol}.")
        if order.status.is_final:
            return order
        cancel = partial(
            self._client.cancel_order, order.exchange_order_id, symbol, lookup.cancel_params(order)
        )
        try:
            raw = await self._session.once(cancel)
        except OrderNotFound:
            raw = {}  # it finished meanwhile: the look-up below tells how
        if raw.get("id") and raw.get("status"):
            # Binance's answer names the cancel request's own client id: keep the order's.
            cancelled = await lookup.with_trades(raw, None)
            return replace(cancelled, client_order_id=client_order_id)
        after = await lookup.find(symbol, client_order_id)
        if after is not None:
            return after
        return replace(order, status=OrderStatus.CANCELLED)
