"""`tsbot run`: reconcile, then serve the web app and run the order tracker in one event loop."""

import asyncio
import contextlib
import logging
from functools import partial

from bot.container import Container
from bot.job_runtime import run_jobs
from bot.leadership import Leadership, SoleProcess, leadership
from bot.migrate import require_current_schema
from bot.price_watch import PriceWatch
from bot.serving import Server, server_config
from bot.sole_run import wait_until_sole_run
from bot.telegram.alert_watch import AlertWatcher
from bot.telegram.process import build_telegram
from bot.web import tune_garbage_collector, web_context
from handlers.render import bracket_fill_text, reconciled_text, signal_closed_text
from trading.usecases.accounts import DEPOSIT_UNDER_WAY_AT_MOST, reconcile_paper_deposits
from trading.usecases.core import Core
from trading.usecases.drafting import purge_expired_drafts
from trading.usecases.entry_ticks import WaitingEntries
from trading.usecases.live_prices import LivePrices
from trading.usecases.notices import NoticeDelivery, forget_sent_notices
from trading.usecases.portfolio import record_all_equity
from trading.usecases.price_ticks import ArmedLegs
from trading.usecases.reporting import TrackingEvents, report_tracked
from trading.usecases.stop_mode_setting import sweep_lapsed_previews
from trading.usecases.tracking import (
    IN_FLIGHT_AT_MOST,
    SILENT_AT_MOST,
    ReconcileReport,
    reconcile_submitted,
    track_once,
)
from trading.usecases.trailing import TrailingStops
from trading.usecases.trailing_entries import TrailingEntries
from webapp.app import create_app

log = logging.getLogger(__name__)

TRACK_EVERY_SECONDS = 1.0
EQUITY_EVERY_SECONDS = 300.0
# Orders whose exchange never answered, and paper deposits that stopped, are looked up this often (a look at
# an order asks its exchange, with retries).
RECONCILE_EVERY_SECONDS = 60.0


async def tracker_pass(core: Core, notices: NoticeDelivery, live: LivePrices | None = None) -> TrackingEvents:
    """One pass of the order tracker (at `live`'s prices where it follows a leg's venue), its report, then
    delivery; what was reported. The report reads what is not yet reported from the database, so a crash
    between the pass and the report delays those messages to the next report rather than losing them; a send
    that fails is tried again by the next delivery."""
    await track_once(core, live)
    return await tell_tracked(core, notices)


async def tell_tracked(core: Core, notices: NoticeDelivery) -> TrackingEvents:
    """The report of what the tracker did, then its delivery."""
    events = await report(core)
    await notices.deliver()
    return events


async def reconcile(core: Core) -> ReconcileReport:
    """Ask the exchanges about the orders whose answer was lost, and tell their users the outcome: those older
    than any still in flight, and those of processes gone silent (a crash). A younger order of a live process,
    a web worker's say, may be in flight right now, even at this process's start."""
    return await reconcile_submitted(core, IN_FLIGHT_AT_MOST, reconciled_text)


async def reconcile_deposits(core: Core) -> int:
    """Book the paper deposits that stopped between the venue and the books, past any still under way."""
    corrected = await reconcile_paper_deposits(core, DEPOSIT_UNDER_WAY_AT_MOST)
    if corrected:
        log.warning("paper accounts whose interrupted deposit was booked now: %d", corrected)
    return corrected


async def report(core: Core) -> TrackingEvents:
    """Notices of the legs filled and signals closed not yet reported, rendered for Telegram."""
    return await report_tracked(core, bracket_fill_text, signal_closed_text)


async def track_orders(
    container: Container,
    stop: asyncio.Event,
    notices: NoticeDelivery,
    ready: "asyncio.Future[None] | None" = None,
    leadership: Leadership | None = None,
) -> None:
    """While this process leads (bot.leadership; alone, it does), until told to stop: book fills of resting
    orders, fire bracket legs and close finished signals about once a second; every minute, look up the orders
    whose exchange never answered and the paper deposits that stopped; every five minutes, record every
    account's equity, forget old sent notices and delete long-expired drafts. `ready`: the bot's start, awaited
    first so that the messages have somewhere to go: what start-up reconciliation booked, what a crash left
    unreported and the notices it or an outage left unsent go then."""
    leads = leadership or SoleProcess()
    if ready is not None:
        await asyncio.wait({ready})
    core, live = container.core, container.prices
    try:
        if leads.leading:
            await report(core)
            await notices.deliver()
    except Exception:  # the loop below must start whatever happens here
        log.exception("could not report what was left unreported at start-up")
    loop = asyncio.get_running_loop()
    next_equity = loop.time()
    # Start-up has just looked. A process that died just before this one started is silent long enough to be
    # known gone after SILENT_AT_MOST: what it left in flight is looked up then, not a whole period later.
    next_reconcile = next_equity + SILENT_AT_MOST.total_seconds()
    while not stop.is_set():
        if leads.leading:
            try:
                await tracker_pass(
                    core, notices, live
                )  # its delivery sends what the last look told, if anything
                if loop.time() >= next_reconcile:
                    next_reconcile = loop.time() + RECONCILE_EVERY_SECONDS
                    await reconcile(core)
                    await reconcile_deposits(core)
                if loop.time() >= next_equity:
                    next_equity = loop.time() + EQUITY_EVERY_SECONDS
                    await record_all_equity(core)
                    await forget_sent_notices(core)
                    await purge_expired_drafts(core)
                    await sweep_lapsed_previews(core)
            except Exception:  # the loop must outlive any one bad order; the cause goes to the log
                log.exception("order tracking pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), TRACK_EVERY_SECONDS)


def price_watch(
    container: Container, alerts: AlertWatcher, notices: NoticeDelivery, leadership: Leadership
) -> PriceWatch:
    """Alerts, the legs held by the core, the stop modes, the entry rules and the trailing entries acted on at
    each tick of EXCHANGE's prices. Call once per process: the entry rules learn of each plan followed in it."""
    core, live = container.core, container.prices
    legs, trailing, entries = ArmedLegs(core, live), TrailingStops(core, live), WaitingEntries(core, live)
    core.followed_plans.subscribe(entries.followed)  # watched from its follow on, not from the next look
    told = partial(tell_tracked, core, notices)
    return PriceWatch(live, alerts, legs, told, leadership, trailing, entries, TrailingEntries(core, live))


async def serve(container: Container) -> None:
    await require_current_schema(container.engine, container.settings.database_url)
    if not container.settings.redis_url:
        await wait_until_sole_run(container.liveness, container.core.clock)
    # Alive (storage.liveness) before anything is placed: start-up reconciliation may rest a stop, and every
    # order this process sends must carry its id, for others to look up should it die mid-flight.
    async with container.liveness.alive("run"):
        await _serve(container)


async def _serve(container: Container) -> None:
    settings = container.settings
    report = await reconcile(container.core)
    log.info(
        "reconciled orders: %d found at the exchange, %d never arrived, %d unreachable",
        report.found,
        report.never_arrived,
        report.unreachable,
    )
    await reconcile_deposits(container.core)
    leads = leadership(settings.redis_url)
    jobs = run_jobs(container)
    telegram = await build_telegram(container, leads, jobs.queue)
    jobs.attach(telegram.telegram.notices, telegram.auditor)
    app = create_app(container.database_ok, routers=telegram.routers, web=web_context(container, jobs.queue))
    config = server_config(app, settings)

    async def stop_updates() -> None:
        await asyncio.gather(bot_start, return_exceptions=True)  # a bot still starting would poll after it
        await telegram.telegram.stop_updates()

    server = Server(config, before_shutdown=stop_updates)
    stop = asyncio.Event()
    bot_start = asyncio.create_task(telegram.start_when_listening(server))
    leading = asyncio.create_task(leads.keep(stop))
    notices = telegram.telegram.notices
    tracker = asyncio.create_task(track_orders(container, stop, notices, ready=bot_start, leadership=leads))
    watch = price_watch(container, telegram.telegram.watcher, notices, leads)
    watching = asyncio.create_task(watch.run(stop, ready=bot_start))
    jobs.start()
    tune_garbage_collector()
    where = "/sandbox" if telegram.sandbox is not None else "/health"
    print(f"tsbot is running: open http://{settings.tsbot_host}:{settings.tsbot_port}{where}", flush=True)
    try:
        await server.serve()
    finally:
        stop.set()
        await tracker
        await watching
        await leading
        await asyncio.gather(bot_start, return_exceptions=True)
        await jobs.stop()
        await telegram.telegram.stop()
