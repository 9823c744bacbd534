"""Settings, read once at start-up from the environment (and a .env file) and passed down."""

import asyncio
from decimal import Decimal
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from storage.db import DatabaseUnreachable, check_connection, sqlite_in_memory

DEFAULT_DATABASE_URL = "sqlite:///./data/tsbot.db"
# The sandbox bot's token when the operator gives none: public, so served on a loopback address only.
PUBLIC_SANDBOX_TOKEN = "123456:sandbox-token"


class SettingsError(Exception):
    """One line naming the setting that is wrong."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL: connections each process keeps open, and how many more it may open for a burst (closed again
    # once handed back). A request, an order or a job holds one for each of its transactions, two where one is
    # read while another is held (a gateway loaded inside a booking): the overflow must leave room for those.
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    database_max_overflow: Annotated[int, Field(ge=0)] = 5
    redis_url: str | None = None
    data_dir: Path = Path("data")
    # Market history (candles for audits and charts) in InfluxDB 2 where INFLUX_URL is set; a SQL table otherwise.
    influx_url: str | None = None
    influx_token: SecretStr | None = None
    influx_org: str | None = None
    influx_bucket: str = "tsbot"

    exchange: str = "paper"
    exchange_api_key: SecretStr | None = None
    exchange_api_secret: SecretStr | None = None
    exchange_password: SecretStr | None = None
    exchange_testnet: bool = False
    market_seed: int = 42

    paper_start_balance: Annotated[Decimal, Field(gt=0)] = Decimal(10_000)
    paper_quote: str = "USDT"
    paper_futures: bool = True

    risk_max_order_value: Annotated[Decimal, Field(gt=0)] = Decimal(5_000)
    risk_max_position_share: Annotated[Decimal, Field(gt=0, le=1)] = Decimal("0.5")
    risk_max_open_positions: Annotated[int, Field(gt=0)] = 10
    risk_daily_loss_limit: Annotated[Decimal, Field(gt=0)] = Decimal(1_000)
    risk_require_stop_for_leverage: bool = True
    risk_max_leverage: Annotated[Decimal, Field(ge=1)] = Decimal(20)
    risk_max_margin_share: Annotated[Decimal, Field(gt=0, le=1)] = Decimal("0.5")
    # Protections of automatic following (0 turns one off): a drawdown from the equity's peak, stop-outs in a
    # period and their cooldown, a source's losing streak.
    protect_max_drawdown: Annotated[Decimal, Field(ge=0, lt=1)] = Decimal("0.2")
    protect_drawdown_hours: Annotated[int, Field(ge=1, le=8_760)] = 48
    protect_stoploss_guard: Annotated[int, Field(ge=0)] = 3
    protect_stoploss_guard_hours: Annotated[int, Field(ge=1, le=8_760)] = 24
    protect_cooldown_hours: Annotated[int, Field(ge=1, le=8_760)] = 4
    protect_losing_streak: Annotated[int, Field(ge=0)] = 3

    draft_ttl_seconds: Annotated[int, Field(gt=0)] = 120

    telegram_bot_token: SecretStr | None = None
    # Telegram: who may use the bot (comma-separated ids; both empty: everyone), webhook mode, limits.
    telegram_allowed_users: str = ""
    telegram_admins: str = ""
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # A Bot API server of one's own (telegram-bot-api run locally, or the tests' sandbox) in place of Telegram's.
    telegram_api_url: str | None = None
    # How long a webhook worker holds an update it handles before a retry may take it (it died meanwhile).
    telegram_update_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    telegram_rate_per_second: Annotated[float, Field(gt=0)] = 30.0
    telegram_rate_per_chat: Annotated[float, Field(gt=0)] = 1.0
    telegram_throttle_per_second: Annotated[float, Field(gt=0)] = 5.0
    telegram_throttle_burst: Annotated[int, Field(gt=0)] = 10
    signal_follow_amount: Annotated[Decimal, Field(gt=0)] = Decimal(100)
    alert_check_seconds: Annotated[float, Field(gt=0)] = 1.0
    # Live prices of EXCHANGE: its websocket where ccxt streams it, else its REST ticker this often.
    price_poll_seconds: Annotated[float, Field(gt=0)] = 1.0
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    secret_key: SecretStr | None = None
    # Earlier SECRET_KEYs, comma-separated, newest first: they still decrypt what was stored under them until
    # `tsbot keys rotate` has re-encrypted it under SECRET_KEY.
    old_secret_keys: SecretStr | None = None

    # The web API and the Mini App.
    sandbox_bot_token: SecretStr | None = None
    public_url: str | None = None
    access_token_ttl_seconds: Annotated[int, Field(gt=0)] = 900
    refresh_token_ttl_seconds: Annotated[int, Field(gt=0)] = 2_592_000
    login_link_ttl_seconds: Annotated[int, Field(gt=0)] = 600
    init_data_max_age_seconds: Annotated[int, Field(gt=0)] = 86_400
    login_widget_max_age_seconds: Annotated[int, Field(gt=0)] = 86_400
    telegram_login_bot: str | None = None
    cors_origins: str = ""
    rate_limit_per_ip: Annotated[int, Field(ge=0)] = 600
    rate_limit_per_user: Annotated[int, Field(ge=0)] = 300

    # Jobs (automations, notices): inside `tsbot run` by default; with REDIS_URL, SAQ on Redis, run by `tsbot
    # worker` processes and, unless JOBS_IN_RUN is false, by `tsbot run` as well.
    jobs_in_run: bool = True
    job_concurrency: Annotated[int, Field(gt=0)] = 10
    job_sweep_seconds: Annotated[int, Field(gt=0)] = 60

    # Notices by e-mail (to addresses users verify with a code) where SMTP_HOST is set; webhooks always.
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(gt=0, lt=65536)] = 587
    smtp_from: str = "tsbot@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: Literal["auto", "yes", "no"] = "auto"  # auto: if the server offers it
    # Webhooks to this machine itself (http://127.0.0.1/...): for local trials only, never in production.
    webhooks_to_loopback: bool = False

    tsbot_host: str = "127.0.0.1"
    tsbot_port: Annotated[int, Field(gt=0, lt=65536)] = 8000
    # How long an idle keep-alive connection stays open. Longer than the proxy's own (the `keepalive_timeout`
    # of deploy/nginx's upstream): a worker that closed first could drop a request nginx was sending on it,
    # which nginx answers 502 and never sends again when it is a POST (a webhook update, an order).
    web_keep_alive_seconds: Annotated[int, Field(gt=0)] = 75
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = (
        "text"  # json: one object a line, with the request's and update's ids
    )
    # Error reports to Sentry (or any server speaking its protocol); none without a DSN.
    sentry_dsn: SecretStr | None = None
    sentry_environment: str = "production"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if scheme.split("+", 1)[0] not in ("sqlite", "postgres", "postgresql"):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if sqlite_in_memory(value):
            raise ValueError(
                "needs a file, e.g. sqlite:///data/tsbot.db: an in-memory database is not shared"
            )
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_with_a_path(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                "must be the full address Telegram calls, e.g. https://bot.example.com/telegram/webhook"
            )
        if parts.path in ("", "/"):
            raise ValueError(
                "needs a path for the webhook route, e.g. https://bot.example.com/telegram/webhook"
            )
        return value

    @field_validator("exchange")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("paper_quote")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @property
    def public_base_url(self) -> str:
        """Where people reach the web app: PUBLIC_URL, or the address it listens on."""
        return (self.public_url or f"http://{self.tsbot_host}:{self.tsbot_port}").rstrip("/")

    @property
    def own_sandbox_token(self) -> str | None:
        """SANDBOX_BOT_TOKEN, unless it is empty or the public one."""
        own = self.sandbox_bot_token.get_secret_value() if self.sandbox_bot_token else ""
        return own if own and own != PUBLIC_SANDBOX_TOKEN else None

    @property
    def sandbox_token(self) -> str:
        """The token of the sandbox's bot, which signs and checks Mini App sign-ins without TELEGRAM_BOT_TOKEN."""
        return self.own_sandbox_token or PUBLIC_SANDBOX_TOKEN

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build the settings or raise SettingsError naming the first setting that is wrong or missing."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"setting {name}: {first['msg']}") from None
    if not settings.uses_sqlite and settings.secret_key is None:
        raise SettingsError(
            "setting SECRET_KEY: required with a shared database (it encrypts stored exchange credentials)"
        )
    if settings.exchange != "paper" and (settings.exchange_api_key is None) != (
        settings.exchange_api_secret is None
    ):
        raise SettingsError("setting EXCHANGE_API_SECRET: give the API key and secret together")
    if (
        not settings.telegram_bot_token
        and not settings.own_sandbox_token
        and not loopback(settings.tsbot_host)
    ):
        raise SettingsError(
            f"setting SANDBOX_BOT_TOKEN: a token of your own is required to serve the sandbox on TSBOT_HOST "
            f"{settings.tsbot_host}, not a loopback address: with the public default, anyone who reaches it "
            "can sign in as anyone (or set TELEGRAM_BOT_TOKEN)"
        )
    return settings


def require_database(settings: Settings) -> None:
    """Connect to DATABASE_URL once, or raise SettingsError saying what failed (the password left out)."""
    try:
        asyncio.run(check_connection(settings.database_url))
    except DatabaseUnreachable as error:
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        raise SettingsError(f"setting DATABASE_URL: cannot connect to {shown} ({error})") from None


def loopback(host: str) -> bool:
    """TSBOT_HOST reachable from this machine only: localhost, 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False
