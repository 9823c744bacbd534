"""What the web app is handed by the composition root: the core, market data, live prices and its own
settings."""

import hashlib
import hmac
from dataclasses import dataclass, field

from trading.domain.market import Ticker
from trading.ports import MarketData, PriceFeed
from trading.ports.jobs import JobQueue
from trading.usecases.audits import Auditor
from trading.usecases.core import Core
from webapp.verified_tokens import VerifiedTokens


@dataclass(frozen=True, slots=True)
class WebConfig:
    bot_token: str
    signing_key: str
    public_url: str
    access_token_ttl: int = 900
    refresh_token_ttl: int = 2_592_000
    login_link_ttl: int = 600
    init_data_max_age: int = 86_400
    login_widget_max_age: int = 86_400
    login_widget_bot: str | None = None  # the bot's username, for the Login Widget (real Telegram only)
    sandbox: bool = False  # the local stand-in for Telegram is served: it signs Login Widget data too
    cors_origins: tuple[str, ...] = ()
    rate_limit_per_ip: int = 600
    rate_limit_per_user: int = 300
    redis_url: str | None = None
    frontend_dir: str | None = None


@dataclass(frozen=True, slots=True)
class WebContext:
    """`prices`: the process's live prices (the same feed the alerts and the tracker follow); without one, or
    before a market's first tick, prices are asked of `market`."""

    core: Core
    market: MarketData
    config: WebConfig
    prices: PriceFeed | None = None
    verified_tokens: VerifiedTokens = field(default_factory=VerifiedTokens)
    jobs: JobQueue | None = None  # where automations set up here queue their first run (else the tick does)
    auditor: Auditor | None = None  # what audits a channel's export uploaded (none: audits are not offered)

    async def ticker(self, symbol: str) -> Ticker:
        """The market's live price where the feed has one, else its ticker asked of the venue."""
        ticker = self.prices.latest(symbol) if self.prices is not None else None
        return ticker if ticker is not None else await self.market.ticker(symbol)


def derive_key(secret: str, purpose: str) -> str:
    """A key for one purpose from the application secret, so one leaked key opens nothing else."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()
