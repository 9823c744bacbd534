"""ccxt's exceptions translated into the project's own, each with one sentence a trader can read.

ccxt raises its own hierarchy (ccxt.base.errors); nothing above the gateway may see it. The order of the checks
matters: ccxt nests specific errors under general ones (OrderNotFound under InvalidOrder, RateLimitExceeded
under NetworkError).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from ccxt.base import errors as ccxt_errors

from trading.domain.errors import (
    AuthenticationFailed,
    BelowMinimum,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidOrder,
    OrderNotFound,
    RateLimited,
    TradingError,
    UnknownSymbol,
)

# Fragments of venues' refusals of too small an order (Binance's NOTIONAL/MIN_NOTIONAL filters, Kraken's
# "Order minimum not met", "volume minimum not met" and others), matched case-insensitively.
_BELOW_MINIMUM_HINTS = ("notional", "minimum not met", "min_notional", "too small", "below minimum")
# Refusals of a reduce-only order that would open or grow a position: Binance's -2022 "ReduceOnly Order is
# rejected.", Bybit's 110017 "Reduce-only rule not satisfied" and its "cannot fix reduce-only order qty", OKX's
# 51169 "you don't have any positions in this direction for this contract to reduce or close".
_REDUCE_ONLY_HINTS = ("reduceonly", "reduce-only", "reduce only", "to reduce or close")


def translate(error: Exception, venue: str, symbol: str | None = None) -> TradingError:
    """The project's error for a ccxt exception raised while talking to `venue` (its display name)."""
    if isinstance(error, TradingError):
        return error
    if isinstance(error, ccxt_errors.InsufficientFunds):
        return InsufficientFunds(f"{venue} reports insufficient funds for this order.")
    if isinstance(error, ccxt_errors.OrderNotFound):
        return OrderNotFound(f"{venue} has no such order.")
    if isinstance(error, ccxt_errors.BadSymbol):
        market = f" {symbol}" if symbol else " this market"
        return UnknownSymbol(f"{venue} does not list{market}.")
    if isinstance(error, ccxt_errors.AuthenticationError):
        return AuthenticationFailed(
            f"{venue} refused the API key; check the key, its secret and its permissions."
        )
    if isinstance(error, ccxt_errors.InvalidOrder | ccxt_errors.BadRequest):
        return _refusal_in_words(str(error), venue) or InvalidOrder(f"{venue} refused the order as invalid.")
    if isinstance(error, ccxt_errors.RateLimitExceeded | ccxt_errors.DDoSProtection):
        return RateLimited(f"{venue} is limiting our requests; try again in a minute.")
    if isinstance(error, ccxt_errors.RequestTimeout):
        return ExchangeUnavailable(f"{venue} did not answer in time; try again in a moment.")
    if isinstance(error, ccxt_errors.OnMaintenance):
        return ExchangeUnavailable(f"{venue} is under maintenance; try again later.")
    if isinstance(error, ccxt_errors.NetworkError | ccxt_errors.OperationFailed):
        return ExchangeUnavailable(f"{venue} cannot be reached right now; try again in a moment.")
    if isinstance(error, ccxt_errors.MarketClosed):
        return InvalidOrder(f"{venue} has closed this market for now.")
    if isinstance(error, ccxt_errors.NotSupported):
        return ExchangeError(f"{venue} does not support this operation.")
    # ccxt leaves refusals it has no table entry for (Kraken's "EOrder:Cost minimum not met") as plain
    # ExchangeError: read the venue's words.
    refusal = _refusal_in_words(str(error), venue)
    if refusal is not None:
        return refusal
    if "insufficient" in str(error).lower():
        return InsufficientFunds(f"{venue} reports insufficient funds for this order.")
    return ExchangeError(f"{venue} reported an unexpected error.")


def _refusal_in_words(text: str, venue: str) -> InvalidOrder | None:
    # Minimum first: Binance's -4164 "notional must be no smaller than 5 (unless you choose reduce only)".
    if _mentions(text, _BELOW_MINIMUM_HINTS):
        return BelowMinimum(f"{venue} refused the order as smaller than its minimum.")
    if _mentions(text, _REDUCE_ONLY_HINTS):
        return InvalidOrder(f"{venue} refused the reduce-only order: it would open or grow a position.")
    return None


def _mentions(text: str, hints: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in hints)


@contextmanager
def ccxt_errors_translated(venue: str, symbol: str | None = None) -> Iterator[None]:
    """Re-raise any ccxt exception from the block as the project's own, chained to the original."""
    try:
        yield
    except ccxt_errors.BaseError as error:
        raise translate(error, venue, symbol) from error
