"""/app serves the built Mini App: its files, its page for deep links, and nothing outside its folder."""

from pathlib import Path

from litestar.testing import AsyncTestClient

from tests.harness import Harness
from tests.webapp.conftest import make_web
from webapp.app import create_app


async def _true() -> bool:
    return True


async def test_the_app_its_deep_links_and_its_files_but_nothing_else(
    harness: Harness, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>the app</html>")
    (dist / "assets" / "app.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("not for the web")
    app = create_app(_true, web=make_web(harness, frontend_dir=str(dist)))
    async with AsyncTestClient(app) as client:
        for page in ("/app", "/app/", "/app/orders", "/app/signals/12"):
            answer = await client.get(page)
            assert answer.status_code == 200 and answer.text == "<html>the app</html>", page
        assert (await client.get("/app/assets/app.js")).text == "console.log('app')"
        assert (await client.get("/app/assets/missing.js")).status_code == 404
        for outside in ("/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/..%2fsecret.txt"):
            assert "not for the web" not in (await client.get(outside)).text, outside
