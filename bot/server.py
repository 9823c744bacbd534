"""`tsbot run`: reconcile, then serve the web app and run the order tracker in one event loop."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import uvicorn

from bot.container import Container
from bot.migrate import require_current_schema
from bot.telegram.process import build_telegram
from bot.telegram.render import bracket_fill_text, signal_closed_text
from bot.telegram.runtime import TelegramNotifier
from bot.web import keep_startup_out_of_collections, web_context
from trading.domain.orders import Order
from trading.ports import Notifier
from trading.usecases.accounts import reconcile_paper_deposits
from trading.usecases.core import Core
from trading.usecases.portfolio import record_all_equity
from trading.usecases.tracking import TrackingEvents, bracket_fills, reconcile_submitted, track_once
from webapp.app import create_app

log = logging.getLogger(__name__)

TRACK_EVERY_SECONDS = 1.0
EQUITY_EVERY_SECONDS = 300.0


async def tracker_pass(core: Core, notifier: Notifier) -> TrackingEvents:
    """One pass of the order tracker, and each user told of their targets and stops hit and their signals
    closed. The events come from transitions made once (see track_once), so none is told twice; a message that
    cannot be delivered (the chat is gone) is logged and does not hold up the others."""
    events = await track_once(core)
    await tell(notifier, events)
    return events


async def tell(notifier: Notifier, events: TrackingEvents) -> None:
    told = [(fill.user_id, bracket_fill_text(fill)) for fill in events.fills]
    told += [(closed.signal.user_id, signal_closed_text(closed)) for closed in events.closed]
    for user_id, text in told:
        try:
            await notifier.notify(user_id, text)
        except Exception:
            log.exception("could not tell user %s: %s", user_id, text)


async def track_orders(
    container: Container,
    stop: asyncio.Event,
    notifier: Notifier,
    ready: "asyncio.Future[None] | None" = None,
    reconciled: Sequence[Order] = (),
) -> None:
    """Book fills of resting orders, fire bracket legs and close finished signals about once a second, and
    record every account's equity every five minutes, until told to stop. `ready`: the bot's start, awaited
    first so that the first pass's messages have somewhere to go. `reconciled`: orders start-up reconciliation
    booked (a leg whose fill the stopped process never got to book, and so never told)."""
    if ready is not None:
        await asyncio.wait({ready})
    core = container.core
    try:
        await tell(notifier, TrackingEvents(tuple(await bracket_fills(core, list(reconciled))), ()))
    except Exception:  # the loop below must start whatever happens here
        log.exception("could not report the legs booked at start-up")
    loop = asyncio.get_running_loop()
    next_equity = loop.time()
    while not stop.is_set():
        try:
            await tracker_pass(core, notifier)
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
    if corrected := await reconcile_paper_deposits(container.core):
        log.warning("paper accounts whose interrupted deposit was booked now: %d", corrected)
    telegram = await build_telegram(container)
    app = create_app(container.database_ok, routers=telegram.routers, web=web_context(container))
    config = uvicorn.Config(
        app, host=settings.tsbot_host, port=settings.tsbot_port, log_level=settings.log_level.lower()
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    bot_start = asyncio.create_task(telegram.start_when_listening(server))
    notifier = TelegramNotifier(telegram.telegram.bot, container.core)
    tracker = asyncio.create_task(
        track_orders(container, stop, notifier, ready=bot_start, reconciled=report.booked)
    )
    keep_startup_out_of_collections()
    where = "/sandbox" if telegram.sandbox is not None else "/health"
    print(f"tsbot is running: open http://{settings.tsbot_host}:{settings.tsbot_port}{where}", flush=True)
    try:
        await server.serve()
    finally:
        stop.set()
        await tracker
        await asyncio.gather(bot_start, return_exceptions=True)
        await telegram.telegram.stop()
