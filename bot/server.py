"""`tsbot run`: reconcile, then serve the web app and run the order tracker in one event loop."""

import asyncio
import contextlib
import logging

import uvicorn

from bot.container import Container
from bot.migrate import require_current_schema
from bot.telegram.process import build_telegram
from bot.web import web_context
from trading.usecases.portfolio import record_all_equity
from trading.usecases.tracking import reconcile_submitted, sync_open_orders, watch_brackets
from webapp.app import create_app

log = logging.getLogger(__name__)

TRACK_EVERY_SECONDS = 1.0
EQUITY_EVERY_SECONDS = 300.0


async def track_orders(container: Container, stop: asyncio.Event) -> None:
    """Book fills of resting orders and fire bracket legs about once a second, and record every account's
    equity every five minutes, until told to stop."""
    core = container.core
    loop = asyncio.get_running_loop()
    next_equity = loop.time()
    while not stop.is_set():
        try:
            await sync_open_orders(core)
            await watch_brackets(core)
            if loop.time() >= next_equity:
                next_equity = loop.time() + EQUITY_EVERY_SECONDS
                await record_all_equity(core)
        except Exception:  # the loop must outlive any one bad order; the cause goes to the log
            log.exception("order tracking pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TRACK_EVERY_SECONDS)


async def serve(container: Container) -> None:
    settings = container.settings
    await require_current_schema(container.engine, settings.database_url)
    report = await reconcile_submitted(container.core)
    log.info(
        "reconciled orders: %d found at the exchange, %d never arrived, %d unreachable",
        report.found,
        report.never_arrived,
        report.unreachable,
    )
    telegram = await build_telegram(container)
    app = create_app(container.database_ok, routers=telegram.routers, web=web_context(container))
    config = uvicorn.Config(
        app, host=settings.tsbot_host, port=settings.tsbot_port, log_level=settings.log_level.lower()
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    tracker = asyncio.create_task(track_orders(container, stop))
    bot_start = asyncio.create_task(telegram.start_when_listening(server))
    where = "/sandbox" if telegram.sandbox is not None else "/health"
    print(f"tsbot is running: open http://{settings.tsbot_host}:{settings.tsbot_port}{where}", flush=True)
    try:
        await server.serve()
    finally:
        stop.set()
        await tracker
        await asyncio.gather(bot_start, return_exceptions=True)
        await telegram.telegram.stop()
