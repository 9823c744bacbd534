"""ccxt's exceptions become the project's own, each with a sentence for a trader."""

import pytest
from ccxt.base import errors as ccxt_errors

from trading.ccxt.errors import ccxt_errors_translated, translate
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


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (ccxt_errors.InsufficientFunds("binance Account has insufficient balance"), InsufficientFunds),
        (ccxt_errors.OrderNotFound("binance Order does not exist."), OrderNotFound),
        (ccxt_errors.BadSymbol("binance Invalid symbol."), UnknownSymbol),
        (ccxt_errors.AuthenticationError("binance Invalid API-key"), AuthenticationFailed),
        (ccxt_errors.PermissionDenied("kraken EGeneral:Permission denied"), AuthenticationFailed),
        (ccxt_errors.BadRequest('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}'), BelowMinimum),
        (ccxt_errors.InvalidOrder("kraken EOrder:Order minimum not met"), BelowMinimum),
        (ccxt_errors.ExchangeError("kraken EOrder:Cost minimum not met"), BelowMinimum),
        (ccxt_errors.InvalidOrder("binance Filter failure: PRICE_FILTER"), InvalidOrder),
        (ccxt_errors.RateLimitExceeded("binance 429"), RateLimited),
        (ccxt_errors.DDoSProtection("kraken EAPI:Rate limit exceeded"), RateLimited),
        (ccxt_errors.RequestTimeout("binance GET https://api.binance.com"), ExchangeUnavailable),
        (ccxt_errors.ExchangeNotAvailable("binance 503"), ExchangeUnavailable),
        (ccxt_errors.OnMaintenance("binance System is under maintenance."), ExchangeUnavailable),
        (ccxt_errors.OperationFailed("binance Internal error"), ExchangeUnavailable),
        (ccxt_errors.ExchangeError("kraken EGeneral:Unknown method"), ExchangeError),
    ],
)
def test_each_ccxt_error_has_its_own(raised: Exception, expected: type[TradingError]) -> None:
    translated = translate(raised, "Venue", "BTC/USDT")

    assert type(translated) is expected
    assert translated.message.startswith("Venue ")
    assert translated.message.endswith(".")
    assert "{" not in translated.message  # never the venue's raw answer


def test_the_retryable_ones_are_marked_so() -> None:
    def retryable(error: Exception) -> bool:
        translated = translate(error, "Venue")
        return isinstance(translated, ExchangeError) and translated.retryable

    assert retryable(ccxt_errors.RateLimitExceeded("429"))
    assert retryable(ccxt_errors.NetworkError("reset"))
    assert not retryable(ccxt_errors.InsufficientFunds("poor"))


def test_an_unknown_symbol_names_the_symbol() -> None:
    assert "DOGE/EUR" in str(translate(ccxt_errors.BadSymbol("x"), "Venue", "DOGE/EUR"))


def test_the_context_translates_and_chains_the_original() -> None:
    original = ccxt_errors.InsufficientFunds("poor")

    with pytest.raises(InsufficientFunds) as raised, ccxt_errors_translated("Kraken"):
        raise original

    assert raised.value.__cause__ is original
    assert str(raised.value) == "Kraken reports insufficient funds for this order."


def test_the_context_lets_other_errors_through() -> None:
    with pytest.raises(KeyError), ccxt_errors_translated("Kraken"):
        raise KeyError("not ccxt's")


@pytest.mark.parametrize(
    "raised",
    [
        ccxt_errors.InvalidOrder('binanceusdm {"code":-2022,"msg":"ReduceOnly Order is rejected."}'),
        # ccxt's table for the futures API applies to its own host only: elsewhere the code is unmapped.
        ccxt_errors.ExchangeError('binanceusdm {"code":-2022,"msg":"ReduceOnly Order is rejected."}'),
        ccxt_errors.InvalidOrder('bybit {"retCode":110017,"retMsg":"Reduce-only rule not satisfied"}'),
    ],
)
def test_a_refused_reduce_only_order_says_why(raised: Exception) -> None:
    translated = translate(raised, "Venue")

    assert type(translated) is InvalidOrder
    assert str(translated) == "Venue refused the reduce-only order: it would open or grow a position."


def test_a_minimum_that_mentions_reduce_only_is_still_a_minimum() -> None:
    raised = ccxt_errors.InvalidOrder(
        'binanceusdm {"code":-4164,"msg":"Order\'s notional must be no smaller than 5 (unless you choose reduce only)."}'
    )

    assert type(translate(raised, "Venue")) is BelowMinimum
