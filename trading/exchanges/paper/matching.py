"""Matching an order against a book: pure, no I/O."""

from collections.abc import Sequence
from decimal import Decimal

from trading.domain.enums import OrderType, Side
from trading.domain.market import BookLevel, OrderBook, Ticker

ZERO = Decimal(0)


def take(
    levels: Sequence[BookLevel], quantity: Decimal, limit: Decimal | None, buying: bool
) -> list[BookLevel]:
    """Walk the levels best first, taking up to `quantity`, never past `limit`; the slices taken."""
    taken: list[BookLevel] = []
    left = quantity
    for level in levels:
        if left <= 0:
            break
        if limit is not None and (level.price > limit if buying else level.price < limit):
            break
        amount = min(left, level.amount)
        taken.append(BookLevel(level.price, amount))
        left -= amount
    return taken


def triggered(order_type: OrderType, side: Side, price: Decimal | None, ticker: Ticker) -> bool:
    """Whether a resting order's price has been reached: a limit is crossed, a stop is touched."""
    if price is None:
        return True
    if order_type is OrderType.LIMIT:
        return ticker.ask <= price if side is Side.BUY else ticker.bid >= price
    return ticker.ask >= price if side is Side.BUY else ticker.bid <= price


def fills_for(
    order_type: OrderType,
    side: Side,
    remaining: Decimal,
    price: Decimal | None,
    book: OrderBook,
    resting: bool,
) -> list[BookLevel]:
    """The trades an order makes now.

    A market order (or a triggered stop) sweeps the book. A marketable limit takes the levels up to its price;
    one that was resting when the market came through fills at its own price, as a maker, up to the
    liquidity at or better than it.
    """
    buying = side is Side.BUY
    levels = book.asks if buying else book.bids
    if order_type is not OrderType.LIMIT:
        return take(levels, remaining, None, buying)
    taken = take(levels, remaining, price, buying)
    if resting and price is not None and taken:
        return [BookLevel(price, sum((level.amount for level in taken), ZERO))]
    return taken
