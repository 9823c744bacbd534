"""The web app's half of the composition root, and `tsbot web`: the app alone, for scale-out."""

import argparse
import gc
import logging

from litestar import Litestar

from bot.audits import build_auditor
from bot.container import Container, secret_key
from bot.serving import Server, server_config
from bot.settings import Settings
from nlp.pipeline import Pipeline
from trading.domain.access import TokenScope
from trading.ports.jobs import JobQueue
from trading.usecases.access import api_tokens, create_api_token, revoke_api_token
from webapp.app import create_app
from webapp.context import WebConfig, WebContext, derive_key

log = logging.getLogger(__name__)


def web_config(settings: Settings) -> WebConfig:
    token = settings.telegram_bot_token
    return WebConfig(
        bot_token=token.get_secret_value() if token else settings.sandbox_token,
        signing_key=derive_key(secret_key(settings), "web-access-token"),
        public_url=settings.public_base_url,
        access_token_ttl=settings.access_token_ttl_seconds,
        refresh_token_ttl=settings.refresh_token_ttl_seconds,
        login_link_ttl=settings.login_link_ttl_seconds,
        init_data_max_age=settings.init_data_max_age_seconds,
        login_widget_max_age=settings.login_widget_max_age_seconds,
        login_widget_bot=settings.telegram_login_bot,
        sandbox=token is None,
        cors_origins=tuple(o.strip() for o in settings.cors_origins.split(",") if o.strip()),
        rate_limit_per_ip=settings.rate_limit_per_ip,
        rate_limit_per_user=settings.rate_limit_per_user,
        redis_url=settings.redis_url,
    )


def web_context(container: Container, jobs: JobQueue | None = None) -> WebContext:
    return WebContext(
        container.core,
        container.venue_market,
        web_config(container.settings),
        container.prices.feed,
        jobs=jobs,
        # The rules read the posts at once; the classifier, for the doubtful ones, loads in the background.
        auditor=build_auditor(container, Pipeline(model_in_background=True)),
    )


def tune_garbage_collector() -> None:
    """Once started. What start-up built (the modules, the app, the engines) lives as long as the process.
    Frozen, it is left out of the collector's full passes, each of which would otherwise walk some 300,000
    objects while every update and request in flight waits."""
    gc.freeze()


def serves_webhook(settings: Settings) -> bool:
    """A webhook bot with REDIS_URL: web workers take its updates too (their claims and the conversations are
    shared in Redis), while the scheduled work stays with the leading `tsbot run`."""
    return bool(settings.telegram_bot_token and settings.telegram_webhook_url and settings.redis_url)


async def serve_web(container: Container) -> None:
    """The API and the Mini App, and the webhook where `serves_webhook`, without the tracker (run one
    `tsbot run` beside web workers)."""
    settings = container.settings
    if not serves_webhook(settings) or settings.redis_url is None:
        await _serve(container, create_app(container.database_ok, web=web_context(container)))
        return
    # Imported here: a web worker without the webhook loads neither the bot nor the job queue.
    from bot.leadership import Follower
    from bot.telegram.process import build_telegram
    from storage.saq_jobs import SaqJobQueue, saq_queue

    jobs = SaqJobQueue(saq_queue(settings.redis_url))
    telegram = await build_telegram(container, Follower(), jobs)
    app = create_app(container.database_ok, routers=telegram.routers, web=web_context(container, jobs))
    await telegram.telegram.start()
    try:
        await _serve(container, app)
    finally:
        await telegram.telegram.stop()
        await jobs.close()


async def _serve(container: Container, app: Litestar) -> None:
    settings = container.settings
    config = server_config(app, settings)
    tune_garbage_collector()
    print(f"tsbot web: http://{settings.tsbot_host}:{settings.tsbot_port}/app", flush=True)
    async with container.liveness.alive("web"):  # the orders it places carry its id (storage.liveness)
        await Server(config).serve()


async def token_command(container: Container, args: argparse.Namespace) -> None:
    """`tsbot token create|list|revoke`."""
    core = container.core
    if args.action == "create":
        token, secret = await create_api_token(core, args.user, args.name, TokenScope(args.scope))
        print(f"token {token.id} ({token.scope.value}) {token.name}: {secret}")
        print("Keep the secret now: it is not stored and cannot be shown again.")
    elif args.action == "list":
        for t in await api_tokens(core, args.user):
            state = "revoked" if t.revoked_at else "active"
            print(f"{t.id}  {t.prefix}…  {t.scope.value:5}  {state:7}  {t.name}")
    else:
        await revoke_api_token(core, args.user, args.token)
        print(f"token {args.token} revoked")


async def dashboard_link(container: Container, user_id: int) -> str:
    """A one-time log-in link to the dashboard, for the bot's /dashboard command."""
    from webapp.links import dashboard_link as link

    return await link(web_context(container), user_id)
