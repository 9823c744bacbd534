"""The built Mini App at /app: a file when it exists, else the app's page (deep links are the app's routes)."""

from pathlib import Path

from litestar import get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

DEFAULT_DIST = Path(__file__).resolve().parent / "frontend" / "dist"


def _dist(state: State) -> Path:
    configured = state.web.config.frontend_dir
    return Path(configured) if configured else DEFAULT_DIST


@get("/app", include_in_schema=False, opt={"exclude_from_auth": True})
async def mini_app_page(state: State) -> File:
    return _serve(state, "/")


@get("/app/{path:path}", include_in_schema=False, opt={"exclude_from_auth": True})
async def mini_app(state: State, path: FromPath[str]) -> File:
    return _serve(state, path)


def _serve(state: State, path: str) -> File:
    dist = _dist(state).resolve()
    index = dist / "index.html"
    if not index.is_file():
        raise NotFoundException("The Mini App is not built; run `make` (npm run build in webapp/frontend).")
    wanted = (dist / path.lstrip("/")).resolve()
    if wanted.is_file() and wanted.is_relative_to(dist):
        return File(wanted, filename=wanted.name, content_disposition_type="inline")
    if path.startswith(("/assets/", "/docs/")):  # the build's files, and the API docs page's
        raise NotFoundException("No such asset.")
    return File(index, filename="index.html", content_disposition_type="inline")
