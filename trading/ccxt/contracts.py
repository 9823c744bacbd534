"""Coins and contracts. The core sizes futures orders and positions in the base asset; a venue whose swap contract
is a fraction of a coin (OKX: 0.01 BTC, 0.1 ETH) takes and reports amounts in contracts, which ccxt passes through
as they are (its market's `contractSize`). Prices stay per coin on both sides."""

from dataclasses import replace
from decimal import Decimal

from trading.domain.market import Market
from trading.domain.orders import ExchangeOrder, OrderRequest

ONE = Decimal(1)


def market_in_coins(market: Market, contract_size: Decimal) -> Market:
    """The market's step and minimum amount, which ccxt gives in contracts, in the base asset."""
    if contract_size == ONE:
        return market
    return replace(
        market,
        amount_step=market.amount_step * contract_size,
        min_amount=market.min_amount * contract_size,
    )


def request_in_contracts(request: OrderRequest, contract_size: Decimal) -> OrderRequest:
    """ccxt rounds the contracts to the venue's step at the boundary, as it rounds any amount."""
    if contract_size == ONE:
        return request
    return replace(request, quantity=request.quantity / contract_size)


def order_in_coins(order: ExchangeOrder, contract_size: Decimal) -> ExchangeOrder:
    if contract_size == ONE:
        return order
    return replace(
        order,
        quantity=order.quantity * contract_size,
        filled=order.filled * contract_size,
        trades=tuple(replace(trade, quantity=trade.quantity * contract_size) for trade in order.trades),
    )
