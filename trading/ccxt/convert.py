"""ccxt's unified structures (dicts of floats and strings) turned into the domain's frozen, Decimal types.

Every number goes float/str -> str -> Decimal, so 0.1 stays 0.1 and never becomes 0.1000000000000000055.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ccxt.base.decimal_to_precision import DECIMAL_PLACES, TICK_SIZE

from trading.domain.accounts import AssetBalance
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.futures import FundingRate, FuturesPosition, MarginMode, MarketType, PositionSide
from trading.domain.market import BookLevel, Candle, Market, OrderBook, Ticker
from trading.domain.orders import ExchangeOrder, ExchangeTrade, OrderRequest

ZERO = Decimal(0)
# What a market costs when ccxt knows no fee for it: the common taker rate.
DEFAULT_FEE = Decimal("0.001")

_STATUSES = {
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELLED,
    "cancelled": OrderStatus.CANCELLED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def decimal_or_none(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def decimal_or_zero(value: object) -> Decimal:
    number = decimal_or_none(value)
    return ZERO if number is None else number


def from_millis(value: object) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)


def step_from_precision(precision: object, precision_mode: int) -> Decimal:
    """ccxt gives precision as a tick size (most venues) or as a count of decimal places; the domain wants
    the step. Significant-digit venues have no fixed step: their figure is read as decimal places, which
    ccxt's own rounding at the boundary then corrects."""
    number = decimal_or_none(precision)
    if number is None:
        return Decimal("1e-8")
    if precision_mode == TICK_SIZE:
        return number
    if precision_mode == DECIMAL_PLACES or number == number.to_integral_value():
        return Decimal(1).scaleb(-int(number))
    return number


def is_linear_perpetual(raw: Mapping[str, Any]) -> bool:
    """A swap settled in its quote currency ('BTC/USDT:USDT'): what a futures account trades."""
    return bool(raw.get("swap") and raw.get("linear"))


def market_from_ccxt(raw: Mapping[str, Any], precision_mode: int) -> Market:
    precision = raw.get("precision") or {}
    limits = raw.get("limits") or {}
    futures = is_linear_perpetual(raw)
    return Market(
        symbol=str(raw["symbol"]),
        base=str(raw["base"]),
        quote=str(raw["quote"]),
        amount_step=step_from_precision(precision.get("amount"), precision_mode),
        price_tick=step_from_precision(precision.get("price"), precision_mode),
        min_amount=decimal_or_zero((limits.get("amount") or {}).get("min")),
        min_notional=decimal_or_zero((limits.get("cost") or {}).get("min")),
        maker_fee=decimal_or_none(raw.get("maker")) or DEFAULT_FEE,
        taker_fee=decimal_or_none(raw.get("taker")) or DEFAULT_FEE,
        market_type=MarketType.FUTURES if futures else MarketType.SPOT,
        max_leverage=decimal_or_none((limits.get("leverage") or {}).get("max")) if futures else None,
    )


def ticker_from_ccxt(raw: Mapping[str, Any], symbol: str) -> Ticker:
    last = decimal_or_none(raw.get("last")) or decimal_or_none(raw.get("close")) or ZERO
    return Ticker(
        symbol=symbol,
        bid=decimal_or_none(raw.get("bid")) or last,
        ask=decimal_or_none(raw.get("ask")) or last,
        last=last,
        change_24h_pct=decimal_or_zero(raw.get("percentage")),
        timestamp=from_millis(raw.get("timestamp")) or datetime.now(UTC),
    )


def order_book_from_ccxt(raw: Mapping[str, Any], symbol: str, depth: int) -> OrderBook:
    def levels(side: Sequence[Sequence[Any]]) -> tuple[BookLevel, ...]:
        return tuple(
            BookLevel(price=decimal_or_zero(level[0]), amount=decimal_or_zero(level[1]))
            for level in side[:depth]
        )

    return OrderBook(symbol=symbol, bids=levels(raw.get("bids") or []), asks=levels(raw.get("asks") or []))


def candles_from_ccxt(rows: Sequence[Sequence[Any]]) -> tuple[Candle, ...]:
    return tuple(
        Candle(
            opened_at=from_millis(row[0]) or datetime.fromtimestamp(0, tz=UTC),
            open=decimal_or_zero(row[1]),
            high=decimal_or_zero(row[2]),
            low=decimal_or_zero(row[3]),
            close=decimal_or_zero(row[4]),
            volume=decimal_or_zero(row[5]),
        )
        for row in rows
    )


def balances_from_ccxt(raw: Mapping[str, Any]) -> dict[str, AssetBalance]:
    """Every asset with something in it; venues list hundreds of empty ones."""
    totals: Mapping[str, Any] = raw.get("total") or {}
    frees: Mapping[str, Any] = raw.get("free") or {}
    balances = {}
    for asset, total_raw in totals.items():
        total = decimal_or_zero(total_raw)
        free = decimal_or_none(frees.get(asset))
        if free is None:
            free = total
        if total or free:
            balances[asset] = AssetBalance(asset=asset, free=free, total=total)
    return balances


def status_from_ccxt(status: object, filled: Decimal) -> OrderStatus:
    """ccxt's 'open' (and an unknown or missing status, as from an acknowledgement) is live."""
    known = _STATUSES.get(str(status).lower()) if status is not None else None
    if known is not None:
        return known
    return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN


def trades_from_ccxt(
    raw_trades: Sequence[Mapping[str, Any]], order_id: str, order_time: datetime | None = None
) -> tuple[ExchangeTrade, ...]:
    """Trades with a price and an amount; a venue that names only trade ids gives none. A trade without an id
    gets one from its order and position, which is stable as long as the venue lists trades in one order; a
    trade without a time (Binance's fills) takes its order's."""
    trades = []
    for index, raw in enumerate(raw_trades):
        quantity, price = decimal_or_none(raw.get("amount")), decimal_or_none(raw.get("price"))
        if quantity is None or price is None:
            continue
        fee = raw.get("fee") or {}
        trades.append(
            ExchangeTrade(
                trade_id=str(raw.get("id") or f"{order_id}:{index}"),
                quantity=quantity,
                price=price,
                fee=decimal_or_zero(fee.get("cost")),
                fee_currency=str(fee.get("currency") or ""),
                timestamp=from_millis(raw.get("timestamp")) or order_time or datetime.now(UTC),
            )
        )
    return tuple(trades)


def order_type_from_ccxt(raw: Mapping[str, Any], fallback: OrderType) -> OrderType:
    if raw.get("triggerPrice") or raw.get("stopLossPrice"):
        return OrderType.STOP
    kind = str(raw.get("type") or "").lower()
    if kind in ("market", "limit"):
        return OrderType(kind)
    return fallback


def order_from_ccxt(raw: Mapping[str, Any], request: OrderRequest | None = None) -> ExchangeOrder:
    """An order from ccxt's order structure. `request` fills in what a bare acknowledgement leaves out."""
    exchange_order_id = str(raw.get("id") or "")
    side_raw = str(raw.get("side") or "").lower()
    side = Side(side_raw) if side_raw in ("buy", "sell") else (request.side if request else Side.BUY)
    fallback_type = request.order_type if request else OrderType.LIMIT
    order_type = order_type_from_ccxt(raw, fallback_type)
    filled = decimal_or_zero(raw.get("filled"))
    quantity = decimal_or_none(raw.get("amount"))
    if quantity is None:
        quantity = request.quantity if request else filled
    price = _order_price(raw, order_type, request)
    average = decimal_or_none(raw.get("average"))
    cost = decimal_or_none(raw.get("cost"))
    if average is None and cost and filled:
        average = cost / filled
    trades = trades_from_ccxt(raw.get("trades") or [], exchange_order_id, from_millis(raw.get("timestamp")))
    return ExchangeOrder(
        exchange_order_id=exchange_order_id,
        client_order_id=str(raw.get("clientOrderId") or (request.client_order_id if request else "")),
        symbol=str(raw.get("symbol") or (request.symbol if request else "")),
        side=side,
        order_type=order_type,
        quantity=quantity,
        price=price,
        status=status_from_ccxt(raw.get("status"), filled),
        filled=filled,
        average_price=average if filled else None,
        fee=_order_fee(raw, trades),
        trades=trades,
    )


def _order_price(
    raw: Mapping[str, Any], order_type: OrderType, request: OrderRequest | None
) -> Decimal | None:
    """A limit order's price; a stop-market order's trigger (venues give it a price of zero or none)."""
    if order_type is OrderType.MARKET:
        return None
    keys = ("triggerPrice", "stopLossPrice", "price") if order_type is OrderType.STOP else ("price",)
    for key in keys:
        price = decimal_or_none(raw.get(key))
        if price:
            return price
    return request.price if request is not None else None


def _order_fee(raw: Mapping[str, Any], trades: Sequence[ExchangeTrade]) -> Decimal:
    """The order's fee as ccxt reports it; else the sum of its trades' fees. ccxt merges fees of one currency,
    so several entries mean several currencies: their sum is a rough figure (the port has one fee field)."""
    fee = raw.get("fee")
    if fee and fee.get("cost") is not None:
        return decimal_or_zero(fee.get("cost"))
    fees = raw.get("fees") or []
    if fees:
        return sum((decimal_or_zero(entry.get("cost")) for entry in fees), ZERO)
    return sum((trade.fee for trade in trades), ZERO)


def has_priced_trades(raw: Mapping[str, Any]) -> bool:
    return any(
        trade.get("amount") is not None and trade.get("price") is not None
        for trade in raw.get("trades") or []
    )


def position_leverage(raw: Mapping[str, Any]) -> Decimal | None:
    return decimal_or_none(raw.get("leverage")) or None


def position_margin_mode(raw: Mapping[str, Any]) -> MarginMode | None:
    mode = str(raw.get("marginMode") or "").lower()
    return MarginMode(mode) if mode in set(MarginMode) else None


def position_size(raw: Mapping[str, Any]) -> Decimal:
    """In the base asset: contracts times the contract's size (one base unit on Binance's and Bybit's linear
    perpetuals)."""
    contracts, contract_size = (
        abs(decimal_or_zero(raw.get("contracts"))),
        decimal_or_none(raw.get("contractSize")),
    )
    return contracts if contract_size in (None, 1) else contracts * contract_size


def position_from_ccxt(
    raw: Mapping[str, Any], leverage: Decimal, margin_mode: MarginMode, now: datetime
) -> FuturesPosition | None:
    """An open position from ccxt's position structure, or None for a flat one (venues list those too).
    `leverage` and `margin_mode` are the position's, read elsewhere where its listing leaves them out."""
    size, side = position_size(raw), str(raw.get("side") or "").lower()
    if size <= 0 or side not in set(PositionSide):
        return None
    entry = decimal_or_zero(raw.get("entryPrice"))
    mark = decimal_or_none(raw.get("markPrice")) or entry
    # An isolated position's margin is what it holds (ccxt's positionMargin); a cross one's, its initial margin.
    margin = decimal_or_none(raw.get("positionMargin")) if margin_mode is MarginMode.ISOLATED else None
    margin = margin or decimal_or_none(raw.get("initialMargin")) or size * mark / leverage
    return FuturesPosition(
        symbol=str(raw["symbol"]),
        side=PositionSide(side),
        size=size,
        entry_price=entry,
        leverage=leverage,
        margin_mode=margin_mode,
        margin=margin,
        mark_price=mark,
        liquidation_price=decimal_or_none(raw.get("liquidationPrice")) or None,
        unrealised_pnl=decimal_or_zero(raw.get("unrealizedPnl")),
        timestamp=from_millis(raw.get("timestamp")) or now,
    )


def funding_rate_from_ccxt(raw: Mapping[str, Any], symbol: str) -> FundingRate:
    next_at = raw.get("nextFundingTimestamp") or raw.get("fundingTimestamp")
    return FundingRate(
        symbol=symbol,
        rate=decimal_or_zero(raw.get("fundingRate")),
        mark_price=decimal_or_zero(raw.get("markPrice")),
        next_funding_at=from_millis(next_at),
    )
