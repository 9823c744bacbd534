"""The core's errors as HTTP answers: the status the kind of error calls for and its one sentence."""

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    InternalServerException,
    MethodNotAllowedException,
    ValidationException,
)
from litestar.exceptions.responses import create_exception_response
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from trading.domain.errors import (
    AuthenticationFailed,
    DraftAlreadyUsed,
    DraftExpired,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidInput,
    InvalidOrder,
    NotFound,
    OrderNotFound,
    RateLimited,
    RiskRejected,
    SecondFactorLocked,
    SecondFactorRequired,
    TradingError,
)

log = logging.getLogger(__name__)

# First match wins: subclasses before their bases.
_STATUS: tuple[tuple[type[TradingError], int], ...] = (
    (NotFound, HTTP_404_NOT_FOUND),
    (OrderNotFound, HTTP_404_NOT_FOUND),
    (DraftExpired, HTTP_409_CONFLICT),
    (DraftAlreadyUsed, HTTP_409_CONFLICT),
    (RiskRejected, HTTP_422_UNPROCESSABLE_ENTITY),
    (InsufficientFunds, HTTP_422_UNPROCESSABLE_ENTITY),
    (InvalidOrder, HTTP_422_UNPROCESSABLE_ENTITY),
    (InvalidInput, HTTP_400_BAD_REQUEST),
    (SecondFactorRequired, HTTP_403_FORBIDDEN),
    (SecondFactorLocked, HTTP_429_TOO_MANY_REQUESTS),
    (RateLimited, HTTP_503_SERVICE_UNAVAILABLE),
    (ExchangeUnavailable, HTTP_503_SERVICE_UNAVAILABLE),
    (AuthenticationFailed, HTTP_503_SERVICE_UNAVAILABLE),
)


class ErrorBody(msgspec.Struct):
    """`detail`: one sentence saying why; `error`: its kind (`no_futures_account`, `risk_rejected`, ...). A body
    or parameter that does not validate answers 400 with `detail` and the fields at fault in `extra` instead."""

    status_code: int
    error: str
    detail: str


# What each error status means on a route that moves money, for the OpenAPI document.
_MEANINGS = {
    HTTP_400_BAD_REQUEST: "Bad input: a field that does not validate, or a request the core refuses as asked.",
    HTTP_403_FORBIDDEN: "Your second factor is on: a fresh code is missing from X-TOTP, wrong, or used already.",
    HTTP_404_NOT_FOUND: "Not found, or not yours.",
    HTTP_409_CONFLICT: "The preview was used already, cancelled, or has expired.",
    HTTP_422_UNPROCESSABLE_ENTITY: "Refused by a risk limit, for funds, or by the exchange's rules.",
    HTTP_429_TOO_MANY_REQUESTS: "Too many wrong second-factor codes in a row: codes are refused for a while.",
    HTTP_503_SERVICE_UNAVAILABLE: "The exchange is unavailable or did not answer.",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI responses of these error statuses, each an ErrorBody."""
    return {
        status: ResponseSpec(ErrorBody, generate_examples=False, description=_MEANINGS[status])
        for status in statuses
    }


def status_of(error: TradingError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return HTTP_503_SERVICE_UNAVAILABLE


def trading_error_handler(request: Request[Any, Any, Any], error: TradingError) -> Response[ErrorBody]:
    status = status_of(error)
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, error.message)
    return Response(ErrorBody(status, error.code, error.message), status_code=status)


# What may come of a database on the way to it. Only some of it means the database is not answering (see
# database_down); the rest is a statement's own failure, a bug.
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout, ConnectionError)
DATABASE_DOWN_TEXT = "The database is not answering right now; try again in a moment."


def database_down(error: BaseException) -> bool:
    """Whether `error` says the database is not answering: a connection the dialect found broken (SQLAlchemy's
    own disconnect detection), a connection refused or reset, or a pool with none to give."""
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    return isinstance(error, (PoolTimeout, ConnectionError))


# A statement the database refused for what it was asked to store or compare: a unique, foreign key or check
# constraint (SQLSTATE class 23), or a number or text beyond its column (class 22; asyncpg's refusals of an
# argument come as a plain DBAPIError with this class). What the caller sent is the likely cause, or a race
# between two requests; the causes known are refused earlier, with a sentence of their own.
REFUSED_BY_DATABASE: tuple[tuple[type[DBAPIError], str, int, str, str], ...] = (
    (
        IntegrityError,
        "23",
        HTTP_409_CONFLICT,
        "conflict",
        "This conflicts with what is stored: it exists already, or something it names does not; nothing was done.",
    ),
    (
        DataError,
        "22",
        HTTP_400_BAD_REQUEST,
        "out_of_range",
        "A number or a text in this request is beyond what can be stored; nothing was done.",
    ),
)


def _refusal(error: BaseException) -> tuple[int, str, str] | None:
    """The status, kind and sentence of a statement the database refused, or None."""
    if not isinstance(error, DBAPIError):
        return None
    sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
    for kind, sqlstate_class, status, code, text in REFUSED_BY_DATABASE:
        if isinstance(error, kind) or sqlstate.startswith(sqlstate_class):
            return status, code, text
    return None


def answered_by_database_handler(error: BaseException) -> bool:
    """Whether database_error_handler answers `error` with a 4xx or a 503 rather than as a server error."""
    return database_down(error) or _refusal(error) is not None


def database_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A database that does not answer: 503 with a sentence rather than a 500, since the caller did nothing
    wrong and may retry. A statement it refused for what it would store: 409 or 400 with a sentence, logged with
    its cause (the request id is on the log line). Any other database error is a server error, answered as
    Litestar answers one."""
    if (refusal := _refusal(error)) is not None:
        status, code, text = refusal
        cause = (
            error.orig if isinstance(error, DBAPIError) else error
        )  # the driver's words, not the parameters
        log.warning("%s %s: the database refused it: %s", request.method, request.url.path, cause)
        return Response(ErrorBody(status, code, text), status_code=status)
    if not database_down(error):
        return create_exception_response(request, InternalServerException())
    log.warning("%s %s: the database is not answering: %s", request.method, request.url.path, error)
    body = ErrorBody(HTTP_503_SERVICE_UNAVAILABLE, "database_unavailable", DATABASE_DOWN_TEXT)
    return Response(body, status_code=HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})


ValidationHandler = Callable[[Request[Any, Any, Any], ValidationException], Response[Any]]


def field_sentences(sentences: Mapping[str, str]) -> ValidationHandler:
    """A handler of a body that does not decode which answers 400 with the sentence of the first field at
    fault (`sentences`, by field name; an item of a list is its list's), in place of the decoder's wording
    ("Expected `int` >= 1"), which a form would show as it stands. A fault of no field named there (an unknown
    field, a body that is no object) is answered as Litestar answers it."""

    def handle(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
        for fault in error.extra if isinstance(error.extra, list) else []:
            key = fault.get("key") if isinstance(fault, dict) else None
            sentence = sentences.get(re.split(r"[\[.]", key, maxsplit=1)[0]) if isinstance(key, str) else None
            if sentence is not None:
                body = ErrorBody(HTTP_400_BAD_REQUEST, "invalid_input", sentence)
                return Response(body, status_code=HTTP_400_BAD_REQUEST)
        return create_exception_response(request, error)

    return handle


def unrouted_handler(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """A request no route took (no such path, a path parameter of the wrong kind, or no such method) answered
    with a sentence rather than Litestar's bare "Not Found"; a route's own 404 keeps its sentence."""
    if "route_handler" in request.scope and not isinstance(error, MethodNotAllowedException):
        return create_exception_response(request, error)
    where = f"{request.method} {request.url.path}"
    if isinstance(error, MethodNotAllowedException):
        sentence = f"{where}: this address does not take {request.method}; /api/v1/docs lists what it does."
    else:
        sentence = f"{where}: there is nothing at this address; /api/v1/docs lists the API's routes."
    # A new exception with the same status, headers (a 405's Allow) and extra: the one raised is left as it was.
    answer = HTTPException(
        detail=sentence, status_code=error.status_code, headers=error.headers, extra=error.extra
    )
    return create_exception_response(request, answer)
