"""nginx closes an idle connection to a worker before the worker does, in every nginx configuration deploy/
ships: a worker that closed first could drop a request nginx was sending on it, a 502 nginx never sends again
when it is a POST (found by bench.soak: four webhook updates answered 502 in ten minutes)."""

import re
from pathlib import Path

import pytest
from litestar import Litestar

from bot.serving import server_config
from bot.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITES = [DEPLOY / "nginx" / "tsbot.conf", DEPLOY / "compose" / "nginx.conf"]


def upstream_keepalive_seconds(site: Path) -> int:
    upstream = re.search(r"^upstream tsbot_web \{(.*?)^\}", site.read_text(), re.MULTILINE | re.DOTALL)
    assert upstream is not None, f"{site} has no tsbot_web upstream"
    timeout = re.search(r"^\s*keepalive_timeout (\d+)s;", upstream.group(1), re.MULTILINE)
    assert timeout is not None, f"{site}'s upstream leaves keepalive_timeout to nginx's default"
    return int(timeout.group(1))


@pytest.mark.parametrize("site", SITES, ids=lambda site: site.parent.name)
def test_nginx_closes_idle_upstream_connections_before_the_workers_do(site: Path) -> None:
    workers = server_config(Litestar(), Settings(_env_file=None)).timeout_keep_alive
    assert workers > upstream_keepalive_seconds(site)


def test_the_workers_keep_alive_is_the_setting() -> None:
    settings = Settings(_env_file=None, web_keep_alive_seconds=120)
    assert server_config(Litestar(), settings).timeout_keep_alive == 120
