"""The production topology started from processes on this machine: Debian's nginx with deploy/nginx's proxy
settings in front of `tsbot web` workers on PostgreSQL and Redis, the sandbox playing Telegram's Bot API."""

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.patience import PATIENCE_S

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "nginx"
TSBOT = str(Path(sys.executable).with_name("tsbot"))
UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n", re.MULTILINE)


def nginx_binary() -> str | None:
    """Debian's nginx lives in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def upstream_block(worker_ports: list[int]) -> str:
    """deploy/nginx/tsbot.conf's upstream, its servers this test's workers (the rest as the operator has it)."""
    site = (DEPLOY / "tsbot.conf").read_text()
    block = re.search(r"^upstream tsbot_web \{.*?^\}", site, re.MULTILINE | re.DOTALL)
    assert block is not None, "deploy/nginx/tsbot.conf has no tsbot_web upstream"
    servers = list(UPSTREAM_SERVER.finditer(block.group(0)))
    assert servers, "the tsbot_web upstream lists no server"
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    ours = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in worker_ports)
    text = UPSTREAM_SERVER.sub("", block.group(0))
    return text.replace("{\n", "{\n" + ours, 1)


def nginx_conf(folder: Path, port: int, worker_ports: list[int]) -> Path:
    """A main configuration of its own (a test cannot touch /etc/nginx), including the proxy settings
    verbatim."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers must reach this test's folders
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{upstream_block(worker_ports)}
    server {{
        listen 127.0.0.1:{port};
        include {DEPLOY / "tsbot-proxy.conf"};
    }}
}}
"""
    )
    return conf


@dataclass
class Process:
    name: str
    popen: "subprocess.Popen[bytes]"
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def started(name: str, command: list[str], folder: Path, env: dict[str, str]) -> Iterator[Process]:
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        popen = subprocess.Popen(command, env=env, cwd=folder, stdout=sink, stderr=subprocess.STDOUT)
    process = Process(name, popen, log)
    try:
        yield process
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(PATIENCE_S)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()


async def until_healthy(client: httpx.AsyncClient, process: Process, url: str) -> None:
    async with asyncio.timeout(PATIENCE_S):
        while True:
            assert process.popen.poll() is None, process.output()
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
