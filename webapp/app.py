"""The Litestar app. Thin: controllers call the core handed to it as app state."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.config.cors import CORSConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import (
    HTTPException,
    InternalServerException,
    MethodNotAllowedException,
    NotFoundException,
)
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from litestar.stores.redis import RedisStore
from litestar.types import ControllerRouterHandler, Middleware, Scope
from redis.asyncio import Redis

from trading.domain.errors import TradingError
from webapp.auth import BearerAuthMiddleware
from webapp.conditional import conditional_gets
from webapp.context import WebContext
from webapp.controllers.accounts import AccountsController, TokensController
from webapp.controllers.alerts import AlertsController
from webapp.controllers.audits import AuditsController
from webapp.controllers.auth import AuthController
from webapp.controllers.automations import AutomationsController
from webapp.controllers.entry_rules import EntryRulesController
from webapp.controllers.futures import FuturesPositionsController
from webapp.controllers.kill_switch import KillSwitchController
from webapp.controllers.markets import MarketsController
from webapp.controllers.orders import OrdersController
from webapp.controllers.portfolio import MeController, PortfolioController
from webapp.controllers.protections import ProtectionsController
from webapp.controllers.rebalance import RebalanceController
from webapp.controllers.risk import RiskController
from webapp.controllers.second_factor import SecondFactorController
from webapp.controllers.signals import SignalsController
from webapp.controllers.source_stop_modes import SourceStopModesController
from webapp.controllers.stop_modes import StopModesController
from webapp.controllers.stream import StreamController
from webapp.decimal_schema import DecimalSchema
from webapp.errors import (
    DATABASE_ERRORS,
    answered_by_database_handler,
    database_error_handler,
    trading_error_handler,
    unrouted_handler,
)
from webapp.frontend import mini_app, mini_app_page
from webapp.middleware import (
    NOT_RATE_LIMITED,
    answer_refusals,
    client_gone,
    request_ids,
    server_error_handler,
    stamp_answer,
)
from webapp.stores import FallbackStore

log = logging.getLogger("tsbot.web")
HealthCheck = Callable[[], Awaitable[bool]]
API = "/api/v1"
RATE_LIMIT_STORE = "rate_limit"
RESPONSE_CACHE_STORE = "response_cache"
# Swagger UI's files for the docs page, served with the Mini App's build (its vite.config.ts copies them from
# the swagger-ui-dist package): the page loads nothing from a CDN.
DOCS_ASSETS = "/app/docs"
REDIS_TIMEOUT_S = 2.0  # a Redis that does not answer falls back to the process's store, not a hung request


@get("/health", include_in_schema=False)
async def health(state: State) -> Response[dict[str, str]]:
    """503 when the database does not take writes; 200 with `redis` saying so when only Redis is down (the rate
    limits are then counted in each process)."""
    check: HealthCheck = state.database_ok
    ok = await check()
    answer = {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "takes no writes"}
    store: FallbackStore | None = state.get("rate_limit_store")
    if store is not None:
        await store.exists("health")  # tries Redis again once its pause is over
        answer["redis"] = "unreachable: rate limits counted in this process" if store.degraded else "ok"
    return Response(answer, status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)


@get("/ping", sync_to_thread=False, tags=["meta"], summary="A trivial answer (the benchmark's baseline)")
def ping() -> dict[str, str]:
    return {"pong": "ok"}


def _user_key(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    user_id = getattr(user, "user_id", None)
    return f"user:{user_id}" if user_id is not None else f"ip:{get_remote_address(request)}"


def _has_user(request: Request[Any, Any, Any]) -> bool:
    return getattr(request.scope.get("user"), "user_id", None) is not None


def _middleware(web: WebContext) -> list[Middleware]:
    config = web.config
    auth = DefineMiddleware(
        BearerAuthMiddleware,
        exclude=[
            f"^{API}/docs",
            f"^{API}/openapi",
            f"^{API}/ping$",
            f"^{API}/auth/",
            "^/health$",
            "^/metrics",
        ],
    )
    prometheus = PrometheusConfig(app_name="tsbot", prefix="tsbot", group_path=True, exclude=["^/metrics"])
    stack: list[Middleware] = [request_ids, prometheus.middleware, answer_refusals, conditional_gets]
    if config.rate_limit_per_ip:
        stack.append(
            RateLimitConfig(
                ("minute", config.rate_limit_per_ip),
                store=RATE_LIMIT_STORE,
                exclude=["^/metrics"],
                exclude_opt_key=NOT_RATE_LIMITED,
            ).middleware
        )
    stack.append(auth)
    if config.rate_limit_per_user:
        stack.append(
            RateLimitConfig(
                ("minute", config.rate_limit_per_user),
                store=RATE_LIMIT_STORE,
                identifier_for_request=_user_key,
                exclude_opt_key=NOT_RATE_LIMITED,
                check_throttle_handler=_has_user,
            ).middleware
        )
    return stack


def _rate_limit_store(web: WebContext) -> FallbackStore | None:
    """Redis when configured, for limits and cached answers shared by every worker; None: the registry's
    default, in process."""
    if not web.config.redis_url:
        return None
    redis = Redis.from_url(
        web.config.redis_url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )
    return FallbackStore(RedisStore(redis, namespace="tsbot", handle_client_shutdown=True))


def _log_server_error(error: Exception, scope: Scope) -> None:
    """Every server error is logged with its cause (Litestar's own logging would do so only in debug mode). A
    client's error (4xx) is the client's; the project's own errors and the database's refusals are answered, and
    logged, by their handlers; a client that hung up is no error."""
    if isinstance(error, TradingError) or answered_by_database_handler(error) or client_gone(scope):
        return
    if isinstance(error, HTTPException) and error.status_code < 500:
        return
    log.error("%s %s failed", scope.get("method", ""), scope["path"], exc_info=error)


def api_router() -> Router:
    """The API under /api/v1: every route the OpenAPI document describes."""
    handlers: list[ControllerRouterHandler] = [
        ping,
        AuthController,
        MeController,
        PortfolioController,
        OrdersController,
        FuturesPositionsController,
        MarketsController,
        AccountsController,
        RiskController,
        TokensController,
        StreamController,
        AlertsController,
        SignalsController,
        EntryRulesController,
        SourceStopModesController,
        AutomationsController,
        AuditsController,
        RebalanceController,
        ProtectionsController,
        KillSwitchController,
        StopModesController,
        SecondFactorController,
    ]
    # Answers are the user's own unless a route says otherwise (market data): kept by no cache on the way.
    return Router(API, route_handlers=handlers, cache_control=CacheControlHeader(no_store=True))


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="tsbot API",
        version="1",
        path=f"{API}",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/docs",
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
            )
        ],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
    )


def create_app(
    database_ok: HealthCheck, routers: Sequence[Router] = (), web: WebContext | None = None
) -> Litestar:
    """`routers`: parts the process mounts beside the web app's own (the Telegram sandbox, the webhook).
    Without `web` only /health is served."""
    if web is None:
        return Litestar(
            route_handlers=[health, *routers],
            state=State({"database_ok": database_ok}),
            logging_config=None,  # the process keeps the logging its command set up (level, format)
            after_exception=[_log_server_error],
            before_send=[stamp_answer],
        )
    store = _rate_limit_store(web)

    class Metrics(PrometheusController):
        path = "/metrics"

    return Litestar(
        route_handlers=[health, Metrics, mini_app_page, mini_app, api_router(), *routers],
        state=State({"database_ok": database_ok, "web": web, "rate_limit_store": store}),
        middleware=_middleware(web),
        before_send=[stamp_answer],
        exception_handlers={
            TradingError: trading_error_handler,
            InternalServerException: server_error_handler,
            NotFoundException: unrouted_handler,
            MethodNotAllowedException: unrouted_handler,
            **dict.fromkeys(DATABASE_ERRORS, database_error_handler),
        },
        logging_config=None,
        after_exception=[_log_server_error],
        cors_config=CORSConfig(
            allow_origins=list(web.config.cors_origins),
            allow_headers=["authorization", "content-type", "x-request-id", "x-totp"],
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        )
        if web.config.cors_origins
        else None,
        stores=None if store is None else {RATE_LIMIT_STORE: store, RESPONSE_CACHE_STORE: store},
        response_cache_config=ResponseCacheConfig(store=RESPONSE_CACHE_STORE),
        lifespan=[] if store is None else [store],
        openapi_config=openapi_config(),
        plugins=[DecimalSchema()],
    )
