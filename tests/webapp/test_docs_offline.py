"""The API docs page works without the internet: every file it loads comes from the app (the Mini App's build
carries Swagger UI's), and each one is there."""

import re

from tests.webapp.conftest import Api
from webapp.frontend import DEFAULT_DIST

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


async def test_the_docs_page_loads_every_file_from_the_app(api: Api) -> None:
    assert (DEFAULT_DIST / "index.html").is_file(), "build the Mini App first: make frontend"
    page = await api.client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "cdn" not in page.headers["content-security-policy"]
    references = REFERENCE.findall(page.text)
    assert len(references) == 4, references  # the bundle, the preset, the style sheet, the icon
    assert [url for url in references if not url.startswith("/") or url.startswith("//")] == []
    for url in references:
        answer = await api.client.get(url)
        assert answer.status_code == 200, url
        assert TYPES[url[url.rindex(".") :]] in answer.headers["content-type"], url
    assert (await api.client.get("/app/docs/missing.js")).status_code == 404
