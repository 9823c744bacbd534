"""The Litestar app. Thin: controllers call the core handed to it as app state."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from litestar.stores.registry import StoreRegistry
from litestar.types import ControllerRouterHandler, Middleware, Scope

from trading.domain.errors import TradingError
from webapp.auth import BearerAuthMiddleware
from webapp.context import WebContext
from webapp.controllers.accounts import AccountsController, TokensController
from webapp.controllers.alerts_signals import AlertsController, SignalsController
from webapp.controllers.auth import AuthController
from webapp.controllers.automations import AutomationsController
from webapp.controllers.futures import FuturesPositionsController
from webapp.controllers.kill_switch import KillSwitchController
from webapp.controllers.markets import MarketsController
from webapp.controllers.orders import OrdersController
from webapp.controllers.portfolio import MeController, PortfolioController
from webapp.controllers.protections import ProtectionsController
from webapp.controllers.rebalance import RebalanceController
from webapp.controllers.risk import RiskController
from webapp.controllers.stop_modes import StopModesController
from webapp.controllers.stream import StreamController
from webapp.errors import trading_error_handler
from webapp.frontend import mini_app, mini_app_page
from webapp.middleware import NOT_RATE_LIMITED, request_ids, security_headers

log = logging.getLogger("tsbot.web")
HealthCheck = Callable[[], Awaitable[bool]]
API = "/api/v1"
RATE_LIMIT_STORE = "rate_limit"


@get("/health", include_in_schema=False)
async def health(state: State) -> Response[dict[str, str]]:
    check: HealthCheck = state.database_ok
    ok = await check()
    return Response(
        {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"},
        status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE,
    )


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
    stack: list[Middleware] = [request_ids, security_headers]
    prometheus = PrometheusConfig(app_name="tsbot", prefix="tsbot", group_path=True, exclude=["^/metrics"])
    stack.append(prometheus.middleware)
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


def _stores(web: WebContext) -> StoreRegistry | None:
    if not web.config.redis_url:
        return None  # the registry's default: an in-process memory store
    from litestar.stores.redis import RedisStore

    return StoreRegistry(
        {RATE_LIMIT_STORE: RedisStore.with_client(url=web.config.redis_url, namespace="tsbot")}
    )


def _log_server_error(error: Exception, scope: Scope) -> None:
    """Every server error is logged with its cause (Litestar's own logging would do so only in debug mode). A
    client's error (4xx) is the client's; the project's own errors are answered, and logged, by
    trading_error_handler."""
    if isinstance(error, TradingError) or (isinstance(error, HTTPException) and error.status_code < 500):
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
        AutomationsController,
        RebalanceController,
        ProtectionsController,
        KillSwitchController,
        StopModesController,
    ]
    return Router(API, route_handlers=handlers)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="tsbot API",
        version="1",
        path=f"{API}",
        render_plugins=[SwaggerRenderPlugin(path="/docs")],
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
        )

    class Metrics(PrometheusController):
        path = "/metrics"

    return Litestar(
        route_handlers=[health, Metrics, mini_app_page, mini_app, api_router(), *routers],
        state=State({"database_ok": database_ok, "web": web}),
        middleware=_middleware(web),
        exception_handlers={TradingError: trading_error_handler},
        logging_config=None,
        after_exception=[_log_server_error],
        cors_config=CORSConfig(
            allow_origins=list(web.config.cors_origins),
            allow_headers=["authorization", "content-type", "x-request-id"],
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        )
        if web.config.cors_origins
        else None,
        stores=_stores(web),
        openapi_config=openapi_config(),
    )
