"""How the process is observed: its log lines (plain, or JSON with the request's and the update's ids) and, when
SENTRY_DSN is set, error reports to Sentry with the Litestar context and the bot's user and update ids, never a
user's name, an API secret or a message's text."""

import json
import logging
from datetime import UTC, datetime

from bot.settings import Settings
from trading import log_context

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Keys whose values never leave the process in an error report, at any depth: credentials, tokens, the Mini
# App's signed init data, and what users write (messages, posts).
PRIVATE_KEYS = ["api_key", "secret", "secret_enc", "password", "init_data", "text", "caption", "token"]


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's or update's id, the error's trace."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request := log_context.request_id.get()) is not None:
            line["request_id"] = request
        if (update := log_context.update_id.get()) is not None:
            line["update_id"] = update
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if settings.log_format == "json" else logging.Formatter(PLAIN))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # APScheduler logs each run of each job at INFO: the alert watcher alone would write two lines a second.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


def start_sentry(settings: Settings) -> None:
    """Error reports to SENTRY_DSN: logged errors (the web app's and the bot's failures are logged) and the web
    app's unhandled ones; no performance traces, no request bodies, no local variables, no personal data."""
    if settings.sentry_dsn is None:
        return
    import sentry_sdk
    from sentry_sdk.integrations.litestar import LitestarIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *PRIVATE_KEYS], recursive=True),
        integrations=[
            LitestarIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
