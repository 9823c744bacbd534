"""The composition root: the only place adapters are built. Everything else receives them."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.exchanges import Exchanges
from bot.metrics import register_all
from bot.settings import Settings, SettingsError
from storage.crypto import CredentialCipher
from storage.db import create_engine, takes_writes
from storage.liveness import ProcessLiveness
from storage.paper_store import SqlPaperStore
from storage.uow import SqlUnitOfWorkFactory
from trading.domain.accounts import PAPER, Credentials
from trading.domain.errors import InvalidInput
from trading.domain.protections import ProtectionLimits
from trading.domain.risk import RiskLimits
from trading.market.feeds import SimulatedPriceFeed
from trading.market.simulated import SimulatedMarket
from trading.ports import Clock, MarketData
from trading.usecases.core import Core, CoreConfig
from trading.usecases.live_prices import LivePrices, Venue

if TYPE_CHECKING:
    from trading.ccxt.stream import VenuePrices


@dataclass(slots=True)
class Container:
    """`market` is the simulated market of paper accounts; `venue_market` and `prices` are EXCHANGE's public
    data and live prices (the simulated market's own on paper), which the web app shows and alerts follow."""

    settings: Settings
    engine: AsyncEngine
    market: SimulatedMarket
    exchanges: Exchanges
    core: Core
    liveness: ProcessLiveness
    venue_market: MarketData
    prices: LivePrices
    read_engine: AsyncEngine | None = None  # SQLite's readers; PostgreSQL reads on the one engine
    venue_prices: "VenuePrices | None" = None  # a ccxt EXCHANGE's client under venue_market and prices

    async def database_ok(self) -> bool:
        """PostgreSQL: whether it takes a write. SQLite: whether its reader reads, since a write check would
        queue for the one writer connection behind the orders."""
        if self.read_engine is None:
            return await takes_writes(self.engine)
        try:
            async with self.read_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, SQLAlchemyError):
            return False
        return True

    async def close(self) -> None:
        if self.venue_prices is not None:
            await self.venue_prices.close()
        else:
            await self.prices.feed.close()
        await self.exchanges.close()
        await self.engine.dispose()
        if self.read_engine is not None:
            await self.read_engine.dispose()


def secret_key(settings: Settings) -> str:
    """SECRET_KEY, or on the embedded SQLite default a key generated once into the data folder."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def secret_keys(settings: Settings) -> list[str]:
    """SECRET_KEY (the one that encrypts), then OLD_SECRET_KEYS (which still decrypt)."""
    older = settings.old_secret_keys.get_secret_value().split(",") if settings.old_secret_keys else []
    return [secret_key(settings), *(key.strip() for key in older if key.strip())]


def core_config(settings: Settings) -> CoreConfig:
    return CoreConfig(
        limits=RiskLimits(
            max_order_value=settings.risk_max_order_value,
            max_position_share=settings.risk_max_position_share,
            max_open_positions=settings.risk_max_open_positions,
            daily_loss_limit=settings.risk_daily_loss_limit,
            require_stop_for_leverage=settings.risk_require_stop_for_leverage,
            max_leverage=settings.risk_max_leverage,
            max_margin_share=settings.risk_max_margin_share,
        ),
        draft_ttl=timedelta(seconds=settings.draft_ttl_seconds),
        paper_quote=settings.paper_quote,
        paper_start_balance=settings.paper_start_balance,
        paper_futures=settings.paper_futures,
        default_exchange=settings.exchange,
        default_credentials=_operator_credentials(settings),
        default_testnet=settings.exchange_testnet,
        protections=protection_limits(settings),
    )


def protection_limits(settings: Settings) -> ProtectionLimits:
    return ProtectionLimits(
        max_drawdown=settings.protect_max_drawdown,
        drawdown_hours=settings.protect_drawdown_hours,
        stoploss_guard=settings.protect_stoploss_guard,
        stoploss_guard_hours=settings.protect_stoploss_guard_hours,
        cooldown_hours=settings.protect_cooldown_hours,
        losing_streak=settings.protect_losing_streak,
    )


def _operator_credentials(settings: Settings) -> Credentials | None:
    if settings.exchange_api_key is None or settings.exchange_api_secret is None:
        return None
    password = settings.exchange_password.get_secret_value() if settings.exchange_password else None
    return Credentials(
        settings.exchange_api_key.get_secret_value(),
        settings.exchange_api_secret.get_secret_value(),
        password,
    )


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    if settings.exchange != "paper":
        import ccxt.async_support as ccxt_async

        if settings.exchange not in ccxt_async.exchanges:
            raise SettingsError(
                f"setting EXCHANGE: {settings.exchange!r} is neither 'paper' nor a ccxt exchange id"
            )
    clock = clock or SystemClock()
    register_all()  # every metric family on /metrics from the start
    engine = create_engine(settings.database_url)
    read_engine = create_engine(settings.database_url, read_only=True) if settings.uses_sqlite else None
    liveness = ProcessLiveness(engine, clock)
    uow = SqlUnitOfWorkFactory(engine, CredentialCipher(secret_keys(settings)), read_engine, liveness)
    market = SimulatedMarket(clock, seed=settings.market_seed, quote=settings.paper_quote)
    exchanges = Exchanges(market, SqlPaperStore(engine, read_engine), clock, uow)
    core = Core(uow=uow, exchanges=exchanges, clock=clock, config=core_config(settings))
    venue_market, prices, venue_prices = live_prices(settings, market, exchanges)
    return Container(
        settings, engine, market, exchanges, core, liveness, venue_market, prices, read_engine, venue_prices
    )


def live_prices(
    settings: Settings, market: SimulatedMarket, exchanges: Exchanges
) -> tuple[MarketData, LivePrices, "VenuePrices | None"]:
    """EXCHANGE's public data and live prices: on paper, the simulated market's; on a ccxt venue, one ccxt.pro
    client's (its websocket, or its REST ticker polled), which the caller closes."""
    if settings.exchange == PAPER:
        return market, LivePrices(Venue(), SimulatedPriceFeed(market)), None
    from trading.ccxt.stream import VenuePrices  # ccxt is heavy: imported only for a ccxt EXCHANGE

    venue = Venue(settings.exchange, settings.exchange_testnet)
    try:
        opened = VenuePrices(
            exchanges.venue_config(venue.exchange, venue.testnet), settings.price_poll_seconds
        )
    except InvalidInput as error:  # a testnet the venue does not have
        raise SettingsError(f"setting EXCHANGE_TESTNET: {error}") from error
    return opened.market, LivePrices(venue, opened.feed), opened
