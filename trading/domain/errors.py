"""The project's own errors. Each carries one sentence a trader can read."""


class TradingError(Exception):
    """Base of every error the core reports to a user; `str(error)` is the sentence to show."""

    code = "trading_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(TradingError):
    code = "invalid_input"


class UnknownSymbol(InvalidInput):
    code = "unknown_symbol"


class NoFuturesAccount(InvalidInput):
    """A short or a leveraged request from a user with no futures account: refused, never made a spot sale."""

    code = "no_futures_account"


class NotFound(TradingError):
    code = "not_found"


class DraftExpired(TradingError):
    code = "draft_expired"


class DraftAlreadyUsed(TradingError):
    code = "draft_already_used"


class RiskRejected(TradingError):
    code = "risk_rejected"


class ExchangeError(TradingError):
    """An error the exchange reported, translated."""

    code = "exchange_error"
    retryable = False


class InsufficientFunds(ExchangeError):
    code = "insufficient_funds"


class InvalidOrder(ExchangeError):
    code = "invalid_order"


class BelowMinimum(InvalidOrder):
    code = "below_minimum"


class OrderNotFound(ExchangeError):
    code = "order_not_found"


class RateLimited(ExchangeError):
    code = "rate_limited"
    retryable = True


class ExchangeUnavailable(ExchangeError):
    code = "exchange_unavailable"
    retryable = True


class AuthenticationFailed(ExchangeError):
    code = "authentication_failed"


class SecondFactorRequired(TradingError):
    """A risky action of a user with a second factor on, asked without a code, or with a wrong or used one."""

    code = "second_factor_required"


class SecondFactorLocked(TradingError):
    """Too many wrong codes in a row: codes are not checked for a while."""

    code = "second_factor_locked"
