"""The Litestar app. Thin: controllers call the core handed to it as app state."""

from collections.abc import Awaitable, Callable, Sequence

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

HealthCheck = Callable[[], Awaitable[bool]]


@get("/health", sync_to_thread=False)
async def health(state: State) -> Response[dict[str, str]]:
    check: HealthCheck = state.database_ok
    ok = await check()
    return Response(
        {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unreachable"},
        status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE,
    )


def create_app(database_ok: HealthCheck, routers: Sequence[Router] = ()) -> Litestar:
    """`routers`: parts the process mounts beside the web app's own (the Telegram sandbox, the webhook)."""
    return Litestar(route_handlers=[health, *routers], state=State({"database_ok": database_ok}))
