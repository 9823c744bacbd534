"""The HTTP server of `tsbot run` and `tsbot web`: uvicorn's, stopped the way a service is expected to stop."""

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from socket import socket

import uvicorn
from litestar import Litestar

from bot.settings import Settings

log = logging.getLogger(__name__)


def server_config(app: Litestar, settings: Settings) -> uvicorn.Config:
    """uvicorn's settings for the app, as `tsbot run` and `tsbot web` serve it."""
    return uvicorn.Config(
        app,
        host=settings.tsbot_host,
        port=settings.tsbot_port,
        log_level=settings.log_level.lower(),
        timeout_keep_alive=settings.web_keep_alive_seconds,
    )


class Server(uvicorn.Server):
    """uvicorn's server with two changes. `before_shutdown` runs before the server stops taking requests (in
    `tsbot run`, the bot's polling ends first, or its next long poll would fail against the closed socket). And
    a stop by SIGINT or SIGTERM is a normal end: serve() returns, where uvicorn would raise the signal again once
    shut down, which ends the process as interrupted (status 130) or killed by SIGTERM although all closed
    cleanly; a service manager would report a failure."""

    def __init__(
        self, config: uvicorn.Config, before_shutdown: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(config)
        self._before_shutdown = before_shutdown

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
            yield
            return
        # A second SIGINT forces the exit (uvicorn's handle_exit), as with uvicorn.
        stopping = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in stopping}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket] | None = None) -> None:
        try:
            if self._before_shutdown is not None:
                await self._before_shutdown()
        except Exception:  # the server must still shut down
            log.exception("could not finish what had to end before the server")
        await super().shutdown(sockets)


def run_fast(main: Coroutine[None, None, None]) -> None:
    """asyncio.run on uvloop's event loop where it is installed (a dependency everywhere but Windows): a web
    worker's requests then spend less CPU in the loop and the sockets, and uvicorn parses them with httptools."""
    try:
        import uvloop
    except ImportError:  # Windows
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)
